import { sum } from "../../reference/tensor/index.js";
import { sameShape } from "../../reference/tensor/internal/shape.js";
import { formatIndex } from "./close.js";
import type { Look, Pattern } from "./hint.js";
import { moveAxes } from "./rearrange.js";

/** The sentence every shape hint starts with. */
function shapeBase({ actual, expected }: Look): string {
  return `the result has shape ${formatIndex(actual.shape)} but ${formatIndex(expected.shape)} was expected`;
}

/** With an input rank (a derivative tensor), the layout decides: output dims first, or other. */
const layoutShape: Pattern = (look) => {
  const { actual, expected, context, fits } = look;
  const inputRank = context.inputRank;
  if (inputRank === undefined || actual.size !== expected.size) return null;
  const base = shapeBase(look);
  const outputFirst = [...expected.shape.slice(inputRank), ...expected.shape.slice(0, inputRank)];
  if (sameShape(actual.shape, outputFirst)) {
    const moved = moveAxes(actual, actual.ndim - inputRank);
    const valuesToo = fits(moved.data) ? " (read input-first, its values are right)" : "";
    return {
      kind: "output-first-layout",
      message: `${base}: output dims first; the lecture's layout puts the input dims first${valuesToo}`,
    };
  }
  return {
    kind: "wrong-shape",
    message: `${base} (the lecture's layout is input dims then output dims)`,
  };
};

const transposedShape: Pattern = (look) => {
  const { actual, expected, fits } = look;
  const reversed = [...actual.shape].reverse();
  if (actual.ndim < 2 || !sameShape(reversed, expected.shape)) return null;
  const transposed = actual.transpose();
  const valuesToo = fits(transposed.data) ? ", and its transpose has the expected values" : "";
  return { kind: "transposed", message: `${shapeBase(look)}: transposed?${valuesToo}` };
};

/**
 * One extra leading axis as long as the batch: a parameter's gradient that keeps the batch
 * axis (a bias gradient not summed over the batch). The sum is the fix, so it comes first,
 * also for a batch of 1, where the shapes [1, M] and [M] would otherwise read as a reshape
 * (a shrunk counterexample often has a batch of 1; issue 14).
 */
const batchAxisKept: Pattern = ({ actual, expected, context, fits }) => {
  if (
    actual.ndim - expected.ndim !== 1 ||
    context.batchSize === undefined ||
    actual.shape[0] !== context.batchSize ||
    !sameShape(actual.shape.slice(1), expected.shape)
  ) {
    return null;
  }
  const valuesToo = fits(sum(actual, [0]).data)
    ? "; summed over it, it has the expected values"
    : "";
  return {
    kind: "missing-sum",
    message: `your gradient keeps the batch axis: sum it over the batch to get shape ${formatIndex(expected.shape)}. It has shape ${formatIndex(actual.shape)}, missing a sum over axis 0 (the batch axis)${valuesToo}`,
    axes: [0],
  };
};

/** Extra leading axes of size 1: a reshape away from the expected shape. */
const extraUnitAxes: Pattern = (look) => {
  const { actual, expected, context } = look;
  const extra = actual.ndim - expected.ndim;
  if (
    extra <= 0 ||
    actual.size !== expected.size ||
    !actual.shape.slice(0, extra).every((side) => side === 1)
  ) {
    return null;
  }
  const batch = context.batchSize !== undefined ? ", or is a sum over the batch axis missing?" : "";
  return {
    kind: "wrong-shape",
    message: `${shapeBase(look)}: ${extra === 1 ? "an extra axis" : `${extra} extra axes`} of size 1 (reshape it to [${expected.shape.join(", ")}]${batch})`,
  };
};

/** Extra leading axes that a broadcast added and a backward forgot to sum away. */
const leadingSumMissing: Pattern = (look) => {
  const { actual, expected, context, fits } = look;
  const extra = actual.ndim - expected.ndim;
  if (extra <= 0 || !sameShape(actual.shape.slice(extra), expected.shape)) return null;
  const axes = Array.from({ length: extra }, (_, i) => i);
  const summed = sum(actual, axes);
  const valuesToo = fits(summed.data) ? "; summed over them it has the expected values" : "";
  return {
    kind: "missing-sum",
    message: `${shapeBase(look)}: missing a sum over axis ${axes.join(", ")} (${extra === 1 && context.batchSize !== undefined ? "the batch axis" : extra === 1 ? "a broadcast axis" : "the broadcast axes"})${valuesToo}`,
    axes,
  };
};

/** Axes of size 1 in the expected shape but not in the result: a broadcast not summed away. */
const broadcastSumMissing: Pattern = (look) => {
  const { actual, expected, fits } = look;
  if (actual.ndim !== expected.ndim) return null;
  const differing = actual.shape.flatMap((side, axis) =>
    side === expected.shape[axis] ? [] : [axis],
  );
  if (
    differing.length === 0 ||
    !differing.every((axis) => actual.shape[axis] !== 1 && expected.shape[axis] === 1)
  ) {
    return null;
  }
  const keptSum = sum(actual, differing, true);
  const valuesToo = fits(keptSum.data) ? "; summed over them it has the expected values" : "";
  return {
    kind: "missing-sum",
    message: `${shapeBase(look)}: missing a sum over the broadcast axis ${differing.join(", ")}${valuesToo}`,
    axes: differing,
  };
};

const otherShape: Pattern = (look) => {
  const { actual, expected } = look;
  if (actual.size === expected.size && actual.size > 1) {
    return {
      kind: "wrong-shape",
      message: `${shapeBase(look)}; the number of elements is right: a reshape or a transpose missing?`,
    };
  }
  return { kind: "wrong-shape", message: shapeBase(look) };
};

/** The patterns for a result of another shape, tried in this order; the last always fits. */
export const SHAPE_PATTERNS: readonly Pattern[] = [
  layoutShape,
  transposedShape,
  batchAxisKept,
  extraUnitAxes,
  leadingSumMissing,
  broadcastSumMissing,
  otherShape,
];
