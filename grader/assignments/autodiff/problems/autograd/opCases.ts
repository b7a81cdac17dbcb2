/**
 * The cases of problem 4's operation checks, operation by operation: inputs of any shape with
 * exact 0, 1 and -1, products with an exact zero planted, problem 1's contractions, Exp entries
 * near ±700 and softmax cross-entropy logits spread by hundreds (issue 14); each finished with a
 * downstream gradient of the output's shape and the seed of its self-consistency probes.
 */
import fc from "fast-check";
import { oneHotLabelsArb, tensorArb, tensorsArb } from "../../../../../checks/index.js";
import {
  exp,
  matrixMultiply,
  maximum,
  power,
  reduceMax,
  relu,
  scalarMultiply,
  softmaxCrossEntropy,
  sum,
  tensordot,
  variableAdd,
  variableMultiply,
} from "../../../../../reference/forward/autograd.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import {
  downstreamArb,
  probeSeedArb,
  scalarDownstreamArb,
} from "../../../../authoring/builders/internal/caseParts.js";
import type { ProbeStep } from "../../../../authoring/builders/internal/probes.js";
import { batchAndWidths, withLargeEntries } from "../shared/caseArbitraries.js";
import { contractCases } from "../shared/contractCases.js";

/** One run of an operation check: the inputs, the constructor's argument, the downstream gradient. */
export interface OpCase {
  inputs: Tensor[];
  /** The constructor's argument: k (TensorDot), p (Power) or labels (SoftmaxCrossEntropy). */
  arg?: number | Tensor;
  downstream: Tensor;
  probeSeed: number;
  /** Inputs with entries of very different magnitudes: how the probes step (see makeProbes). */
  stepPerEntry?: ProbeStep;
}

/**
 * Runs of the contraction checks (TensorDot, tensordot): as many as problem 1's, so each of
 * contractCases' strata (outer products of tensors, k >= 2 with sides >= 2) shows up in every
 * seed (about 1 in 10 million to miss one).
 */
export const CONTRACTION_RUNS = 60;

/** Finishes a case from its inputs: a downstream gradient of the output's shape and a probe seed. */
function withDownstream(
  f: (inputs: Tensor[], arg?: number | Tensor) => Tensor,
  scalarOutput = false,
) {
  return (partial: { inputs: Tensor[]; arg?: number | Tensor }): fc.Arbitrary<OpCase> =>
    fc.record({
      inputs: fc.constant(partial.inputs),
      ...(partial.arg === undefined ? {} : { arg: fc.constant(partial.arg) }),
      downstream: scalarOutput
        ? scalarDownstreamArb
        : downstreamArb(f(partial.inputs, partial.arg).shape),
      probeSeed: probeSeedArb,
    }) as fc.Arbitrary<OpCase>;
}

/** Shapes of rank 0 to 3 with sides 1 to 3. */
export const anyShape = { minRank: 0, maxRank: 3, maxSide: 3 } as const;

/** n tensors of one shape (n from 1 to 4), exact 0, 1 and -1 mixed in. */
const sameShapeInputs = fc
  .integer({ min: 1, max: 4 })
  .chain((count) => tensorsArb({ count, ...anyShape, specialValues: true }));

/** VariableAdd: 1 to 4 inputs of one shape. */
export const variableAddCases = sameShapeInputs
  .map((inputs) => ({ inputs }))
  .chain(withDownstream((xs) => variableAdd(...xs)));

/** Where to plant an exact zero among a product's factors: null (nowhere) in a third of cases. */
export const zeroPlacementArb = fc.option(fc.tuple(fc.nat(), fc.nat()), { freq: 3 });

/** The inputs with entry `at` of input `which` (both taken modulo the sizes) set to 0. */
export function plantZero(inputs: Tensor[], placement: [number, number] | null): Tensor[] {
  if (placement === null) return inputs;
  const [which, at] = placement;
  const t = inputs[which % inputs.length]!;
  if (t.size === 0) return inputs;
  const data = t.data.slice();
  data[at % t.size] = 0;
  return inputs.map((x) => (x === t ? new Tensor(data, t.shape) : x));
}

/** Products get an exact zero planted in 2 of 3 cases: the gradient must not divide. */
export const variableMultiplyCases = fc
  .tuple(sameShapeInputs, zeroPlacementArb)
  .map(([inputs, zero]) => ({ inputs: plantZero(inputs, zero) }))
  .chain(withDownstream((xs) => variableMultiply(...xs)));

/** ScalarMultiply: a scalar s of shape [] and x of any shape. */
export const scalarMultiplyCases = fc
  .tuple(
    tensorArb({ shape: [], specialValues: true }),
    tensorArb({ ...anyShape, specialValues: true }),
  )
  .map(([s, x]) => ({ inputs: [s, x] }))
  .chain(withDownstream(([s, x]) => scalarMultiply(s!, x!)));

/** MatrixMultiply: A [n, k] and B [k, m], sides 1 to 4. */
export const matrixMultiplyCases = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 4 }),
  )
  .chain(([n, k, m]) =>
    fc.tuple(
      tensorArb({ shape: [n, k], specialValues: true }),
      tensorArb({ shape: [k, m], specialValues: true }),
    ),
  )
  .map(([A, B]) => ({ inputs: [A, B] }))
  .chain(withDownstream(([A, B]) => matrixMultiply(A!, B!)));

/**
 * Problem 1's contract cases: k from 0 (outer product) to 3, full-rank contractions, and k >= 2
 * with every side >= 2 forced in a quarter of them (so a wrong pairing of the contracted dims
 * cannot pass).
 */
