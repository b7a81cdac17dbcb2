/**
 * Problem 4's helpers: z = add(a, b), sub, mul, ... on leaf Variables, graded by z.data and every
 * leaf's grad after z.backward(seed), against the reference forwards and finite differences.
 */
import fc from "fast-check";
import { tensorArb, tensorsArb } from "../../../../../checks/index.js";
import {
  exp,
  matrixMultiply,
  power,
  relu,
  scalarMultiply,
  sum,
  tensordot,
  variableAdd,
  variableMultiply,
} from "../../../../../reference/forward/autograd.js";
import { scalar, type Tensor } from "../../../../../reference/tensor/index.js";
import { downstreamArb } from "../../../../authoring/builders/internal/caseParts.js";
import { field } from "../../../../authoring/builders/internal/field.js";
import { judgeGradients } from "../../../../authoring/builders/internal/judgeGradients.js";
import {
  allOf,
  describeResult,
  expectTensor,
  fail,
  showValue,
} from "../../../../authoring/judge.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import type { HelperPayload } from "../../drivers/autograd.js";
import { contractCases } from "../shared/contractCases.js";
import {
  anyShape,
  CONTRACTION_RUNS,
  matrixMultiplyCases,
  plantZero,
  powerCases,
  zeroPlacementArb,
} from "./opCases.js";

interface HelperCase {
  inputs: Tensor[];
  extra: number[];
  downstream: Tensor;
}

interface HelperInfo {
  name: string;
  /** The call as a student reads it, e.g. "pow(a, p)". */
  call: string;
  /** Names of the Variable arguments. */
  names: string[];
  cases: fc.Arbitrary<{ inputs: Tensor[]; extra: number[] }>;
  reference: (extra: number[]) => (...inputs: Tensor[]) => Tensor;
  /** Runs of the check (default: the assignment's). */
  runs?: number;
}

const pairOfOneShape = (extra: Parameters<typeof tensorsArb>[0] = { count: 2 }) =>
  tensorsArb({ ...anyShape, specialValues: true, ...extra }).map((inputs) => ({
    inputs,
    extra: [] as number[],
  }));

const oneInput = (constraints: Parameters<typeof tensorArb>[0]) =>
  tensorArb({ ...anyShape, ...constraints }).map((x) => ({ inputs: [x], extra: [] as number[] }));

const minusOne = scalar(-1);

