/**
 * The four checks of one operation of problem 4: forwardCall against the reference, backwardCall
 * against finite differences of the reference and of the submission's own forwardCall, and
 * immutability.
 */
import type { Tolerance } from "../../../../../checks/index.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import { closeTo } from "../../../../authoring/builders/internal/closeTo.js";
import { field } from "../../../../authoring/builders/internal/field.js";
import { judgeGradients } from "../../../../authoring/builders/internal/judgeGradients.js";
import { judgeSelfConsistency } from "../../../../authoring/builders/internal/judgeSelfConsistency.js";
import { makeProbes, probeInputs } from "../../../../authoring/builders/internal/probes.js";
import {
  allOf,
  describeResult,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "../../../../authoring/judge.js";
import type { CheckDefinition, Verdict } from "../../../../authoring/types.js";
import type { OpPayload } from "../../drivers/autograd.js";
import type { OpCase } from "./opCases.js";
import type { OpInfo } from "./opInfos.js";

/** The self-consistency probes of an operation case (the same in the payload and the judge). */
const opProbes = (c: OpCase) =>
  makeProbes(c.inputs, c.probeSeed, undefined, c.stepPerEntry ?? false);

/** The hints' context of an operation's case: the batch size only where there is a batch. */
const opContext = (info: OpInfo, c: OpCase) => ({
  batchSize: info.batched && c.inputs[0]!.ndim === 2 ? c.inputs[0]!.shape[0] : undefined,
});

function opPayload(info: OpInfo, c: OpCase, mode: "forward" | "full", probes = false): OpPayload {
  return {
    op: info.name,
    arg: c.arg,
    mode,
    inputs: c.inputs,
    downstream: mode === "full" ? c.downstream : undefined,
    probes: probes ? probeInputs(c.inputs, opProbes(c)) : undefined,
  };
}

function showOpCase(info: OpInfo, c: OpCase): string {
  const names = info.names(c);
  const parts: Record<string, unknown> = {};
  if (c.arg !== undefined) parts[info.construct.replace(/^.*\((.*)\)$/, "$1")] = c.arg;
  c.inputs.forEach((t, i) => {
    parts[names[i]!] = t;
  });
  parts["downstream gradient"] = c.downstream;
  return `${info.construct}, forwardCall(${names.join(", ")}), then backwardCall(downstream gradient), with\n${showValue(parts)}`;
}

function opGrads(c: OpCase, result: unknown): unknown[] {
  const grads = field(result, "grads");
  return Array.isArray(grads) ? grads : c.inputs.map(() => grads);
}

/** A short description of a wrong return value of backwardCall, if it is one. */
function gradsProblem(info: OpInfo, c: OpCase, result: unknown): Verdict {
  const grads = field(result, "grads");
  if (!Array.isArray(grads)) {
    return fail(
      `${info.name}.backwardCall should return an array with one gradient per input (${c.inputs.length}), got ${describeResult(grads)}`,
    );
  }
  if (grads.length !== c.inputs.length) {
    return fail(
      `${info.name}.backwardCall returned ${grads.length} gradient${grads.length === 1 ? "" : "s"} for ${c.inputs.length} input${c.inputs.length === 1 ? "" : "s"}; it must return one per input, in order`,
    );
  }
  return PASS;
}

type OpCheck = CheckDefinition<OpCase>;

/** The runs of an operation's checks, where the operation sets its own. */
const runsOf = (info: OpInfo) => (info.runs === undefined ? {} : { runs: info.runs });

/** Whether the submission's forwardCall matches the reference (the failure says what to fix). */
const forwardOk = (info: OpInfo, c: OpCase, result: unknown, tolerance: Tolerance) =>
  closeTo(field(result, "output"), info.reference(c)(...c.inputs), tolerance);

/** The checks of one operation, in grading order. */
export function opChecks(info: OpInfo): OpCheck[] {
  return [forwardCheck(info), backwardCheck(info), consistentCheck(info), immutableCheck(info)];
}

function forwardCheck(info: OpInfo): OpCheck {
  return {
    id: `4.${info.name}.forward`,
    title: `${info.name}.forwardCall against the reference`,
    points: 0.25,
    cases: info.cases,
    ...runsOf(info),
    driver: "autograd.op",
    payload: (c) => opPayload(info, c, "forward"),
    judge: (c, result, ctx) =>
      expectTensor(field(result, "output"), info.reference(c)(...c.inputs), {
        name: `${info.name}.forwardCall`,
        tolerance: ctx.tolerance,
        context: opContext(info, c),
      }),
    show: (c) => showOpCase(info, c),
  };
}

function backwardCheck(info: OpInfo): OpCheck {
  const id = `4.${info.name}`;
  const gradName = (c: OpCase) =>
    info.names(c).map((n) => `the gradient of ${n} from ${info.name}.backwardCall`);
  return {
    id: `${id}.backward`,
    title: `${info.name}.backwardCall against finite differences of the reference (random downstream gradient)`,
    points: info.backwardPoints,
    cases: info.cases,
    ...runsOf(info),
    driver: "autograd.op",
    payload: (c) => opPayload(info, c, "full"),
    judge: (c, result, ctx) =>
      allOf(gradsProblem(info, c, result), () =>
        judgeGradients({
          f: info.reference(c),
          inputs: c.inputs,
          downstream: c.downstream,
          grads: opGrads(c, result),
          names: gradName(c),
          tolerance: ctx.tolerance,
          context: opContext(info, c),
          ...(info.expected ? { expected: (i: number) => info.expected!(c, i) } : {}),
          note: forwardOk(info, c, result, ctx.tolerance)
            ? undefined
            : `(Your forwardCall differs from the reference too, see ${id}.forward; these expected gradients are those of the reference forward.)`,
        }),
      ),
    show: (c) => showOpCase(info, c),
  };
}

function consistentCheck(info: OpInfo): OpCheck {
  const id = `4.${info.name}`;
  return {
    id: `${id}.consistent`,
    title: `${info.name}.backwardCall against finite differences of your own forwardCall (with a correct forwardCall)`,
    points: 0.25,
    // A zero backward agrees with finite differences of a constant forward: the check tells a
    // backward that disagrees with its own forward apart, but earns points only with the forward.
    requires: [`${id}.forward`],
    cases: info.cases,
    ...runsOf(info),
    driver: "autograd.op",
    payload: (c) => opPayload(info, c, "full", true),
    judge: (c, result, ctx) =>
      allOf(gradsProblem(info, c, result), () =>
        judgeSelfConsistency({
          what: info.name,
          names: info.names(c),
          inputs: c.inputs,
          downstream: c.downstream,
          grads: opGrads(c, result),
          probes: opProbes(c),
          probeOutputs: field(result, "probeOutputs"),
          tolerance: ctx.tolerance,
          forwardMatches: forwardOk(info, c, result, ctx.tolerance),
          backwardCheck: `${id}.backward`,
        }),
      ),
    show: (c) => showOpCase(info, c),
  };
}

function immutableCheck(info: OpInfo): OpCheck {
  const id = `4.${info.name}`;
  return {
    id: `${id}.immutable`,
    title: `${info.name}: forwardCall and backwardCall leave their inputs unchanged (with correct values)`,
    points: 0.25,
    requires: [`${id}.forward`, `${id}.backward`],
    cases: info.cases,
    ...runsOf(info),
    driver: "autograd.op",
    payload: (c) => opPayload(info, c, "full"),
    judge: (c, result) => {
      const after = field(result, "after");
      const inputs = field(after, "inputs");
      const names = info.names(c);
      const checks: (() => Verdict)[] = c.inputs.map(
        (t, i) => () =>
          expectUnchanged(
            t,
            Array.isArray(inputs) ? inputs[i] : undefined,
            `${names[i]} given to ${info.name}.forwardCall`,
          ),
      );
      checks.push(() =>
        expectUnchanged(
          c.downstream,
          field(after, "downstream"),
          `the downstream gradient given to ${info.name}.backwardCall`,
        ),
      );
      if (c.arg instanceof Tensor) {
        const arg = c.arg;
        checks.push(() =>
          expectUnchanged(arg, field(after, "arg"), `the labels given to ${info.construct}`),
        );
      }
      return allOf(...checks);
    },
    show: (c) => showOpCase(info, c),
  };
}
