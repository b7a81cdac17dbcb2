/**
 * Problem 3: layers (HOMEWORK.md). Every layer's forward against the public reference forwards,
 * every backward against finite differences of them (and, separately, of the submission's own
 * forward), gradient shapes, immutability, finiteness, and networks of the submission's layers.
 * The forward and backward checks use every layer object twice (a second forward on another
 * input, its backward, and that backward once more), as training does; SoftMax and CrossEntropy
 * get rows near ±800 and label probabilities down to 1e-300 (issue 14).
 *
 * The first part of this file holds the pieces the layer checks share with problem 4's operation
 * checks (problems/autograd.ts imports them): directional probes of the student's own forward and
 * the judges of values and gradients.
 */
import fc from "fast-check";
import {
  type DiagnoseContext,
  layerStackArb,
  numericalVjp,
  oneHotLabelsArb,
  type Tolerance,
  tensorArb,
} from "../../../../checks/index.js";
import { firstNonFinite, formatIndex, unravel } from "../../../../checks/internal/close.js";
import {
  describeDirectionalNonFinite,
  directionalAgreement,
} from "../../../../checks/internal/directional.js";
import {
  applyLayers,
  bias,
  crossEntropy,
  linear,
  type ReferenceLayer,
  relu,
  sigmoid,
  softmax,
} from "../../../../reference/forward/layers.js";
import { Rng, scalar, Tensor } from "../../../../reference/tensor/index.js";
import { formatNumber } from "../../../../reference/tensor/internal/format.js";
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
import type { LayerName, LayerPayload, NetworkPayload } from "../drivers/layers.js";

// ---------------------------------------------------------------------------------------------
// Shared with problems/autograd.ts
// ---------------------------------------------------------------------------------------------

/** The relative finite-difference step (as gradmark/checks uses: about the cube root of eps). */
const RELATIVE_STEP = 6.055454452393343e-6;

/** Random directions per differentiable input in the self-consistency checks. */
const PROBES_PER_INPUT = 2;

/** How probes scale their step: see makeProbes. */
export type ProbeStep = boolean | "unit" | "relative";

/** One directional probe of the student's own forward: input `input` moved by ±h v. */
export interface Probe {
  input: number;
  direction: Tensor;
  h: number;
}

/**
 * Seeded random directions for every input in `which` (all by default); the step is scaled like
 * gradmark/checks' directional mode, so no element moves by more than 6e-6 * max(1, max |x|)
 * (2e-5 for values up to 3), far less than the generators' distance from kinks (1e-3) and ties
 * (0.01).
 *
 * `stepPerEntry` scales the direction entry by entry instead, so that entry k moves by at most
 * 6e-6 * max(1, |x_k|): for inputs that mix entries of magnitude 750 with ordinary ones, the one
 * step for all would move the ordinary entries by 5e-3, where the finite difference's own
 * error (of order step^2) approaches the tolerance.
 *
 * `"unit"` moves every entry by at most 6e-6, whatever its magnitude: for smooth functions that
 * are not flat at large inputs (a softmax row of entries near 800, which only their differences
 * matter to), where a step of 5e-3 would make the finite difference's own error too large.
 * `"relative"` moves entry k by at most 6e-6 |x_k| (6e-6 where x_k = 0): for probabilities as
 * small as 1e-300, which any absolute step would push below zero.
 */
export function makeProbes(
  inputs: readonly Tensor[],
  seed: number,
  which: readonly number[] = inputs.map((_, i) => i),
  stepPerEntry: ProbeStep = false,
): Probe[] {
  const rng = new Rng(`probes/${seed}`);
  const probes: Probe[] = [];
  for (const i of which) {
    const x = inputs[i]!;
    for (let j = 0; j < PROBES_PER_INPUT; j++) {
      const direction = rng.randn(x.shape);
      const maxInput = x.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const maxDirection = direction.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (maxDirection === 0) continue;
      if (stepPerEntry === "unit") {
        probes.push({ input: i, direction, h: RELATIVE_STEP / maxDirection });
        continue;
      }
      if (stepPerEntry === "relative") {
        const scaled = direction.data.map(
          (v, k) => v * (x.data[k] === 0 ? 1 : Math.abs(x.data[k]!)),
        );
        probes.push({
          input: i,
          direction: new Tensor(scaled, x.shape),
          h: RELATIVE_STEP / maxDirection,
        });
        continue;
      }
      if (stepPerEntry) {
        const scaled = direction.data.map((v, k) => v * Math.max(1, Math.abs(x.data[k]!)));
        probes.push({
          input: i,
          direction: new Tensor(scaled, x.shape),
          h: RELATIVE_STEP / maxDirection,
        });
        continue;
      }
      probes.push({
        input: i,
        direction,
        h: (RELATIVE_STEP * Math.max(1, maxInput)) / maxDirection,
      });
    }
  }
  return probes;
}

/** For every probe, the input lists at x + h v and at x - h v (in that order). */
export function probeInputs(inputs: readonly Tensor[], probes: readonly Probe[]): Tensor[][] {
  return probes.flatMap(({ input, direction, h }) =>
    [1, -1].map((sign) => {
      const moved = inputs.slice();
      const x = inputs[input]!;
      const data = new Float64Array(x.size);
      for (let k = 0; k < x.size; k++) data[k] = x.data[k]! + sign * h * direction.data[k]!;
      moved[input] = new Tensor(data, x.shape);
      return moved;
    }),
  );
}

