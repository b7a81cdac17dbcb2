/**
 * Problem 5: differentiable einsum (HOMEWORK.md). `new EinSum(spec).forwardCall` must equal the
 * kit's einsum (the public reference forward, reference/forward/einsum.ts); `backwardCall` is
 * compared with the numerical VJP of that reference forward, and, in a separate check, with
 * finite differences of the student's own forwardCall along random directions.
 *
 * Specs are explicit (`->`), without spaces or `...`: the five of HOMEWORK.md with random sizes,
 * a few whose indices are out of alphabetical order (sizes >= 2), generated ones whose labels are
 * random letters of both cases (repeated indices inside an operand, indices summed away, 0-d
 * operands), and generated ones in which a letter appears in both cases ('i' and 'I', different
 * labels; sizes >= 2, at most 3 subscripts per operand).
 */
import fc from "fast-check";
import {
  type DiagnoseContext,
  einsumCaseArb,
  numericalVjp,
  type Tolerance,
  tensorArb,
} from "../../../../checks/index.js";
import { einsumForward, einsumTerms } from "../../../../reference/forward/einsum.js";
import { add, einsum, mul, sub, type Tensor } from "../../../../reference/tensor/index.js";
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

/** The specs of HOMEWORK.md, always among the cases. */
export const HOMEWORK_SPECS = [
  "ij,jk->ik",
  "iii->i",
  "ij,ikk,il->kj",
  "hihk,okh,oo->ko",
  "Ij,jK->IK",
] as const;

export interface EinsumForwardCase {
  spec: string;
  operands: Tensor[];
}

export interface EinsumBackwardCase extends EinsumForwardCase {
  /** The downstream gradient: random values, shape of the output. */
  grad: Tensor;
  /** One random direction per operand (values in [-1, 1]) for the self-consistency check. */
  directions: Tensor[];
}

/** Values from [-3, 3] with exact 0, 1 and -1 mixed in. */
const VALUES = { specialValues: true } as const;

/**
 * Specs whose operands and output list their indices out of alphabetical order (with a
 * diagonal and a summed index among them): a gradient whose axes come back in any order but the
 * operand's own is wrong in shape or values here, since every size is at least 2.
 */
export const UNSORTED_SPECS = ["ba->ab", "ji,kj->ik", "cab,bc->ca", "zyx,xz->yz", "kjj,jk->k"];

/**
 * Operands for a fixed spec: a size of minSide..3 per label (default 1..3), shared by every
 * operand that has it.
 */
function fixedSpecArb(spec: string, minSide = 1): fc.Arbitrary<EinsumForwardCase> {
  const { inputs } = einsumTerms(spec);
  const labels = [...new Set(inputs.join(""))];
  return fc
    .array(fc.integer({ min: minSide, max: 3 }), {
      minLength: labels.length,
      maxLength: labels.length,
    })
    .chain((sides) => {
      const size = new Map(labels.map((label, i) => [label, sides[i]!]));
      const operandArbs = inputs.map((term) =>
        tensorArb({ shape: [...term].map((label) => size.get(label)!), ...VALUES }),
      );
      return fc.tuple(...operandArbs).map((operands) => ({ spec, operands }));
    });
}

/**
 * Renames the labels of a spec with lower-case labels (einsumCaseArb's): 'a' becomes
 * letters[0], 'b' letters[1], ... (the new names may be any letters, of either case).
 */
export function relabelSpec(spec: string, letters: readonly string[]): string {
  return spec.replace(/[a-z]/g, (label) => {
    const renamed = letters[label.charCodeAt(0) - 97];
    if (renamed === undefined)
      throw new Error(`relabelSpec: no new name for '${label}' in ${spec}`);
    return renamed;
  });
}

const LOWER = [..."abcdefghijklmnopqrstuvwxyz"];

/**
 * The labels of graded specs (HOMEWORK.md): letters, lower or upper case; 'i' and 'I' are
 * different labels.
 */
export const LABEL_ALPHABET: readonly string[] = [...LOWER, ...LOWER.map((l) => l.toUpperCase())];

/**
 * Generated cases (einsumCaseArb names labels 'a', 'b', ... in order of first appearance, so the
 * first operand's would always be sorted) with their labels renamed to 5 random distinct
 * letters of either case, in random order: any operand, and the output, may list its indices in
 * any order, and most specs have an upper-case label (a parser that knows only 'a'-'z' fails).
 */
function generatedArb(minRankPerOperand: number): fc.Arbitrary<EinsumForwardCase> {
  return fc
    .tuple(
      einsumCaseArb({ minRankPerOperand, maxLabels: 5, ...VALUES }),
      fc.shuffledSubarray([...LABEL_ALPHABET], { minLength: 5, maxLength: 5 }),
    )
    .map(([{ spec, operands }, letters]) => ({ spec: relabelSpec(spec, letters), operands }));
}

/**
 * Generated cases in which one letter names two labels, once lower and once upper case (such as
 * 'iI,Ij->ji'): every size is at least 2, so code that merges 'i' and 'I' (a lower-cased spec, a
 * case-insensitive table) reads a diagonal, or a wrong size, or throws. einsumCaseArb names its
 * first two labels 'a' and 'b'; they become the pair (in random order), the others random letters
 * of random case.
 */
