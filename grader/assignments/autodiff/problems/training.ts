/**
 * Problem 6: training a classifier (HOMEWORK.md). sgdStep and accuracy on their own, then the
 * reference training driver (reference/forward/trainClassifier.ts) run with the submission's
 * layers, forwardLayers, backwardLayers and sgdStep on the seeded 3-class data set.
 */
import fc from "fast-check";
import { oneHotLabelsArb, tensorArb } from "../../../../checks/index.js";
import { softmax } from "../../../../reference/forward/layers.js";
import { threeClassDataset } from "../../../../reference/forward/threeClassDataset.js";
import { argmaxAccuracy } from "../../../../reference/forward/trainClassifier.js";
import { mul, sub, Tensor } from "../../../../reference/tensor/index.js";
import { field } from "../../../authoring/builders/internal/field.js";
import {
  allOf,
  describeResult,
  expectFinite,
  expectNumber,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "../../../authoring/judge.js";
import type { CheckDefinition, ProblemDefinition, Verdict } from "../../../authoring/types.js";
import type { AccuracyPayload, SgdPayload, TrainPayload } from "../drivers/training.js";
import { batchAndWidths } from "./shared/caseArbitraries.js";

// ---------------------------------------------------------------------------------------------
// sgdStep
// ---------------------------------------------------------------------------------------------

type SgdLayer =
  | { kind: "trained"; parameter: Tensor; grad: Tensor }
  | { kind: "no grad yet"; parameter: Tensor }
  | { kind: "no parameter" };

interface SgdCase {
  layers: SgdLayer[];
  lr: number;
}

const trainedLayer: fc.Arbitrary<SgdLayer> = tensorArb({
  minRank: 1,
  maxRank: 2,
  maxSide: 4,
  specialValues: true,
}).chain((parameter) =>
  tensorArb({ shape: parameter.shape, specialValues: true }).map(
    (grad): SgdLayer => ({ kind: "trained", parameter, grad }),
  ),
);

const sgdCases: fc.Arbitrary<SgdCase> = fc.record({
  layers: fc
    .tuple(
      trainedLayer,
      fc.array(
        fc.oneof(
          { arbitrary: trainedLayer, weight: 3 },
          {
            arbitrary: tensorArb({ minRank: 1, maxRank: 2, maxSide: 3 }).map(
              (parameter): SgdLayer => ({ kind: "no grad yet", parameter }),
            ),
            weight: 1,
          },
          { arbitrary: fc.constant<SgdLayer>({ kind: "no parameter" }), weight: 1 },
        ),
        { maxLength: 4 },
      ),
    )
    .map(([first, rest]) => [first, ...rest]),
  lr: fc.constantFrom(0.5, 0.1, 0.05, 1, 0.3),
});

function sgdPayload(c: SgdCase): SgdPayload {
  return {
    lr: c.lr,
    layers: c.layers.map((l) =>
      l.kind === "trained"
        ? { parameter: l.parameter, grad: l.grad }
        : l.kind === "no grad yet"
          ? { parameter: l.parameter, grad: null }
          : {},
    ),
  };
}

function showSgd(c: SgdCase): string {
  return `sgdStep(layers, ${c.lr}) with layers\n${showValue(
    c.layers.map((l) =>
      l.kind === "trained"
        ? { parameter: l.parameter, grad: l.grad }
        : l.kind === "no grad yet"
          ? { parameter: l.parameter, grad: "null" }
          : { parameter: "none" },
    ),
  )}`;
}

const sgdChecks: CheckDefinition<SgdCase>[] = [
  {
    id: "6.sgdStep",
    title: "sgdStep sets every trained layer's parameter to parameter - lr * grad",
    points: 0.75,
    cases: sgdCases,
    driver: "training.sgdStep",
    payload: sgdPayload,
    judge: (c, result, ctx) => {
      const parameters = field(result, "parameters");
      if (!Array.isArray(parameters) || parameters.length !== c.layers.length) {
        return fail(
          `could not read the layers' parameters after sgdStep (${describeResult(parameters)})`,
        );
      }
      const checks = c.layers.map((layer, i) => (): Verdict => {
        if (layer.kind === "no parameter") {
          return parameters[i] === null
            ? PASS
            : fail(
                `layer ${i} has no parameter, but sgdStep gave it one (${describeResult(parameters[i])})`,
              );
        }
        if (layer.kind === "no grad yet") {
          return expectTensor(parameters[i], layer.parameter, {
            name: `layer ${i}, whose grad is null, must keep its parameter: its parameter after sgdStep`,
            tolerance: { atol: 0, rtol: 0 },
          });
        }
        const expected = sub(layer.parameter, mul(c.lr, layer.grad));
        const verdict = expectTensor(parameters[i], expected, {
          name: `layer ${i}'s parameter after sgdStep(layers, ${c.lr}) (expected parameter - lr * grad)`,
          tolerance: ctx.tolerance,
        });
        if (verdict.pass) return verdict;
        const ascent = sub(layer.parameter, mul(-c.lr, layer.grad));
        return expectTensor(parameters[i], ascent, { name: "", tolerance: ctx.tolerance }).pass
          ? fail(
              `${verdict.message}\n  hint: the result is parameter + lr * grad; a descent step subtracts the gradient`,
            )
          : verdict;
      });
      return allOf(...checks);
    },
    show: showSgd,
  },
  {
    id: "6.sgdStep.immutable",
    title:
      "sgdStep replaces parameters with new tensors, the old ones and the grads left unchanged (with correct values)",
    points: 0.25,
    requires: ["6.sgdStep"],
    cases: sgdCases,
    driver: "training.sgdStep",
    payload: sgdPayload,
    judge: (c, result) => {
      const before = field(result, "before");
      const kept = field(result, "kept");
      const checks: (() => Verdict)[] = [];
      c.layers.forEach((layer, i) => {
        if (layer.kind !== "trained") return;
        const read = Array.isArray(before) ? before[i] : undefined;
        checks.push(
          () =>
            expectUnchanged(
              layer.parameter,
              field(read, "parameter"),
              `layer ${i}'s old parameter (it may be the very W the caller passed to new Linear(W))`,
            ),
          () => expectUnchanged(layer.grad, field(read, "grad"), `layer ${i}'s grad`),
          () =>
            Array.isArray(kept) && kept[i] === true
              ? fail(
                  `layer ${i}'s parameter is still the old tensor object after sgdStep; set layer.parameter to a new tensor`,
                )
              : PASS,
        );
      });
      return allOf(...checks);
    },
    show: showSgd,
  },
];

// ---------------------------------------------------------------------------------------------
// accuracy
// ---------------------------------------------------------------------------------------------

interface AccuracyCase {
  probabilities: Tensor;
  labels: Tensor;
}

/** Rows of distinct probabilities (softmax of logits 0.05 apart: no ties in the arg-max). */
const accuracyCases: fc.Arbitrary<AccuracyCase> = batchAndWidths(1).chain(({ batch, widths }) => {
  const classes = Math.max(2, widths[0]!);
  return fc.record({
    probabilities: fc
      .array(tensorArb({ shape: [classes], distinctBy: 0.05 }), {
        minLength: batch,
        maxLength: batch,
      })
      .map((rows) => {
        const data = new Float64Array(batch * classes);
        rows.forEach((row, r) => {
          data.set(row.data, r * classes);
        });
        return softmax(new Tensor(data, [batch, classes]));
      }),
    labels: oneHotLabelsArb({ batch, classes }),
  });
});

function argmaxRow(t: Tensor, row: number): number {
  const width = t.shape[1]!;
  let best = 0;
  for (let c = 1; c < width; c++)
    if (t.data[row * width + c]! > t.data[row * width + best]!) best = c;
  return best;
}

const accuracyCheck: CheckDefinition<AccuracyCase> = {
  id: "6.accuracy",
  title: "accuracy(probabilities, labels) on generated probabilities and one-hot labels",
  points: 1,
  cases: accuracyCases,
  driver: "training.accuracy",
  payload: (c): AccuracyPayload => ({ probabilities: c.probabilities, labels: c.labels }),
  judge: (c, result, ctx) => {
    const rows = c.labels.shape[0]!;
    let hits = 0;
    for (let r = 0; r < rows; r++)
      if (argmaxRow(c.probabilities, r) === argmaxRow(c.labels, r)) hits++;
    return expectNumber(result, hits / rows, {
      name: `accuracy(probabilities, labels) (${hits} of ${rows} rows right)`,
      tolerance: ctx.tolerance,
    });
  },
  show: (c) => `accuracy(probabilities, labels) with\n${showValue(c)}`,
};

// ---------------------------------------------------------------------------------------------
// Training the classifier
// ---------------------------------------------------------------------------------------------

/** The data-set seeds the training check draws from (one per graded run). */
export const TRAINING_SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/**
 * Held-out accuracy of the staff solution (reference/solution) under trainClassifier's defaults
 * (hidden 32, 60 epochs, batches of 20, lr 0.5), per seed 1..20, measured once:
 *   0.980 0.997 0.987 0.990 0.990 0.977 0.973 0.977 0.990 0.990
 *   0.967 0.980 0.980 0.980 0.967 0.980 0.977 0.977 0.967 0.980
 * The minimum is 290 / 300 = 0.967 (seeds 11, 15 and 19).
 */
export const REFERENCE_ACCURACY = 290 / 300;

/**
 * How far below the reference a submission may end: 0.1, i.e. about 30 of the 300 held-out
 * points. Correct implementations that differ in rounding (einsum instead of matmul, a
 * log-sum-exp softmax) land within a point or two of the reference; a network that has not
 * learned the spirals (a linear fit, a wrong gradient, ascent instead of descent) stays far below.
 */
export const ACCURACY_MARGIN = 0.1;

export const REQUIRED_ACCURACY = REFERENCE_ACCURACY - ACCURACY_MARGIN;

/**
 * Training runs the student's layers, so an error raised in sgdStep or a network that does not
 * learn often comes from a layer (issue 14: a transposed Linear.grad made sgdStep throw "cannot
 * broadcast [2, 32] and [32, 2]", which blamed a correct sgdStep). The judge cannot see the other
 * checks' verdicts, so the message points at them.
 */
export const LAYERS_FIRST =
  "training uses your layers: if a 3.* check fails (for example a gradient of the wrong shape), fix that first — this error may come from it";

/**
 * The note added to an error thrown during training: the specific one when sgdStep met a
 * parameter and a grad of different shapes, else LAYERS_FIRST.
 */
export function trainingThrewNote(message: string): string {
  const shapes = /cannot broadcast (?:shapes )?\[([\d, ]*)\] and \[([\d, ]*)\]/.exec(message);
  const inSgdStep = /\bsgdStep\b/.test(message);
  if (shapes && inSgdStep) {
    const [a, b] = [shapes[1]!, shapes[2]!].map((text) =>
      text.trim() === "" ? [] : text.split(",").map((side) => Number(side.trim())),
    ) as [number[], number[]];
    const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);
    const transposed = a.length === b.length && a.every((side, i) => side === b[b.length - 1 - i]);
    const how = transposed
      ? ", the one the transpose of the other"
      : size(a) === size(b)
        ? ", the same number of elements in another shape"
        : "";
    return `in sgdStep a layer's parameter and its grad have different shapes ([${a.join(", ")}] and [${b.join(", ")}]${how}): a layer's backward stored a gradient of the wrong shape (Linear.grad must have the shape of W, Bias.grad that of b; see 3.Linear.shapes, 3.Bias.shapes and the 3.*.backward checks). Fix that first; your sgdStep may well be right`;
  }
  return `${LAYERS_FIRST}.`;
}