const dot = (a: Tensor, b: Tensor): number => {
  let total = 0;
  for (let k = 0; k < a.size; k++) total += a.data[k]! * b.data[k]!;
  return total;
};

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((side, i) => side === b[i]);

const fmt = (x: number): string =>
  Number.isFinite(x) ? Number(x.toPrecision(7)).toString() : String(x);

/** " at [i, j]" for flat position `flat` of a tensor of `shape` ("" for a 0-d tensor). */
const atIndex = (flat: number, shape: readonly number[]): string =>
  shape.length === 0 ? "" : ` at ${formatIndex(unravel(flat, shape))}`;

/**
 * The finite-difference check of a backward against the student's OWN forward: for every probe,
 * (<g, f(x + h v)> - <g, f(x - h v)>) / 2h must equal <gradient, v> within the tolerance of
 * gradmark/checks' directional mode (the same comparison, directionalAgreement). NaN or Infinity
 * in a gradient or in the forward at a probe point fails, naming the value and where it is. `what` names the unit ("Linear", "TensorDot"),
 * `names` the inputs, `forwardNote` says whether the forward itself matches the reference.
 */
export function judgeSelfConsistency(options: {
  what: string;
  names: readonly string[];
  inputs: readonly Tensor[];
  downstream: Tensor;
  grads: readonly unknown[];
  probes: readonly Probe[];
  probeOutputs: unknown;
  tolerance: Tolerance;
  forwardMatches: boolean;
  backwardCheck: string;
}): Verdict {
  const { what, names, inputs, downstream, grads, probes, tolerance } = options;
  const outputs = options.probeOutputs;
  if (!Array.isArray(outputs) || outputs.length !== 2 * probes.length) {
    return fail(`${what}: the forward could not be evaluated at the probe points`);
  }
  for (const probe of probes) {
    const grad = grads[probe.input];
    const x = inputs[probe.input]!;
    if (!(grad instanceof Tensor) || !sameShape(grad.shape, x.shape)) {
      return fail(
        `${what}: the gradient of ${names[probe.input]} is ${describeResult(grad)}, not a Tensor of shape [${x.shape.join(", ")}], so it cannot be compared with your forward (see ${options.backwardCheck})`,
      );
    }
    // NaN and Infinity never agree with anything (a comparison with <= let Infinity through).
    const bad = firstNonFinite(grad.data);
    if (bad !== -1) {
      return fail(
        `${what}: the gradient of ${names[probe.input]} holds ${formatNumber(grad.data[bad]!)}${atIndex(bad, grad.shape)}; NaN and Infinity never agree with finite differences of your forward (see ${options.backwardCheck})`,
      );
    }
  }
  for (let p = 0; p < probes.length; p++) {
    const { input, direction, h } = probes[p]!;
    const plusOut = outputs[2 * p];
    const minusOut = outputs[2 * p + 1];
    for (const [sign, out] of [
      ["+", plusOut],
      ["-", minusOut],
    ] as const) {
      if (!(out instanceof Tensor) || !sameShape(out.shape, downstream.shape)) {
        return fail(
          `${what}: your forward returned ${describeResult(out)} at a point next to the graded input; expected a Tensor of shape [${downstream.shape.join(", ")}]`,
        );
      }
      const bad = firstNonFinite(out.data);
      if (bad !== -1) {
        return fail(
          `${what}: your forward is not finite next to the graded input: with ${names[input]} moved to x ${sign} ${fmt(h)} v (a random direction v), it returned ${formatNumber(out.data[bad]!)}${atIndex(bad, out.shape)}, so its finite differences say nothing there; NaN and Infinity never pass`,
        );
      }
    }
    const plus = dot(downstream, plusOut as Tensor);
    const minus = dot(downstream, minusOut as Tensor);
    const grad = grads[input] as Tensor;
    const { numerical, analytic, agrees, nonFinite } = directionalAgreement({
      plus,
      minus,
      h,
      gradient: grad.data,
      direction: direction.data,
      tolerance,
    });
    if (nonFinite) {
      return fail(
        `${what}: ${describeDirectionalNonFinite(nonFinite, {
          gradientName: `your gradient of ${names[input]}`,
          shape: grad.shape,
          forward: "your forward",
        })} (so it cannot agree with finite differences; see ${options.backwardCheck})`,
      );
    }
    if (!agrees) {
      const forward = options.forwardMatches
        ? "Your forward matches the reference here, so the backward is what needs fixing."
        : "Your forward also differs from the reference here; fix the forward first, then make the backward its derivative.";
      return fail(
        `${what}: your backward disagrees with your own forward. Along a random direction v of ${names[input]}, finite differences of your forward give the rate of change ${fmt(numerical)} of <downstream gradient, output>, but <your gradient of ${names[input]}, v> is ${fmt(analytic)}. ${forward}`,
      );
    }
  }
  return PASS;
}

/** A field of a driver's result (undefined when the result is not a plain object). */
export function field(result: unknown, name: string): unknown {
  if (result === null || typeof result !== "object" || Array.isArray(result)) return undefined;
  return (result as Record<string, unknown>)[name];
}

/** True when `actual` is a Tensor within the tolerance of `expected`. */
export function closeTo(actual: unknown, expected: Tensor, tolerance: Tolerance): boolean {
  return expectTensor(actual, expected, { name: "", tolerance }).pass;
}

/**
 * Every gradient against finite differences of the reference forward `f` (numerical VJPs with
 * the case's downstream gradient).
 */