const casePairArb: fc.Arbitrary<EinsumForwardCase> = fc
  .tuple(
    einsumCaseArb({
      minRankPerOperand: 1,
      maxRankPerOperand: 3,
      maxLabels: 4,
      minSide: 2,
      ...VALUES,
    }).filter((c) => c.spec.includes("b")),
    fc.shuffledSubarray(LOWER, { minLength: 3, maxLength: 3 }),
    fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  )
  .map(([{ spec, operands }, [pair, ...others], upper]) => {
    const [lower, capital] = [pair!, pair!.toUpperCase()];
    const letters = [
      ...(upper[0] ? [capital, lower] : [lower, capital]),
      ...others.map((l, i) => (upper[i + 1] ? l.toUpperCase() : l)),
    ];
    return { spec: relabelSpec(spec, letters), operands };
  });

const forwardCases: fc.Arbitrary<EinsumForwardCase> = fc.oneof(
  { arbitrary: fc.oneof(...HOMEWORK_SPECS.map((spec) => fixedSpecArb(spec))), weight: 2 },
  { arbitrary: fc.oneof(...UNSORTED_SPECS.map((spec) => fixedSpecArb(spec, 2))), weight: 1 },
  { arbitrary: generatedArb(1), weight: 3 },
  // 0-d operands and specs such as 'a,->' too.
  { arbitrary: generatedArb(0), weight: 1 },
  // 'i' and 'I' in one spec: 3 in 10 of the cases, so the 30 runs of the forward check all miss
  // this stratum with a chance of about 1 in 45 000, the 25 of backward 1 in 7 500 and the 20
  // of consistent 1 in 1 250 (the generated strata above draw such pairs too; einsum.test.ts
  // checks that every check draws one under grading seeds 1-50 and the assignment's).
  { arbitrary: casePairArb, weight: 3 },
);

const backwardCases: fc.Arbitrary<EinsumBackwardCase> = forwardCases.chain((testCase) =>
  fc
    .record({
      grad: tensorArb({
        shape: einsum(testCase.spec, ...testCase.operands).shape,
        min: -2,
        max: 2,
      }),
      directions: fc.tuple(
        ...testCase.operands.map((operand) => tensorArb({ shape: operand.shape, min: -1, max: 1 })),
      ),
    })
    .map(({ grad, directions }) => ({ ...testCase, grad, directions })),
);

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

/** Step of the self-consistency probes x ± h v. */
const PROBE_STEP = 1e-2;

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
    probes: testCase.operands.flatMap((operand, i) =>
      [PROBE_STEP, -PROBE_STEP].map((h) =>
        testCase.operands.map((o, j) =>
          j === i ? add(operand, mul(testCase.directions[i]!, h)) : o,
        ),
      ),
    ),
  }),
  show: (testCase) =>
    `${showBackward(testCase)}\nrandom directions: ${showValue(testCase.directions)}`,
  judge: (testCase, result, context) => {
    const r = result as BackwardResult;
    const grads = gradientList(testCase, r.grads);
    if (!Array.isArray(grads)) return grads;
    const { atol, rtol } = context.tolerance;
    const G = testCase.grad;
    for (let i = 0; i < testCase.operands.length; i++) {
      const name = operandName(testCase.spec, i);
      const gradient = grads[i];
      const operand = testCase.operands[i]!;
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
      const plus = r.probeOutputs?.[2 * i];
      const minus = r.probeOutputs?.[2 * i + 1];
      for (const [sign, value] of [
        ["+", plus],
        ["-", minus],
      ] as const) {
        const verdict = expectShape(value, G.shape, "forwardCall at a perturbed point");
        if (!verdict.pass) return verdict;
        const finite = expectFinite(
          value,
          `your forwardCall at x ${sign} ${PROBE_STEP}·v (x: ${name}, v: a random direction)`,
        );
        if (!finite.pass) {
          return fail(
            `${finite.message}: your forward is not finite next to the graded point, so its finite differences say nothing there; NaN and Infinity never pass`,
          );
        }
      }
      const direction = testCase.directions[i]!;
      const predicted = dot((gradient as Tensor).data, direction.data);
      const change = sub(plus as Tensor, minus as Tensor).data;
      let numerical = 0;
      let scale = 0;
      for (let j = 0; j < change.length; j++) {
        numerical += (G.data[j]! * change[j]!) / (2 * PROBE_STEP);
        scale += Math.abs(G.data[j]! * change[j]!) / (2 * PROBE_STEP);
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
        return withNote(
          fail(
            `along a random direction v of ${name} of '${testCase.spec}', ${overflow[0]} is ${overflow[1]} (values too large to compare); NaN and Infinity never pass`,
          ),
          operandNote(testCase.spec, i),
        );
      }
      if (!(Math.abs(predicted - numerical) <= bound)) {
        return withNote(
          fail(
            `your backward disagrees with your own forward: along a random direction v of ${name} of '${testCase.spec}', your backwardCall's gradient predicts that <downstreamGrad, forwardCall(...)> changes at the rate <gradient, v> = ${short(predicted)}, but your own forwardCall at x ± ${PROBE_STEP}·v gives ${short(numerical)} (this check does not use the reference)`,
          ),
          operandNote(testCase.spec, i),
        );
      }
    }
    return PASS;
  },
};

/** A number with 6 significant digits, for messages. */
const short = (x: number) => String(Number(x.toPrecision(6)));

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}

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
