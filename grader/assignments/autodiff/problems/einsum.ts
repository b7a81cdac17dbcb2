/**
 * Problem 5: differentiable einsum (HOMEWORK.md). `new EinSum(spec).forwardCall` must equal the
 * kit's einsum (the public reference forward, reference/forward/einsum.ts); `backwardCall` is
 * compared with the numerical VJP of that reference forward, and, in a separate check, with
 * finite differences of the student's own forwardCall along random directions. The specs and
 * operands are drawn in einsum/einsumCases.ts.
 */
import { type DiagnoseContext, numericalVjp, type Tolerance } from "../../../../checks/index.js";
import { einsumForward, einsumTerms } from "../../../../reference/forward/einsum.js";
import { einsum, sub, type Tensor } from "../../../../reference/tensor/index.js";
import { dot } from "../../../authoring/builders/internal/dot.js";
import {
  fixedStepProbes,
  type Probe,
  probeInputs,
  probeOutputPair,
} from "../../../authoring/builders/internal/probes.js";
import {
  allOf,
  describeResult,
  expectFinite,
  expectShape,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "../../../authoring/judge.js";
import type { CheckDefinition, ProblemDefinition, Verdict } from "../../../authoring/types.js";
import {
  backwardCases,
  type EinsumBackwardCase,
  type EinsumForwardCase,
  forwardCases,
} from "./einsum/einsumCases.js";

/**
 * The expected gradient of operand `i`: the numerical VJP of the kit's einsum. An einsum is
 * linear in every single element of every operand (each term of its sum holds one factor per
 * operand), so central differences are exact for any step; a large step keeps rounding small.
 */
function expectedGradients(testCase: EinsumBackwardCase): Tensor[] {
  const forward = einsumForward(testCase.spec);
  return testCase.operands.map((_, i) =>
    numericalVjp(forward, testCase.operands, testCase.grad, i, { relativeStep: 0.5 }),
  );
}

/**
 * Step of the self-consistency probes x ± h v. An einsum is linear in each operand, so central
 * differences are exact for any step; a large one keeps rounding small.
 */
const PROBE_STEP = 1e-2;

/**
 * The self-consistency probes of a case, each operand along its own direction (the same in the
 * payload and the judge).
 */
const einsumProbes = (testCase: EinsumBackwardCase): Probe[] =>
  fixedStepProbes(testCase.directions, PROBE_STEP);

/** What is special about operand i's subscripts, to explain a wrong gradient. */
function operandNote(spec: string, i: number): string | undefined {
  const { inputs, output } = einsumTerms(spec);
  const term = inputs[i]!;
  const notes: string[] = [];
  const repeated = [...new Set(term)].filter((l) => term.indexOf(l) !== term.lastIndexOf(l));
  if (repeated.length > 0) {
    notes.push(
      `index ${repeated.map((l) => `'${l}'`).join(", ")} is repeated in '${term}': the forward reads only the diagonal, so only diagonal entries get a gradient (the others get 0)`,
    );
  }
  const others = [output, ...inputs.filter((_, j) => j !== i)].join("");
  const alone = [...new Set(term)].filter((l) => !others.includes(l));
  if (alone.length > 0) {
    notes.push(
      `index ${alone.map((l) => `'${l}'`).join(", ")} of '${term}' is in no other operand and not in the output: the forward summed over it, so the gradient is the same along it (it broadcasts)`,
    );
  }
  return notes.length > 0 ? notes.join("; ") : undefined;
}

function withNote(verdict: Verdict, note: string | undefined): Verdict {
  if (verdict.pass || note === undefined) return verdict;
  return fail(`${verdict.message}\n  note: ${note}`);
}

const operandName = (spec: string, i: number) => `operand ${i} ('${einsumTerms(spec).inputs[i]}')`;

/** The gradients list of a backward result, or a failing verdict. */
function gradientList(testCase: EinsumForwardCase, grads: unknown): unknown[] | Verdict {
  const count = testCase.operands.length;
  if (!Array.isArray(grads)) {
    return fail(
      `backwardCall must return an array with one gradient per operand (${count} for '${testCase.spec}'), got ${describeResult(grads)}`,
    );
  }
  if (grads.length !== count) {
    return fail(
      `backwardCall returned ${grads.length} gradient${grads.length === 1 ? "" : "s"} for '${testCase.spec}', which has ${count} operand${count === 1 ? "" : "s"}`,
    );
  }
  return grads;
}

interface ForwardResult {
  out?: unknown;
  operandsAfter?: unknown[];
}

interface BackwardResult extends ForwardResult {
  grads?: unknown;
  probeOutputs?: unknown[];
  gradAfter?: unknown;
}

const GRADIENT_TOLERANCE: Partial<Tolerance> = { atol: 1e-6, rtol: 1e-4 };

const showForward = ({ spec, operands }: EinsumForwardCase) =>
  showValue({ spec, ...Object.fromEntries(operands.map((o, i) => [operandName(spec, i), o])) });

const showBackward = ({ spec, operands, grad }: EinsumBackwardCase) =>
  showValue({
    spec,
    ...Object.fromEntries(operands.map((o, i) => [operandName(spec, i), o])),
    downstreamGrad: grad,
  });

const backwardPayload = ({ spec, operands, grad }: EinsumBackwardCase) => ({
  spec,
  operands,
  grad,
});

const forwardCheck: CheckDefinition<EinsumForwardCase> = {
  id: "5.einsum.forward",
  title: "EinSum.forwardCall: values against the kit's einsum (HOMEWORK specs and generated ones)",
  points: 3,
  runs: 30,
  cases: forwardCases,
  driver: "einsum.forward",
  payload: ({ spec, operands }) => ({ spec, operands }),
  show: showForward,
  judge: ({ spec, operands }, result, context) =>
    withNote(
      expectTensor((result as ForwardResult).out, einsum(spec, ...operands), {
        name: `new EinSum('${spec}').forwardCall(...)`,
        tolerance: context.tolerance,
      }),
      "forwardCall must return exactly what the kit's einsum(spec, ...operands) returns",
    ),
};

const backwardCheck: CheckDefinition<EinsumBackwardCase> = {
  id: "5.einsum.backward",
  title:
    "EinSum.backwardCall: every operand's gradient against finite differences of the kit's einsum (random downstream gradient)",
  points: 3.5,
  runs: 25,
  tolerance: GRADIENT_TOLERANCE,
  cases: backwardCases,
  driver: "einsum.backward",
  payload: backwardPayload,
  show: showBackward,
  judge: (testCase, result, context) => {
    const grads = gradientList(testCase, (result as BackwardResult).grads);
    if (!Array.isArray(grads)) return grads;
    const expected = expectedGradients(testCase);
    const others = (i: number): DiagnoseContext["others"] =>
      expected.flatMap((e, j) =>
        j === i ? [] : [{ name: operandName(testCase.spec, j), expected: e }],
      );
    return allOf(
      ...expected.map(
        (e, i) => () =>
          withNote(
            expectTensor(grads[i], e, {
              name: `gradient of ${operandName(testCase.spec, i)} of '${testCase.spec}'`,
              tolerance: context.tolerance,
              context: { others: others(i) },
            }),
            operandNote(testCase.spec, i),
          ),
      ),
    );
  },
};

/**
 * Self-consistency: for each operand i and its random direction v, the student's gradient
 * predicts d/dt <G, forwardCall(.., x_i + t v, ..)> = <grad_i, v>; the student's own forwardCall
 * at x_i ± h v gives the central difference. Needs no reference, so a failure here means the
 * backward disagrees with the submission's own forward.
 */
const gradcheckCheck: CheckDefinition<EinsumBackwardCase> = {
  id: "5.einsum.consistent",
  title:
    "EinSum.backwardCall agrees with finite differences of your own forwardCall (random directions)",
  points: 1.5,
  runs: 20,
  tolerance: GRADIENT_TOLERANCE,
  requires: ["5.einsum.forward"],
  cases: backwardCases,
  driver: "einsum.backward",
  payload: (testCase) => ({
    ...backwardPayload(testCase),
    probes: probeInputs(testCase.operands, einsumProbes(testCase)),
  }),
  show: (testCase) =>
    `${showBackward(testCase)}\nrandom directions: ${showValue(testCase.directions)}`,
  judge: (testCase, result, context) => {
    const r = result as BackwardResult;
    const grads = gradientList(testCase, r.grads);
    if (!Array.isArray(grads)) return grads;
    const probes = einsumProbes(testCase);
    for (let p = 0; p < probes.length; p++) {
      const probe = probes[p]!;
      const verdict = judgeOperandProbe(
        testCase,
        probe,
        grads[probe.input],
        probeOutputPair(r.probeOutputs, p),
        context.tolerance,
      );
      if (!verdict.pass) return verdict;
    }
    return PASS;
  },
};

/**
 * One operand's probe: its gradient of the operand's shape and finite, the forwardCall's values
 * at x ± h v of the output's shape and finite, then <gradient, v> against their central
 * difference projected onto the downstream gradient.
 */
function judgeOperandProbe(
  testCase: EinsumBackwardCase,
  probe: Probe,
  gradient: unknown,
  [plus, minus]: [unknown, unknown],
  tolerance: Tolerance,
): Verdict {
  const name = operandName(testCase.spec, probe.input);
  const operand = testCase.operands[probe.input]!;
  const shapeVerdict = expectShape(gradient, operand.shape, `gradient of ${name}`);
  if (!shapeVerdict.pass) return shapeVerdict;
  // NaN and Infinity never agree with anything: named here, before any arithmetic (a
  // comparison with <= let Infinity through when the forward was Infinity too).
  const finiteGradient = expectFinite(gradient, `your backwardCall's gradient of ${name}`);
  if (!finiteGradient.pass) {
    return fail(
      `${finiteGradient.message}; NaN and Infinity never agree with finite differences of your forwardCall`,
    );
  }
  for (const [sign, value] of [
    ["+", plus],
    ["-", minus],
  ] as const) {
    const verdict = expectShape(value, testCase.grad.shape, "forwardCall at a perturbed point");
    if (!verdict.pass) return verdict;
    const finite = expectFinite(
      value,
      `your forwardCall at x ${sign} ${probe.h}·v (x: ${name}, v: a random direction)`,
    );
    if (!finite.pass) {
      return fail(
        `${finite.message}: your forward is not finite next to the graded point, so its finite differences say nothing there; NaN and Infinity never pass`,
      );
    }
  }
  return withNote(
    multilinearAgreement(
      testCase,
      probe,
      gradient as Tensor,
      plus as Tensor,
      minus as Tensor,
      tolerance,
    ),
    operandNote(testCase.spec, probe.input),
  );
}

/**
 * <gradient, v> against the central difference sum_j G_j (plus_j - minus_j) / 2h, within
 * atol + rtol |difference| + 1e-9 sum_j |G_j (plus_j - minus_j)| / 2h (the last term: rounding in
 * the sum). Anything that overflows fails, named.
 */
function multilinearAgreement(
  testCase: EinsumBackwardCase,
  { input, direction, h }: Probe,
  gradient: Tensor,
  plus: Tensor,
  minus: Tensor,
  { atol, rtol }: Tolerance,
): Verdict {
  const name = operandName(testCase.spec, input);
  const G = testCase.grad;
  const predicted = dot(gradient.data, direction.data);
  const change = sub(plus, minus).data;
  let numerical = 0;
  let scale = 0;
  for (let j = 0; j < change.length; j++) {
    numerical += (G.data[j]! * change[j]!) / (2 * h);
    scale += Math.abs(G.data[j]! * change[j]!) / (2 * h);
  }
  const bound = atol + rtol * Math.abs(numerical) + 1e-9 * scale;
  const overflow = (
    [
      ["<your gradient, v>", predicted],
      ["the central difference of your forwardCall", numerical],
      ["the difference the tolerance allows", bound],
    ] as const
  ).find(([, v]) => !Number.isFinite(v));
  if (overflow) {
    return fail(
      `along a random direction v of ${name} of '${testCase.spec}', ${overflow[0]} is ${overflow[1]} (values too large to compare); NaN and Infinity never pass`,
    );
  }
  if (!(Math.abs(predicted - numerical) <= bound)) {
    return fail(
      `your backward disagrees with your own forward: along a random direction v of ${name} of '${testCase.spec}', your backwardCall's gradient predicts that <downstreamGrad, forwardCall(...)> changes at the rate <gradient, v> = ${short(predicted)}, but your own forwardCall at x ± ${h}·v gives ${short(numerical)} (this check does not use the reference)`,
    );
  }
  return PASS;
}

/** A number with 6 significant digits, for messages. */
const short = (x: number) => String(Number(x.toPrecision(6)));

const shapeCheck: CheckDefinition<EinsumBackwardCase> = {
  id: "5.einsum.shape",
  title: "EinSum: output and gradient shapes (with correct values)",
  points: 0.5,
  runs: 10,
  requires: ["5.einsum.forward", "5.einsum.backward"],
  cases: backwardCases,
  driver: "einsum.backward",
  payload: backwardPayload,
  show: showBackward,
  judge: (testCase, result) => {
    const r = result as BackwardResult;
    const grads = gradientList(testCase, r.grads);
    if (!Array.isArray(grads)) return grads;
    return allOf(
      expectShape(r.out, testCase.grad.shape, `new EinSum('${testCase.spec}').forwardCall(...)`),
      ...testCase.operands.map(
        (operand, i) => () =>
          expectShape(grads[i], operand.shape, `gradient of ${operandName(testCase.spec, i)}`),
      ),
    );
  },
};

const finiteCheck: CheckDefinition<EinsumBackwardCase> = {
  id: "5.einsum.finite",
  title: "EinSum: finite output and gradients (with correct values)",
  points: 0.5,
  runs: 10,
  requires: ["5.einsum.forward", "5.einsum.backward"],
  cases: backwardCases,
  driver: "einsum.backward",
  payload: backwardPayload,
  show: showBackward,
  judge: (testCase, result) => {
    const r = result as BackwardResult;
    const grads = gradientList(testCase, r.grads);
    if (!Array.isArray(grads)) return grads;
    return allOf(
      expectFinite(r.out, `new EinSum('${testCase.spec}').forwardCall(...)`),
      ...grads.map((g, i) => () => expectFinite(g, `gradient of ${operandName(testCase.spec, i)}`)),
    );
  },
};

const immutableCheck: CheckDefinition<EinsumBackwardCase> = {
  id: "5.einsum.immutable",
  title: "EinSum: operands and downstream gradient left unchanged (with correct values)",
  points: 1,
  runs: 10,
  requires: ["5.einsum.forward", "5.einsum.backward"],
  cases: backwardCases,
  driver: "einsum.backward",
  payload: backwardPayload,
  show: showBackward,
  judge: (testCase, result) => {
    const r = result as BackwardResult;
    return allOf(
      ...testCase.operands.map(
        (operand, i) => () =>
          expectUnchanged(
            operand,
            r.operandsAfter?.[i],
            `${operandName(testCase.spec, i)} (after forwardCall and backwardCall)`,
          ),
      ),
      () =>
        expectUnchanged(testCase.grad, r.gradAfter, "the downstream gradient (after backwardCall)"),
    );
  },
};

export const einsumProblem: ProblemDefinition = {
  id: "5",
  title: "Differentiable einsum",
  module: "einsum",
  points: 10,
  checks: [forwardCheck, backwardCheck, gradcheckCheck, shapeCheck, finiteCheck, immutableCheck],
};
