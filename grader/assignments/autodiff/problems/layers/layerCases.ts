/**
 * The cases of problem 3's layer checks, layer by layer: ordinary values with exact 0, 1 and -1,
 * batches equal to or different from the widths, and the extreme inputs of issue 14 (entries
 * near ±800 for Sigmoid and SoftMax, exact zeros and probabilities down to 1e-300 for
 * CrossEntropy).
 */
import fc from "fast-check";
import { oneHotLabelsArb, tensorArb } from "../../../../../checks/index.js";
import { softmax } from "../../../../../reference/forward/layers.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import {
  downstreamArb,
  probeSeedArb,
  scalarDownstreamArb,
} from "../../../../authoring/builders/internal/caseParts.js";
import type { ProbeStep } from "../../../../authoring/builders/internal/probes.js";
import { batchAndWidths, withLargeEntries } from "../shared/caseArbitraries.js";
import { extremeSoftmaxInputs } from "../shared/softmaxRows.js";
import type { ProblemLayerCase } from "./layerCase.js";

/** Tensors of `shape` with values in [-3, 3], exact 0, 1 and -1 mixed in (and `extra`). */
export const valueTensor = (
  shape: readonly number[],
  extra: Parameters<typeof tensorArb>[0] = {},
) => tensorArb({ shape, specialValues: true, ...extra });

/** Linear: X [B, n] and W [n, m]. */
export const linearCases: fc.Arbitrary<ProblemLayerCase> = batchAndWidths(2).chain(
  ({ batch, widths }) => {
    const [n, m] = widths as [number, number];
    return fc.record({
      inputs: fc.tuple(valueTensor([batch, n]), valueTensor([n, m])),
      downstream: downstreamArb([batch, m]),
      probeSeed: probeSeedArb,
    });
  },
);

/** Bias: X [B, m] and b [m]. */
export const biasCases: fc.Arbitrary<ProblemLayerCase> = batchAndWidths(1).chain(
  ({ batch, widths }) => {
    const m = widths[0]!;
    return fc.record({
      inputs: fc.tuple(valueTensor([batch, m]), valueTensor([m])),
      downstream: downstreamArb([batch, m]),
      probeSeed: probeSeedArb,
    });
  },
);

/** Any shape (rank 0 to 3, sides 1 to 4), values from `extra`. */
export function elementwiseCases(
  extra: Parameters<typeof tensorArb>[0],
): fc.Arbitrary<ProblemLayerCase> {
  return elementwiseCasesOf(tensorArb({ minRank: 0, maxRank: 3, maxSide: 4, ...extra }));
}

function elementwiseCasesOf(
  inputs: fc.Arbitrary<Tensor>,
  stepPerEntry = false,
): fc.Arbitrary<ProblemLayerCase> {
  return inputs.chain((x) =>
    fc.record({
      inputs: fc.constant([x] as Tensor[]),
      downstream: downstreamArb(x.shape),
      probeSeed: probeSeedArb,
      stepPerEntry: fc.constant(stepPerEntry),
    }),
  );
}

/**
 * Sigmoid takes any real x. Ordinary values (rank 1 to 3) with about half the entries replaced by
 * ±720 to ±800, and always one positive: there 1 / (1 + e^-x) gives 1 (and 0 for the negative
 * ones), while e^x / (1 + e^x) overflows to Infinity / Infinity = NaN above x = 709.78. The
 * derivative there is 0 (e^-720 is below the smallest double), so finite differences stay exact.
 */
const largeSigmoidInputs: fc.Arbitrary<Tensor> = tensorArb({
  minRank: 1,
  maxRank: 3,
  maxSide: 4,
  min: -5,
  max: 5,
  specialValues: true,
}).chain((x) => withLargeEntries(x, 720, 800));

/** One Sigmoid case in three has entries of large magnitude (25 runs: all miss 1 time in 25000). */
export const sigmoidCases: fc.Arbitrary<ProblemLayerCase> = fc.oneof(
  { arbitrary: elementwiseCases({ min: -5, max: 5, specialValues: true }), weight: 2 },
  { arbitrary: elementwiseCasesOf(largeSigmoidInputs, true), weight: 1 },
);

const ordinarySoftmaxCases: fc.Arbitrary<ProblemLayerCase> = batchAndWidths(1).chain(
  ({ batch, widths }) => {
    const c = widths[0]!;
    return fc.record({
      inputs: fc.tuple(valueTensor([batch, c])),
      downstream: downstreamArb([batch, c]),
      probeSeed: probeSeedArb,
    });
  },
);

const extremeSoftmaxCases: fc.Arbitrary<ProblemLayerCase> = extremeSoftmaxInputs(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 1, max: 4 }),
).chain((x) =>
  fc.record({
    inputs: fc.constant([x]),
    downstream: downstreamArb(x.shape),
    probeSeed: probeSeedArb,
    stepPerEntry: fc.constant<ProbeStep>("unit"),
    finiteDifferences: fc.constant<"shift-rows">("shift-rows"),
  }),
);

/** One SoftMax case in three has rows of large magnitude (25 runs: all miss 1 time in 25000). */
export const softmaxCases: fc.Arbitrary<ProblemLayerCase> = fc.oneof(
  { arbitrary: ordinarySoftmaxCases, weight: 2 },
  { arbitrary: extremeSoftmaxCases, weight: 1 },
);