export function judgeGradients(options: {
  f: (...inputs: Tensor[]) => Tensor;
  inputs: readonly Tensor[];
  downstream: Tensor;
  grads: readonly unknown[];
  names: readonly string[];
  which?: readonly number[];
  tolerance: Tolerance;
  context?: DiagnoseContext;
  note?: string;
  /** The expected gradient of input i, when plain finite differences of `f` cannot give it. */
  expected?: (i: number) => Tensor;
}): Verdict {
  const which = options.which ?? options.inputs.map((_, i) => i);
  for (const i of which) {
    const expected = options.expected
      ? options.expected(i)
      : numericalVjp(options.f, options.inputs, options.downstream, i);
    const verdict = expectTensor(options.grads[i], expected, {
      name: options.names[i]!,
      tolerance: options.tolerance,
      context: options.context,
    });
    if (!verdict.pass) return options.note ? fail(`${verdict.message}\n${options.note}`) : verdict;
  }
  return PASS;
}

/** Batch sizes and widths: a batch of 1, a batch equal to a width, or one differing from all. */
export function batchAndWidths(widths: number): fc.Arbitrary<{ batch: number; widths: number[] }> {
  return fc
    .tuple(
      fc.constantFrom("one", "equal", "differ"),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: widths, maxLength: widths }),
      fc.integer({ min: 2, max: 5 }),
      fc.nat(widths - 1),
    )
    .map(([policy, ws, drawn, pick]) => {
      if (policy === "one") return { batch: 1, widths: ws };
      if (policy === "equal") {
        const batch = Math.max(2, ws[pick]!);
        ws[pick] = batch;
        return { batch, widths: ws };
      }
      let batch = drawn;
      while (ws.includes(batch)) batch = batch >= 5 ? 2 : batch + 1;
      return { batch, widths: ws };
    });
}

/** A downstream gradient of `shape` with values in [-2, 2]: random, not all ones. */
export function downstreamArb(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return tensorArb({ shape, min: -2, max: 2 });
}

/** A downstream gradient of shape []: away from 0 and from 1 (a backward that ignores it fails). */
export const scalarDownstreamArb: fc.Arbitrary<Tensor> = tensorArb({
  shape: [],
  min: -3,
  max: 3,
  kinks: [0, 1],
  margin: 0.25,
});

export const probeSeedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

// ---------------------------------------------------------------------------------------------
// Layer checks
// ---------------------------------------------------------------------------------------------

interface LayerCase {
  layer: LayerName;
  /** X, then the parameter (Linear W, Bias b). */
  inputs: Tensor[];
  labels?: Tensor;
  downstream: Tensor;
  probeSeed: number;
  /** How the self-consistency probes step (makeProbes): entry by entry, unit or relative. */
  stepPerEntry?: ProbeStep;
  /**
   * How the expected gradients are taken, when plain finite differences of the reference cannot:
   * "shift-rows" at X minus each row's maximum (softmax does not change, its derivative neither),
   * "relative" with a step of 6e-6 |x_k| per entry (probabilities down to 1e-300).
   */
  finiteDifferences?: "shift-rows" | "relative";
  /**
   * A second round on the same layer object: forward(input), backward(downstream) and backward
   * (downstream) once more. The parameter (Linear, Bias) and the labels stay those of the case.
   */
  again?: { input: Tensor; downstream: Tensor };
}

/** The self-consistency probes of a layer case (the same in the payload and the judge). */
const layerProbes = (c: LayerCase): Probe[] =>
  makeProbes(c.inputs, c.probeSeed, undefined, c.stepPerEntry ?? false);

/** X with each row's maximum subtracted (the last axis is the row). */
export function shiftRows(X: Tensor): Tensor {
  const c = X.shape[X.ndim - 1] ?? 1;
  const data = X.data.slice();
  for (let start = 0; start < data.length; start += c) {
    let m = Number.NEGATIVE_INFINITY;
    for (let k = start; k < start + c; k++) m = Math.max(m, data[k]!);
    for (let k = start; k < start + c; k++) data[k] = data[k]! - m;
  }
  return new Tensor(data, X.shape);
}

/**
 * The numerical VJP of `f` with respect to input `wrt` with a step of 6e-6 |x_k| for entry k
 * (6e-6 where x_k = 0), for inputs as small as 1e-300 that any absolute step would push below 0.
 */
export function relativeStepVjp(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  downstream: Tensor,
  wrt: number,
): Tensor {
  const x = inputs[wrt]!;
  const result = new Float64Array(x.size);
  const probe = x.data.slice();
  const at = (data: Float64Array): number => {
    const moved = inputs.slice();
    moved[wrt] = new Tensor(data.slice(), x.shape);
    return dot(downstream, f(...moved));
  };
  for (let k = 0; k < x.size; k++) {
    const original = x.data[k]!;
    const h = RELATIVE_STEP * (original === 0 ? 1 : Math.abs(original));
    probe[k] = original + h;
    const plus = at(probe);
    probe[k] = original - h;
    const minus = at(probe);
    probe[k] = original;
    result[k] = (plus - minus) / (2 * h);
  }
  return new Tensor(result, x.shape);
}

interface LayerInfo {
  name: LayerName;
  /** Names of X and the parameter for messages. */
  names: string[];
  reference: (c: LayerCase) => (...inputs: Tensor[]) => Tensor;
  cases: fc.Arbitrary<LayerCase>;
  /** The input of the second round on the same layer object, for an input of `shape`. */
  againInput: (shape: readonly number[]) => fc.Arbitrary<Tensor>;
  points: {
    forward: number;
    backward: number;
    consistent: number;
    shapes: number;
    immutable: number;
  };
}