const trainingCheck: CheckDefinition<number> = {
  id: "6.training.accuracy",
  title: `training [Linear, Bias, ReLU, Linear, Bias, SoftMax, CrossEntropy] of your layers reaches a held-out accuracy of at least ${REQUIRED_ACCURACY.toFixed(3)}`,
  points: 3,
  runs: 1,
  timeoutMs: 10_000,
  cases: fc.constantFrom(...TRAINING_SEEDS),
  driver: "training.train",
  payload: (seed): TrainPayload => ({ seed }),
  judge: (seed, result) => {
    // Scored here from the returned SoftMax output and the public data set, so nothing in the
    // child (where student code runs) decides the accuracy.
    const probabilities = field(result, "testProbabilities");
    const { testY } = threeClassDataset({ seed });
    if (!(probabilities instanceof Tensor) || probabilities.shape.join() !== testY.shape.join()) {
      return fail(`training did not finish (${describeResult(result)})\n  ${LAYERS_FIRST}.`);
    }
    // NaN and Infinity never pass, whatever the arg-max makes of them.
    const finite = expectFinite(
      probabilities,
      "after training, your SoftMax output on the held-out points",
    );
    const nonFinite = finite.pass
      ? ""
      : `${finite.message}; NaN and Infinity never pass (did the training diverge? look for an exp that overflows in SoftMax, a log of 0 in CrossEntropy, or a learning step that explodes)`;
    const measured = argmaxAccuracy(probabilities, testY);
    if (measured >= REQUIRED_ACCURACY) return finite.pass ? PASS : fail(nonFinite);
    const first = field(result, "firstLoss");
    const last = field(result, "finalLoss");
    const losses =
      typeof first === "number" && typeof last === "number"
        ? ` The mean training loss went from ${first.toFixed(4)} in the first epoch to ${last.toFixed(4)} in the last${last >= first ? ": it did not go down, so look at the gradients and at sgdStep (descent subtracts lr * grad)" : ""}.`
        : "";
    return fail(
      `after training on data set seed ${seed}, the network classifies ${(measured * 100).toFixed(1)}% of the held-out points correctly (arg-max of your SoftMax output), below the required ${(REQUIRED_ACCURACY * 100).toFixed(1)}% (the reference solution reaches at least ${(REFERENCE_ACCURACY * 100).toFixed(1)}%).${losses}${nonFinite ? `\n  ${nonFinite}` : ""}\n  ${LAYERS_FIRST.replace("this error", "this result")}.`,
    );
  },
  threwNote: trainingThrewNote,
  show: (seed) =>
    `trainClassifier(your layers and training functions, { seed: ${seed} }) (reference/forward/trainClassifier.ts)`,
};

export const trainingProblem: ProblemDefinition = {
  id: "6",
  title: "Training a classifier",
  module: "training",
  points: 5,
  // Few runs, but the training run alone takes about as long as a thousand ordinary runs
  // (weights count runs): started first, it overlaps the other problems.
  weight: 1000,
  checks: [...sgdChecks, accuracyCheck, trainingCheck],
};