const positiveCrossEntropyCases: fc.Arbitrary<ProblemLayerCase> = batchAndWidths(1).chain(
  ({ batch, widths }) => {
    const c = widths[0]!;
    return fc.record({
      // Probabilities: softmax of logits in [-2, 2], so every entry is at least about 0.004.
      inputs: fc.tuple(tensorArb({ shape: [batch, c], min: -2, max: 2 }).map(softmax)),
      constants: fc.tuple(oneHotLabelsArb({ batch, classes: c })),
      downstream: scalarDownstreamArb,
      probeSeed: probeSeedArb,
    });
  },
);

/**
 * P with exact zeros away from the labels (at least one, in row 0), rows still summing to 1: the
 * softmax of logits in [-2, 2] with some unlabelled logits set to -1000, which underflows to an
 * exact 0, as a softmax of widely spread logits does. The loss reads only P[b, y_b] (HOMEWORK),
 * so these are valid inputs, and its gradient is 0 at the zeros; -sum(Y * log P) gives
 * 0 * log 0 = NaN there, and -Y / (B P) gives 0 / 0 = NaN. The finite differences move a zero to
 * ±6e-6, which the loss does not read either.
 */
const zeroOffLabelCrossEntropyCases: fc.Arbitrary<ProblemLayerCase> = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }))
  .chain(([batch, c]) =>
    fc.record({
      labels: oneHotLabelsArb({ batch, classes: c }),
      logits: tensorArb({ shape: [batch, c], min: -2, max: 2 }),
      zeroed: fc.array(fc.boolean(), { minLength: batch * c, maxLength: batch * c }),
      alwaysZeroed: fc.nat({ max: c - 2 }),
      downstream: scalarDownstreamArb,
      probeSeed: probeSeedArb,
    }),
  )
  .map(({ labels, logits, zeroed, alwaysZeroed, downstream, probeSeed }) => {
    const c = labels.shape[1]!;
    const data = logits.data.slice();
    // Row 0's unlabelled columns, in order: the alwaysZeroed-th of them is set.
    const unlabelledInRow0 = [...Array(c).keys()].filter((k) => labels.data[k] === 0);
    data[unlabelledInRow0[alwaysZeroed]!] = -1000;
    zeroed.forEach((zero, k) => {
      if (zero && labels.data[k] === 0) data[k] = -1000;
    });
    const P = softmax(new Tensor(data, logits.shape));
    return { inputs: [P], constants: [labels], downstream, probeSeed };
  });

/**
 * P with tiny but positive probabilities on the label (HOMEWORK: down to 1e-300; the loss is
 * exactly -log p, no epsilon, no clipping): row 0's labelled entry is 10^-e with e from 13 to 300
 * (1e-300 itself in a quarter of the cases), every other row's too with probability 1/2; the rest
 * of a row's mass goes to its unlabelled entries, some of them exact zeros (never all). -log(p +
 * 1e-9) or -log(max(p, 1e-12)) is off by 6.9 or more there. The expected gradient (up to 3e300) is
 * taken with a step of 6e-6 |p| per entry, and so are the self-consistency probes.
 */
export const tinyCrossEntropyCases: fc.Arbitrary<ProblemLayerCase> = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }))
  .chain(([batch, c]) =>
    fc.record({
      labels: oneHotLabelsArb({ batch, classes: c }),
      logits: tensorArb({ shape: [batch, c], min: -2, max: 2 }),
      rows: fc.array(
        fc.record({
          tiny: fc.boolean(),
          exponent: fc.oneof(
            { arbitrary: fc.constant(300), weight: 1 },
            { arbitrary: fc.double({ min: 13, max: 300, noNaN: true }), weight: 3 },
          ),
          zeroed: fc.array(fc.boolean(), { minLength: c, maxLength: c }),
        }),
        { minLength: batch, maxLength: batch },
      ),
      downstream: scalarDownstreamArb,
      probeSeed: probeSeedArb,
    }),
  )
  .map(({ labels, logits, rows, downstream, probeSeed }) => {
    const [batch, c] = labels.shape as [number, number];
    const data = softmax(logits).data.slice();
    for (let b = 0; b < batch; b++) {
      const row = rows[b]!;
      if (b !== 0 && !row.tiny) continue;
      const label = [...Array(c).keys()].find((k) => labels.data[b * c + k] !== 0)!;
      const p = 10 ** -row.exponent;
      const others = [...Array(c).keys()].filter((k) => k !== label);
      // The first unlabelled entry always keeps some mass; the others may be exact zeros.
      const kept = others.filter((k, i) => i === 0 || !row.zeroed[k]);
      const weights = kept.map((k) => Math.exp(logits.data[b * c + k]!));
      const total = weights.reduce((a, w) => a + w, 0);
      for (let k = 0; k < c; k++) data[b * c + k] = 0;
      data[b * c + label] = p;
      kept.forEach((k, i) => {
        data[b * c + k] = ((1 - p) * weights[i]!) / total;
      });
    }
    return {
      inputs: [new Tensor(data, labels.shape)],
      constants: [labels],
      downstream,
      probeSeed,
      stepPerEntry: "relative" as const,
      finiteDifferences: "relative" as const,
    };
  });

/**
 * CrossEntropy cases: ordinary probabilities, exact zeros off the labels, and tiny probabilities
 * on the labels, one in three each (25 runs: a stratum is missed 1 time in 25000).
 */
export const crossEntropyCases: fc.Arbitrary<ProblemLayerCase> = fc.oneof(
  { arbitrary: positiveCrossEntropyCases, weight: 1 },
  { arbitrary: zeroOffLabelCrossEntropyCases, weight: 1 },
  { arbitrary: tinyCrossEntropyCases, weight: 1 },
);