const HELPERS: HelperInfo[] = [
  {
    name: "add",
    call: "add(a, b)",
    names: ["a", "b"],
    cases: pairOfOneShape(),
    reference: () => (a, b) => variableAdd(a!, b!),
  },
  {
    name: "sub",
    call: "sub(a, b)",
    names: ["a", "b"],
    cases: pairOfOneShape(),
    reference: () => (a, b) => variableAdd(a!, scalarMultiply(minusOne, b!)),
  },
  {
    name: "mul",
    call: "mul(a, b)",
    names: ["a", "b"],
    // One shape (3 in 5 cases; then VariableMultiply, with an exact zero planted in 2 of 3),
    // or a scalar [] on either side (then ScalarMultiply).
    cases: fc
      .tuple(
        tensorArb({ ...anyShape, specialValues: true }),
        tensorArb({ shape: [], specialValues: true }),
        fc.constantFrom("same", "same", "same", "scalar first", "scalar second"),
        zeroPlacementArb,
      )
      .chain(([x, s, kind, zero]) => {
        if (kind === "scalar first") return fc.constant({ inputs: [s, x], extra: [] as number[] });
        if (kind === "scalar second") return fc.constant({ inputs: [x, s], extra: [] as number[] });
        return tensorArb({ shape: x.shape, specialValues: true }).map((y) => ({
          inputs: plantZero([x, y], zero),
          extra: [] as number[],
        }));
      }),
    reference: () => (a, b) => {
      if (a!.ndim === 0) return scalarMultiply(a!, b!);
      if (b!.ndim === 0) return scalarMultiply(b!, a!);
      return variableMultiply(a!, b!);
    },
  },
  {
    name: "div",
    call: "div(a, b)",
    names: ["a", "b"],
    // b at least 0.4 away from 0, so 1 / b stays moderate; an exact zero planted in a in 2 of 3
    // cases (a times b^-1 is a product: its gradient must not divide by a).
    cases: fc
      .tuple(tensorArb({ ...anyShape, specialValues: true }), zeroPlacementArb)
      .chain(([a, zero]) =>
        tensorArb({ shape: a.shape, kinks: [0], margin: 0.4 }).map((b) => ({
          inputs: [plantZero([a], zero)[0]!, b],
          extra: [] as number[],
        })),
      ),
    reference: () => (a, b) => variableMultiply(a!, power(b!, -1)),
  },
  {
    name: "neg",
    call: "neg(a)",
    names: ["a"],
    cases: oneInput({ specialValues: true }),
    reference: () => (a) => scalarMultiply(minusOne, a!),
  },
  {
    name: "matmul",
    call: "matmul(a, b)",
    names: ["a", "b"],
    cases: matrixMultiplyCases.map((c) => ({ inputs: c.inputs, extra: [] as number[] })),
    reference: () => (a, b) => matrixMultiply(a!, b!),
  },
  {
    name: "pow",
    call: "pow(a, p)",
    names: ["a"],
    cases: powerCases.map((c) => ({ inputs: c.inputs, extra: [c.arg as number] })),
    reference:
      ([p]) =>
      (a) =>
        power(a!, p!),
  },
  {
    name: "exp",
    call: "exp(a)",
    names: ["a"],
    cases: oneInput({ specialValues: true }),
    reference: () => (a) => exp(a!),
  },
  {
    name: "relu",
    call: "relu(a)",
    names: ["a"],
    cases: oneInput({ kinks: [0] }),
    reference: () => (a) => relu(a!),
  },
  {
    name: "tensordot",
    call: "tensordot(a, b, k)",
    names: ["a", "b"],
    cases: contractCases.map(({ a, b, k }) => ({ inputs: [a, b], extra: [k] })),
    runs: CONTRACTION_RUNS,
    reference:
      ([k]) =>
      (a, b) =>
        tensordot(a!, b!, k!),
  },
  {
    name: "sum",
    call: "sum(a)",
    names: ["a"],
    cases: oneInput({ specialValues: true }),
    reference: () => (a) => sum(a!),
  },
];

function helperCheck(info: HelperInfo): CheckDefinition<HelperCase> {
  const cases = info.cases.chain(({ inputs, extra }) =>
    downstreamArb(info.reference(extra)(...inputs).shape).map((downstream) => ({
      inputs,
      extra,
      downstream,
    })),
  );
  return {
    id: `4.helpers.${info.name}`,
    title: `z = ${info.call} on leaf Variables: z.data, and every leaf's grad after z.backward(seed)`,
    points: 0.5,
    ...(info.runs === undefined ? {} : { runs: info.runs }),
    cases,
    driver: "autograd.helper",
    payload: (c): HelperPayload => ({
      helper: info.name,
      inputs: c.inputs,
      extra: c.extra,
      downstream: c.downstream,
    }),
    judge: (c, result, ctx) => {
      const f = info.reference(c.extra);
      if (field(result, "notVariable") === true) {
        return fail(
          `${info.call} should return a Variable, got ${describeResult(field(result, "value"))}`,
        );
      }
      return allOf(
        () =>
          expectTensor(field(result, "value"), f(...c.inputs), {
            name: `z.data for z = ${info.call}`,
            tolerance: ctx.tolerance,
          }),
        () => {
          const grads = field(result, "grads");
          return judgeGradients({
            f,
            inputs: c.inputs,
            downstream: c.downstream,
            grads: Array.isArray(grads) ? grads : [],
            names: info.names.map((n) => `${n}.grad after z = ${info.call}; z.backward(seed)`),
            tolerance: ctx.tolerance,
          });
        },
      );
    },
    show: (c) => {
      const parts: Record<string, unknown> = {};
      info.names.forEach((n, i) => {
        parts[n] = c.inputs[i];
      });
      if (info.name === "pow") parts.p = c.extra[0];
      if (info.name === "tensordot") parts.k = c.extra[0];
      parts.seed = c.downstream;
      return `z = ${info.call} with leaves new Variable(...) of\n${showValue(parts)}`;
    },
  };
}

/** The helpers' checks, one per helper, in grading order. */
export const helperChecks: CheckDefinition<HelperCase>[] = HELPERS.map(helperCheck);