const valueTensor = (shape: readonly number[], extra: Parameters<typeof tensorArb>[0] = {}) =>
  tensorArb({ shape, specialValues: true, ...extra });

const linearCases: fc.Arbitrary<LayerCase> = batchAndWidths(2).chain(({ batch, widths }) => {
  const [n, m] = widths as [number, number];
  return fc.record({
    layer: fc.constant<LayerName>("Linear"),
    inputs: fc.tuple(valueTensor([batch, n]), valueTensor([n, m])),
    downstream: downstreamArb([batch, m]),
    probeSeed: probeSeedArb,
  });
});

const biasCases: fc.Arbitrary<LayerCase> = batchAndWidths(1).chain(({ batch, widths }) => {
  const m = widths[0]!;
  return fc.record({
    layer: fc.constant<LayerName>("Bias"),
    inputs: fc.tuple(valueTensor([batch, m]), valueTensor([m])),
    downstream: downstreamArb([batch, m]),
    probeSeed: probeSeedArb,
  });
});

/** Any shape (rank 0 to 3, sides 1 to 4), values from `extra`. */
function elementwiseCases(
  layer: LayerName,
  extra: Parameters<typeof tensorArb>[0],
): fc.Arbitrary<LayerCase> {
  return elementwiseCasesOf(layer, tensorArb({ minRank: 0, maxRank: 3, maxSide: 4, ...extra }));
}