export const tensorDotCases = contractCases
  .map(({ a, b, k }) => ({ inputs: [a, b], arg: k }))
  .chain(withDownstream(([A, B], k) => tensordot(A!, B!, k as number)));

/** Positive inputs (HOMEWORK), exponents negative, fractional, 0 and 1 included. */
export const powerCases = fc
  .tuple(
    tensorArb({ ...anyShape, min: 0.3, max: 3 }),
    fc.constantFrom(2, 3, -1, 0.5, -0.5, 1.5, 1, 0, -2),
  )
  .map(([x, p]) => ({ inputs: [x], arg: p }))
  .chain(withDownstream(([x], p) => power(x!, p as number)));

const ordinaryExpCases = tensorArb({ ...anyShape, specialValues: true })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => exp(x!)));

/**
 * Exp takes any real x, and e^x is finite up to x = 709.78 (HOMEWORK). Ordinary values with
 * about half the entries replaced by ±600 to ±700, always one positive: e^700 is 1e304, so an
 * input clamped "against overflow" or an output kept in a Float32Array (Infinity above 88.7)
 * is wrong there. Downstream values stay within ±2, so e^x times them stays finite too.
 */
const largeExpCases: fc.Arbitrary<OpCase> = tensorArb({
  minRank: 1,
  maxRank: 3,
  maxSide: 3,
  min: -3,
  max: 3,
  specialValues: true,
})
  .chain((x) => withLargeEntries(x, 600, 700))
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => exp(x!)))
  // Every entry steps by at most 6e-6 whatever its size: the third derivative of e^x over its
  // first is 1 everywhere, so a step scaled to |x| = 700 would only add error.
  .map((c) => ({ ...c, stepPerEntry: "unit" as const }));

/** One Exp case in three has entries near ±700 (25 runs: all miss 1 time in 25000). */
export const expCases: fc.Arbitrary<OpCase> = fc.oneof(
  { arbitrary: ordinaryExpCases, weight: 2 },
  { arbitrary: largeExpCases, weight: 1 },
);

/** At least 1e-3 away from the kink at 0, far more than the finite-difference step. */
export const reluCases = tensorArb({ ...anyShape, kinks: [0] })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => relu(x!)));

/**
 * n inputs of one shape whose values are all pairwise at least 0.01 apart (no ties, so the
 * maximum is differentiable and finite differences never cross a tie).
 */
export const maximumCases = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }))
  .chain(([n, shape]) => tensorArb({ shape: [n, ...shape], distinctBy: 0.01 }))
  .map((stacked) => {
    const [n, ...shape] = stacked.shape;
    const size = stacked.size / n!;
    const inputs = Array.from(
      { length: n! },
      (_, i) => new Tensor(stacked.data.slice(i * size, (i + 1) * size), shape),
    );
    return { inputs };
  })
  .chain(withDownstream((xs) => maximum(...xs)));

/** ReduceMax: entries pairwise at least 0.01 apart (one maximum, no tie to cross). */
export const reduceMaxCases = tensorArb({ ...anyShape, distinctBy: 0.01 })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => reduceMax(x!), true));

/** Sum: any shape, exact 0, 1 and -1 mixed in. */
export const sumCases = tensorArb({ ...anyShape, specialValues: true })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => sum(x!), true));

const smallLogitCases = batchAndWidths(1)
  .chain(({ batch, widths }) =>
    fc.tuple(
      tensorArb({ shape: [batch, widths[0]!] }),
      oneHotLabelsArb({ batch, classes: widths[0]! }),
    ),
  )
  .map(([logits, labels]) => ({ inputs: [logits], arg: labels }))
  .chain(
    withDownstream(([logits], labels) => softmaxCrossEntropy(logits!, labels as Tensor), true),
  );

/**
 * Logits whose rows spread several hundred: ordinary logits with one entry in about half the
 * rows (always row 0) moved to ±750 to ±850, labels anywhere (on a large entry too). The loss
 * stays finite (up to about 850 when the label sits on a -800), but e^x of an unshifted logit
 * overflows above 709.78, and so does a softmax shifted by anything but the row maximum.
 * Probes step entry by entry, so the ordinary logits keep their small step.
 */
const spreadLogitCases = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }))
  .chain(([batch, c]) =>
    fc.tuple(
      tensorArb({ shape: [batch, c] }),
      oneHotLabelsArb({ batch, classes: c }),
      fc.array(
        fc.tuple(
          fc.boolean(),
          fc.nat({ max: c - 1 }),
          fc.double({ min: 750, max: 850, noNaN: true }),
          fc.boolean(),
        ),
        { minLength: batch, maxLength: batch },
      ),
    ),
  )
  .map(([logits, labels, rows]) => {
    const c = logits.shape[1]!;
    const data = logits.data.slice();
    rows.forEach(([spread, column, magnitude, negative], row) => {
      // Row 0 always spreads, with a positive entry: the one that overflows an unshifted e^x.
      if (row === 0) data[column] = magnitude;
      else if (spread) data[row * c + column] = negative ? -magnitude : magnitude;
    });
    return { inputs: [new Tensor(data, logits.shape)], arg: labels };
  })
  .chain(withDownstream(([logits], labels) => softmaxCrossEntropy(logits!, labels as Tensor), true))
  .map((c) => ({ ...c, stepPerEntry: true }));

/** One case in three has widely spread logits (25 runs: all miss 1 time in 25000). */
export const softmaxCrossEntropyCases: fc.Arbitrary<OpCase> = fc.oneof(
  { arbitrary: smallLogitCases, weight: 2 },
  { arbitrary: spreadLogitCases, weight: 1 },
);