function elementwiseCasesOf(
  layer: LayerName,
  inputs: fc.Arbitrary<Tensor>,
  stepPerEntry = false,
): fc.Arbitrary<LayerCase> {
  return inputs.chain((x) =>
    fc.record({
      layer: fc.constant(layer),
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

/**
 * `x` with about half its entries replaced by values of magnitude `min` to `max`, either sign,
 * and one entry always large and positive (where an element-wise exp overflows first).
 */
export function withLargeEntries(x: Tensor, min: number, max: number): fc.Arbitrary<Tensor> {
  return fc
    .tuple(
      fc.nat({ max: x.size - 1 }),
      fc.array(fc.tuple(fc.boolean(), fc.double({ min, max, noNaN: true }), fc.boolean()), {
        minLength: x.size,
        maxLength: x.size,
      }),
    )
    .map(([alwaysLarge, draws]) => {
      const data = x.data.slice();
      draws.forEach(([large, magnitude, negative], k) => {
        if (k === alwaysLarge) data[k] = magnitude;
        else if (large) data[k] = negative ? -magnitude : magnitude;
      });
      return new Tensor(data, x.shape);
    });
}

/** One Sigmoid case in three has entries of large magnitude (25 runs: all miss 1 time in 25000). */
const sigmoidCases: fc.Arbitrary<LayerCase> = fc.oneof(
  { arbitrary: elementwiseCases("Sigmoid", { min: -5, max: 5, specialValues: true }), weight: 2 },
  { arbitrary: elementwiseCasesOf("Sigmoid", largeSigmoidInputs, true), weight: 1 },
);

const ordinarySoftmaxCases: fc.Arbitrary<LayerCase> = batchAndWidths(1).chain(
  ({ batch, widths }) => {
    const c = widths[0]!;
    return fc.record({
      layer: fc.constant<LayerName>("SoftMax"),
      inputs: fc.tuple(valueTensor([batch, c])),
      downstream: downstreamArb([batch, c]),
      probeSeed: probeSeedArb,
    });
  },
);

/**
 * X [B, C] with rows of entries of magnitude up to about 800 (HOMEWORK): every row is ordinary
 * (values in [-3, 3]), "level" (750 to 800, or -800 to -750, plus offsets in [-3, 3]: ordinary
 * probabilities) or "spread" (each entry ordinary or ±720 to ±800); one row, always, is level or
 * spread with an entry of at least 720. There e^x overflows to Infinity (above 709.78) or every
 * e^x of the row underflows to 0 (below -745.1), so a softmax that does not subtract the row
 * maximum returns NaN.
 * Softmax only sees the differences within a row, so the expected values and gradients are those
 * at X minus each row's maximum (finite differences there have ordinary steps and are exact
 * where the probabilities underflow to 0); the self-consistency probes step by at most 6e-6.
 */
export const extremeSoftmaxInputs = (
  rowsArb: fc.Arbitrary<number>,
  colsArb: fc.Arbitrary<number>,
) =>
  fc.tuple(rowsArb, colsArb).chain(([batch, c]) =>
    fc
      .record({
        base: tensorArb({ shape: [batch, c], specialValues: true }),
        forced: fc.nat({ max: batch - 1 }),
        rows: fc.array(
          fc.record({
            kind: fc.constantFrom("ordinary", "level", "spread"),
            level: fc.double({ min: 750, max: 800, noNaN: true }),
            negative: fc.boolean(),
            large: fc.array(
              fc.tuple(fc.boolean(), fc.double({ min: 720, max: 800, noNaN: true }), fc.boolean()),
              { minLength: c, maxLength: c },
            ),
            alwaysLarge: fc.nat({ max: c - 1 }),
          }),
          { minLength: batch, maxLength: batch },
        ),
      })
      .map(({ base, forced, rows }) => {
        const data = base.data.slice();
        rows.forEach((row, b) => {
          const kind = b === forced && row.kind === "ordinary" ? "level" : row.kind;
          for (let k = 0; k < c; k++) {
            const at = b * c + k;
            if (kind === "level") data[at] = (row.negative ? -row.level : row.level) + data[at]!;
            if (kind === "spread") {
              const [large, magnitude, negative] = row.large[k]!;
              if (b === forced && k === row.alwaysLarge) data[at] = magnitude;
              else if (large) data[at] = negative ? -magnitude : magnitude;
            }
          }
        });
        return new Tensor(data, base.shape);
      }),
  );

const extremeSoftmaxCases: fc.Arbitrary<LayerCase> = extremeSoftmaxInputs(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 1, max: 4 }),
).chain((x) =>
  fc.record({
    layer: fc.constant<LayerName>("SoftMax"),
    inputs: fc.constant([x]),
    downstream: downstreamArb(x.shape),
    probeSeed: probeSeedArb,
    stepPerEntry: fc.constant<ProbeStep>("unit"),
    finiteDifferences: fc.constant<"shift-rows">("shift-rows"),
  }),
);

/** One SoftMax case in three has rows of large magnitude (25 runs: all miss 1 time in 25000). */
const softmaxCases: fc.Arbitrary<LayerCase> = fc.oneof(
  { arbitrary: ordinarySoftmaxCases, weight: 2 },
  { arbitrary: extremeSoftmaxCases, weight: 1 },
);

const positiveCrossEntropyCases: fc.Arbitrary<LayerCase> = batchAndWidths(1).chain(
  ({ batch, widths }) => {
    const c = widths[0]!;
    return fc.record({
      layer: fc.constant<LayerName>("CrossEntropy"),
      // Probabilities: softmax of logits in [-2, 2], so every entry is at least about 0.004.
      inputs: fc.tuple(tensorArb({ shape: [batch, c], min: -2, max: 2 }).map(softmax)),
      labels: oneHotLabelsArb({ batch, classes: c }),
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
const zeroOffLabelCrossEntropyCases: fc.Arbitrary<LayerCase> = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }))
  .chain(([batch, c]) =>
    fc.record({
      layer: fc.constant<LayerName>("CrossEntropy"),
      labels: oneHotLabelsArb({ batch, classes: c }),
      logits: tensorArb({ shape: [batch, c], min: -2, max: 2 }),
      zeroed: fc.array(fc.boolean(), { minLength: batch * c, maxLength: batch * c }),
      alwaysZeroed: fc.nat({ max: c - 2 }),
      downstream: scalarDownstreamArb,
      probeSeed: probeSeedArb,
    }),
  )
  .map(({ layer, labels, logits, zeroed, alwaysZeroed, downstream, probeSeed }) => {
    const c = labels.shape[1]!;
    const data = logits.data.slice();
    // Row 0's unlabelled columns, in order: the alwaysZeroed-th of them is set.
    const unlabelledInRow0 = [...Array(c).keys()].filter((k) => labels.data[k] === 0);
    data[unlabelledInRow0[alwaysZeroed]!] = -1000;
    zeroed.forEach((zero, k) => {
      if (zero && labels.data[k] === 0) data[k] = -1000;
    });
    const P = softmax(new Tensor(data, logits.shape));
    return { layer, inputs: [P], labels, downstream, probeSeed };
  });

/**
 * P with tiny but positive probabilities on the label (HOMEWORK: down to 1e-300; the loss is
 * exactly -log p, no epsilon, no clipping): row 0's labelled entry is 10^-e with e from 13 to 300
 * (1e-300 itself in a quarter of the cases), every other row's too with probability 1/2; the rest
 * of a row's mass goes to its unlabelled entries, some of them exact zeros (never all). -log(p +
 * 1e-9) or -log(max(p, 1e-12)) is off by 6.9 or more there. The expected gradient (up to 3e300) is
 * taken with a step of 6e-6 |p| per entry, and so are the self-consistency probes.
 */
export const tinyCrossEntropyCases: fc.Arbitrary<LayerCase> = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }))
  .chain(([batch, c]) =>
    fc.record({
      layer: fc.constant<LayerName>("CrossEntropy"),
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
  .map(({ layer, labels, logits, rows, downstream, probeSeed }) => {
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
      layer,
      inputs: [new Tensor(data, labels.shape)],
      labels,
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
const crossEntropyCases: fc.Arbitrary<LayerCase> = fc.oneof(
  { arbitrary: positiveCrossEntropyCases, weight: 1 },
  { arbitrary: zeroOffLabelCrossEntropyCases, weight: 1 },
  { arbitrary: tinyCrossEntropyCases, weight: 1 },
);

const LAYERS: LayerInfo[] = [
  {
    name: "Linear",
    names: ["the gradient returned by Linear.backward (D_X[Z])", "Linear.grad (D_W[Z])"],
    reference: () => linear,
    cases: linearCases,
    againInput: (shape) => valueTensor(shape),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
  {
    name: "Bias",
    names: ["the gradient returned by Bias.backward (D_X[Z])", "Bias.grad (D_b[Z])"],
    reference: () => bias,
    cases: biasCases,
    againInput: (shape) => valueTensor(shape),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
  {
    name: "ReLU",
    names: ["the gradient returned by ReLU.backward"],
    reference: () => relu,
    // Inputs at least 1e-3 away from the kink at 0, far more than the finite-difference step.
    cases: elementwiseCases("ReLU", { kinks: [0] }),
    againInput: (shape) => tensorArb({ shape, kinks: [0] }),
    points: { forward: 0.5, backward: 1.5, consistent: 0.5, shapes: 0.25, immutable: 0.25 },
  },
  {
    name: "Sigmoid",
    names: ["the gradient returned by Sigmoid.backward"],
    reference: () => sigmoid,
    cases: sigmoidCases,
    againInput: (shape) => tensorArb({ shape, min: -5, max: 5, specialValues: true }),
    points: { forward: 0.5, backward: 1.5, consistent: 0.5, shapes: 0.25, immutable: 0.25 },
  },
  {
    name: "SoftMax",
    names: ["the gradient returned by SoftMax.backward"],
    reference: () => softmax,
    cases: softmaxCases,
    againInput: (shape) => valueTensor(shape),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
  {
    name: "CrossEntropy",
    names: ["the gradient returned by CrossEntropy.backward (D_P[Z])"],
    reference: (c) => (P: Tensor) => crossEntropy(P, c.labels!),
    cases: crossEntropyCases,
    againInput: (shape) => tensorArb({ shape, min: -2, max: 2 }).map(softmax),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
];

/**
 * The layer's cases, each with a second round on the same object (HOMEWORK: a layer is used many
 * times): another input of the same shape and another downstream gradient.
 */
function casesWithAgain(info: LayerInfo): fc.Arbitrary<LayerCase> {
  return info.cases.chain((c) =>
    fc
      .record({
        input: info.againInput(c.inputs[0]!.shape),
        downstream:
          c.downstream.ndim === 0 ? scalarDownstreamArb : downstreamArb(c.downstream.shape),
      })
      .map((again) => ({ ...c, again })),
  );
}

function layerPayload(
  c: LayerCase,
  mode: "forward" | "full",
  options: { probes?: boolean; again?: boolean } = {},
): LayerPayload {
  return {
    layer: c.layer,
    mode,
    inputs: c.inputs,
    labels: c.labels,
    downstream: mode === "full" ? c.downstream : undefined,
    probes: options.probes ? probeInputs(c.inputs, layerProbes(c)) : undefined,
    again:
      options.again && c.again
        ? {
            input: c.again.input,
            downstream: mode === "full" ? c.again.downstream : undefined,
          }
        : undefined,
  };
}

/** The expected gradient of input i of the reference layer at `inputs` (see LayerCase). */
function referenceGradient(
  info: LayerInfo,
  c: LayerCase,
  inputs: readonly Tensor[],
  downstream: Tensor,
  i: number,
): Tensor {
  const f = info.reference(c);
  if (c.finiteDifferences === "shift-rows") {
    return numericalVjp(f, [shiftRows(inputs[0]!), ...inputs.slice(1)], downstream, i);
  }
  if (c.finiteDifferences === "relative") return relativeStepVjp(f, inputs, downstream, i);
  return numericalVjp(f, inputs, downstream, i);
}

const REUSE_NOTE =
  "(A layer object is used many times: each backward uses the state saved by the most recent forward, and sets grad to the gradient of that call alone, never adding to the previous one.)";

/** The second round's part of a layer case, shown with the first. */
function showAgain(c: LayerCase, mode: "forward" | "full"): string {
  if (!c.again) return "";
  const parts: Record<string, unknown> = {
    [`second forward's ${c.layer === "CrossEntropy" ? "P" : "X"}`]: c.again.input,
  };
  if (mode === "full") parts["second downstream gradient"] = c.again.downstream;
  const steps =
    mode === "forward"
      ? "then, on the same object, forward again"
      : "then, on the same object, forward and backward again, and backward once more";
  return `\n${steps}, with\n${showValue(parts)}`;
}

function showLayerCase(c: LayerCase): string {
  const parts: Record<string, unknown> = { X: c.inputs[0] };
  if (c.layer === "Linear") parts.W = c.inputs[1];
  if (c.layer === "Bias") parts.b = c.inputs[1];
  if (c.layer === "CrossEntropy") {
    parts.P = c.inputs[0];
    delete parts.X;
    parts.labels = c.labels;
  }
  parts["downstream gradient"] = c.downstream;
  return `new ${c.layer}(${c.layer === "Linear" ? "W" : c.layer === "Bias" ? "b" : c.layer === "CrossEntropy" ? "labels" : ""}) with\n${showValue(parts)}`;
}

function batchOf(c: LayerCase): number | undefined {
  const x = c.inputs[0]!;
  return x.ndim === 2 ? x.shape[0] : undefined;
}

function forwardMatches(info: LayerInfo, c: LayerCase, output: unknown, tolerance: Tolerance) {
  return closeTo(output, info.reference(c)(...c.inputs), tolerance);
}

function layerGrads(c: LayerCase, result: unknown): unknown[] {
  return c.inputs.length > 1
    ? [field(result, "inputGrad"), field(result, "paramGrad")]
    : [field(result, "inputGrad")];
}

function layerChecks(info: LayerInfo): CheckDefinition<LayerCase>[] {
  const id = `3.${info.name}`;
  const paramName = info.name === "Linear" ? "W" : "b";
  const inputName = info.name === "CrossEntropy" ? "P" : "X";
  const ownNames = [inputName, paramName];
  // Only the forward and backward checks use the second round (see casesWithAgain).
  const cases = casesWithAgain(info);
  return [
    {
      id: `${id}.forward`,
      title: `${info.name}.forward against the reference`,
      points: info.points.forward,
      cases,
      driver: "layers.layer",
      payload: (c) => layerPayload(c, "forward", { again: true }),
      judge: (c, result, ctx) => {
        const first = expectTensor(field(result, "output"), info.reference(c)(...c.inputs), {
          name: `${info.name}.forward`,
          tolerance: ctx.tolerance,
          context: { batchSize: batchOf(c) },
        });
        if (!first.pass || !c.again) return first;
        const again = expectTensor(
          field(field(result, "again"), "output"),
          info.reference(c)(c.again.input, ...c.inputs.slice(1)),
          {
            name: `${info.name}.forward called a second time on the same object (with the second input)`,
            tolerance: ctx.tolerance,
            context: { batchSize: batchOf(c) },
          },
        );
        return again.pass ? again : fail(`${again.message}\n${REUSE_NOTE}`);
      },
      show: (c) => `${showLayerCase(c)}${showAgain(c, "forward")}`,
    },
    {
      id: `${id}.backward`,
      title: `${info.name}.backward against finite differences of the reference (random downstream gradient)`,
      points: info.points.backward,
      cases,
      driver: "layers.layer",
      payload: (c) => layerPayload(c, "full", { again: true }),
      judge: (c, result, ctx) => {
        const first = judgeGradients({
          f: info.reference(c),
          inputs: c.inputs,
          downstream: c.downstream,
          grads: layerGrads(c, result),
          names: info.names,
          tolerance: ctx.tolerance,
          context: { batchSize: batchOf(c) },
          expected: (i) => referenceGradient(info, c, c.inputs, c.downstream, i),
          note: forwardMatches(info, c, field(result, "output"), ctx.tolerance)
            ? undefined
            : `(Your forward differs from the reference too, see ${id}.forward; these expected gradients are those of the reference forward.)`,
        });
        if (!first.pass || !c.again) return first;
        // The second round, on the same object: a new forward, its backward, the backward again.
        const inputs = [c.again.input, ...c.inputs.slice(1)];
        const again = field(result, "again");
        const expected = inputs.map((_, i) =>
          referenceGradient(info, c, inputs, c.again!.downstream, i),
        );
        const rounds: [string, unknown[]][] = [
          [
            "after a second forward (other input) and its backward on the same object",
            [field(again, "inputGrad"), field(again, "paramGrad")],
          ],
          [
            "after that backward was called once more (same downstream gradient, no new forward)",
            [field(again, "repeatInputGrad"), field(again, "repeatParamGrad")],
          ],
        ];
        for (const [when, grads] of rounds) {
          const verdict = judgeGradients({
            f: info.reference(c),
            inputs,
            downstream: c.again.downstream,
            grads,
            names: info.names.map((name) => `${name} ${when}`),
            tolerance: ctx.tolerance,
            context: { batchSize: batchOf(c) },
            expected: (i) => expected[i]!,
            note: REUSE_NOTE,
          });
          if (!verdict.pass) return verdict;
        }
        return PASS;
      },
      show: (c) => `${showLayerCase(c)}${showAgain(c, "full")}`,
    },
    {
      id: `${id}.consistent`,
      title: `${info.name}.backward against finite differences of your own forward (with a correct forward)`,
      points: info.points.consistent,
      // A backward that agrees with a wrong forward (zeros and a constant agree) earns nothing.
      requires: [`${id}.forward`],
      cases: info.cases,
      driver: "layers.layer",
      payload: (c) => layerPayload(c, "full", { probes: true }),
      judge: (c, result, ctx) =>
        judgeSelfConsistency({
          what: info.name,
          names: ownNames,
          inputs: c.inputs,
          downstream: c.downstream,
          grads: layerGrads(c, result),
          probes: layerProbes(c),
          probeOutputs: field(result, "probeOutputs"),
          tolerance: ctx.tolerance,
          forwardMatches: forwardMatches(info, c, field(result, "output"), ctx.tolerance),
          backwardCheck: `${id}.backward`,
        }),
      show: showLayerCase,
    },
    {
      id: `${id}.shapes`,
      title: `${info.name}: output and gradient shapes, finite numbers${hasParameter(info) ? ", grad null before the first backward" : ""} (with correct values)`,
      points: info.points.shapes,
      requires: [`${id}.forward`, `${id}.backward`],
      cases: info.cases,
      driver: "layers.layer",
      payload: (c) => layerPayload(c, "full"),
      judge: (c, result) => {
        const expectedOut = info.reference(c)(...c.inputs);
        const out = field(result, "output");
        const grads = layerGrads(c, result);
        const checks: (() => Verdict)[] = [
          () => expectShape(out, expectedOut.shape, `${info.name}.forward's output`),
          () => expectFinite(out, `${info.name}.forward's output`),
          () => expectShape(grads[0], c.inputs[0]!.shape, info.names[0]!),
          () => expectFinite(grads[0], info.names[0]!),
        ];
        if (c.inputs.length > 1) {
          checks.push(
            () =>
              field(result, "gradBeforeIsNull") === true
                ? PASS
                : fail(
                    `${info.name}.grad should be null until the first backward, but a new ${info.name} has grad = ${describeResult(field(result, "gradBefore"))}`,
                  ),
            () => expectShape(grads[1], c.inputs[1]!.shape, info.names[1]!),
            () => expectFinite(grads[1], info.names[1]!),
          );
        }
        return allOf(...checks);
      },
      show: showLayerCase,
    },
    {
      id: `${id}.immutable`,
      title: `${info.name}: forward and backward leave their inputs unchanged (with correct values)`,
      points: info.points.immutable,
      requires: [`${id}.forward`, `${id}.backward`],
      cases: info.cases,
      driver: "layers.layer",
      payload: (c) => layerPayload(c, "full"),
      judge: (c, result) => {
        const after = field(result, "after");
        const inputs = field(after, "inputs");
        const read = (i: number) => (Array.isArray(inputs) ? inputs[i] : undefined);
        const checks: (() => Verdict)[] = c.inputs.map(
          (t, i) => () =>
            expectUnchanged(
              t,
              read(i),
              i === 0
                ? `the input ${inputName} of ${info.name}.forward`
                : `the parameter ${paramName} given to new ${info.name}(${paramName})`,
            ),
        );
        checks.push(() =>
          expectUnchanged(
            c.downstream,
            field(after, "downstream"),
            `the downstream gradient given to ${info.name}.backward`,
          ),
        );
        if (c.labels) {
          checks.push(() =>
            expectUnchanged(
              c.labels!,
              field(after, "labels"),
              "the labels given to new CrossEntropy(labels)",
            ),
          );
        }
        return allOf(...checks);
      },
      show: showLayerCase,
    },
  ];
}

function hasParameter(info: LayerInfo): boolean {
  return info.name === "Linear" || info.name === "Bias";
}

// ---------------------------------------------------------------------------------------------
// Networks: forwardLayers and backwardLayers on random stacks of the student's layers
// ---------------------------------------------------------------------------------------------

interface NetworkCase {
  layers: ReferenceLayer[];
  input: Tensor;
  batch: number;
}

const toCase = (spec: { layers: ReferenceLayer[]; input: Tensor; batch: number }): NetworkCase => ({
  layers: spec.layers,
  input: spec.input,
  batch: spec.batch,
});

const networkForwardCases: fc.Arbitrary<NetworkCase> = fc
  .oneof(
    layerStackArb({ specialValues: true }),
    layerStackArb({ finalActivation: true, batchDiffersFromWidth: true }),
    layerStackArb({ withSoftmaxCrossEntropy: true }),
    layerStackArb({ withBias: false, activations: ["sigmoid"], batch: 1 }),
  )
  .map(toCase);

const networkBackwardCases: fc.Arbitrary<NetworkCase> = fc
  .oneof(
    layerStackArb({ withSoftmaxCrossEntropy: true }),
    layerStackArb({
      withSoftmaxCrossEntropy: true,
      batchDiffersFromWidth: true,
      specialValues: true,
    }),
    layerStackArb({ withSoftmaxCrossEntropy: true, batch: 1, maxDepth: 2 }),
  )
  .map(toCase);

function describeLayer(layer: ReferenceLayer, index: number): string {
  switch (layer.kind) {
    case "linear":
      return `layer ${index} (Linear, W [${layer.weights.shape.join(", ")}])`;
    case "bias":
      return `layer ${index} (Bias, b [${layer.bias.shape.join(", ")}])`;
    default:
      return `layer ${index} (${layer.kind})`;
  }
}

function showNetwork(c: NetworkCase): string {
  const names = c.layers.map((l, i) => describeLayer(l, i)).join(", ");
  return `${names}\n${showValue({ input: c.input, layers: c.layers })}`;
}

function networkPayload(c: NetworkCase, mode: "forward" | "backward"): NetworkPayload {
  return { mode, layers: c.layers, input: c.input };
}

/** The network with the parameter of layer `index` replaced. */
function withParameter(
  layers: readonly ReferenceLayer[],
  index: number,
  p: Tensor,
): ReferenceLayer[] {
  return layers.map((layer, i) => {
    if (i !== index) return layer;
    if (layer.kind === "linear") return { kind: "linear", weights: p };
    if (layer.kind === "bias") return { kind: "bias", bias: p };
    return layer;
  });
}

const networkChecks: CheckDefinition<NetworkCase>[] = [
  {
    id: "3.network.forward",
    title: "forwardLayers on random stacks of your layers against the reference composition",
    points: 2,
    cases: networkForwardCases,
    driver: "layers.network",
    payload: (c) => networkPayload(c, "forward"),
    judge: (c, result, ctx) =>
      expectTensor(field(result, "output"), applyLayers(c.layers, c.input), {
        name: "forwardLayers(layers, input)",
        tolerance: ctx.tolerance,
        context: { batchSize: c.batch },
      }),
    show: showNetwork,
  },
  {
    id: "3.network.backward",
    title:
      "backwardLayers on random stacks ending in SoftMax and CrossEntropy: every parameter's grad against finite differences of the reference composition",
    points: 4,
    cases: networkBackwardCases,
    driver: "layers.network",
    payload: (c) => networkPayload(c, "backward"),
    judge: (c, result, ctx) => {
      const grads = field(result, "grads");
      if (!Array.isArray(grads) || grads.length !== c.layers.length) {
        return fail(
          `backwardLayers: could not read the layers' grad fields (${describeResult(grads)})`,
        );
      }
      const seed = scalar(1);
      for (let i = c.layers.length - 1; i >= 0; i--) {
        const layer = c.layers[i]!;
        if (layer.kind !== "linear" && layer.kind !== "bias") continue;
        const parameter = layer.kind === "linear" ? layer.weights : layer.bias;
        const expected = numericalVjp(
          (p: Tensor) => applyLayers(withParameter(c.layers, i, p), c.input),
          [parameter],
          seed,
        );
        const verdict = expectTensor(grads[i], expected, {
          name: `after forwardLayers and backwardLayers, ${describeLayer(layer, i)}.grad`,
          tolerance: ctx.tolerance,
          context: { batchSize: c.batch },
        });
        if (!verdict.pass) return verdict;
      }
      return PASS;
    },
    show: showNetwork,
  },
];

export const layersProblem: ProblemDefinition = {
  id: "3",
  title: "Layers (the simplified graph)",
  module: "layers",
  points: 30,
  checks: [...LAYERS.flatMap(layerChecks), ...networkChecks],
};
