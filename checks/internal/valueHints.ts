import { sameShape } from "../../reference/tensor/internal/shape.js";
import { allClose } from "./close.js";
import type { Pattern } from "./hint.js";
import { moveAxes, reverseAxis, swapLastTwo } from "./rearrange.js";

/**
 * "Not computed at all" only when every one of at least two expected entries is non-zero: a
 * shrunk counterexample is mostly zeros, and a wrong formula that gives 0 for it (an expected
 * [0, 1] or a single expected 1, got zeros) is not a result that was never computed.
 */
const allZeros: Pattern = ({ actual, expected, atol, rtol }) => {
  const noExpectedZero =
    expected.size >= 2 && expected.data.every((v) => Math.abs(v) > atol + rtol * Math.abs(v));
  if (!actual.data.every((v) => v === 0) || !noExpectedZero) return null;
  return {
    kind: "zero",
    message: "the result is all zeros; is it computed and returned (or stored) at all?",
  };
};

const signFlipped: Pattern = ({ actual, fits }) => {
  if (!fits(actual.data.map((v) => -v))) return null;
  return {
    kind: "sign",
    message: "the result is the expected one with its sign flipped",
    factor: -1,
  };
};

const outputFirstValues: Pattern = ({ actual, context, fits }) => {
  const inputRank = context.inputRank;
  if (inputRank === undefined || inputRank <= 0 || inputRank >= actual.ndim) return null;
  const outputFirst = moveAxes(actual, actual.ndim - inputRank);
  if (fits(actual.data) || !fits(outputFirst.data)) return null;
  return {
    kind: "output-first-layout",
    message:
      "the result has the output dims first; the lecture's layout puts the input dims first (D[f](x)[i..., j...] = d f_j / d x_i)",
  };
};

const transposedValues: Pattern = ({ actual, fits }) => {
  if (actual.ndim < 2) return null;
  const swapped = swapLastTwo(actual);
  if (!swapped || fits(actual.data) || !fits(swapped.data)) return null;
  return {
    kind: "transposed",
    message: "the result is the transpose of the expected one (last two axes swapped)",
  };
};

const reversedAxis: Pattern = ({ actual, fits }) => {
  for (let axis = 0; axis < actual.ndim; axis++) {
    if (actual.shape[axis]! < 2 || fits(actual.data)) continue;
    if (fits(reverseAxis(actual, axis).data)) {
      return {
        kind: "reversed",
        message: `the result is the expected one reversed along axis ${axis}${actual.ndim === 1 ? "" : ` (of ${actual.ndim})`}: an index running backwards (n - 1 - i where i was meant)?`,
        axes: [axis],
      };
    }
  }
  return null;
};

const constantFactor: Pattern = ({ actual, expected, context, fits }) => {
  const factor = fittedFactor(actual.data, expected.data);
  // Negated as a whole, so a factor of NaN (an overflowed fit) never fits.
  if (factor === null || !(Math.abs(factor - 1) > 1e-3)) return null;
  if (!fits(actual.data.map((v) => v / factor))) return null;
  return { kind: "factor", message: describeFactor(factor, context.batchSize), factor };
};

const otherInput: Pattern = ({ actual, context, atol, rtol }) => {
  for (const other of context.others ?? []) {
    if (
      sameShape(other.expected.shape, actual.shape) &&
      allClose(actual.data, other.expected.data, atol, rtol)
    ) {
      return {
        kind: "wrong-input",
        message: `the result equals the expected gradient of ${other.name}; were two gradients swapped?`,
      };
    }
  }
  return null;
};

/** The patterns for a result of the expected shape, tried in this order. */
export const VALUE_PATTERNS: readonly Pattern[] = [
  allZeros,
  signFlipped,
  outputFirstValues,
  transposedValues,
  reversedAxis,
  constantFactor,
  otherInput,
];

/** The sentence for a result off by `factor`: the batch size and the usual slips are named. */
function describeFactor(factor: number, batchSize: number | undefined): string {
  const near = (x: number, y: number) => Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y));
  const batch = batchSize !== undefined && batchSize > 1 ? batchSize : null;
  if (batch !== null && near(factor, batch)) {
    const also =
      batch === 2
        ? ", or twice the expected one for another reason (a factor of 2 counted twice?)"
        : "";
    return `the result is ${batch} times the expected one: the batch size (a mean over the batch taken as a sum?)${also}`;
  }
  if (batch !== null && near(factor, 1 / batch)) {
    const also =
      batch === 2 ? ", or half the expected one for another reason (a factor of 2 missing?)" : "";
    return `the result is the expected one divided by ${batch}, the batch size (divided by the batch once too often?)${also}`;
  }
  if (batch !== null && near(factor, -batch)) {
    return `the result is -${batch} times the expected one: sign flipped and off by the batch size`;
  }
  if (near(factor, 2)) return "the result is twice the expected one (a factor of 2 counted twice?)";
  if (near(factor, 0.5)) return "the result is half the expected one (a factor of 2 missing?)";
  if (batch !== null) {
    const named = BATCH_FACTORS.find(({ value }) => near(factor, value(batch)));
    if (named) {
      return `the result is ${named.name} = ${Number(named.value(batch).toPrecision(4))} times the expected one (B = ${batch}, the batch size): ${named.why}`;
    }
  }
  const shown = Number(factor.toPrecision(4));
  return `the result is off by a constant factor: about ${shown} times the expected one`;
}

/**
 * Factors made of the batch size that a normalisation written slightly wrong produces, tried
 * after B, 1/B, 2 and 1/2 (so with B = 2, (B-1)/B reads "half", and with B = 4, sqrt(B) "twice").
 */
const BATCH_FACTORS: readonly { name: string; value: (b: number) => number; why: string }[] = [
  {
    name: "(B-1)/B",
    value: (b) => (b - 1) / b,
    why: "a variance divided by B where B - 1 was meant, or the other way round?",
  },
  {
    name: "B/(B-1)",
    value: (b) => b / (b - 1),
    why: "a variance divided by B - 1 where B was meant (unbiased instead of biased)?",
  },
  {
    name: "sqrt((B-1)/B)",
    value: (b) => Math.sqrt((b - 1) / b),
    why: "a standard deviation from a variance divided by B where B - 1 was meant?",
  },
  {
    name: "sqrt(B/(B-1))",
    value: (b) => Math.sqrt(b / (b - 1)),
    why: "a standard deviation from a variance divided by B - 1 where B was meant?",
  },
  { name: "sqrt(B)", value: (b) => Math.sqrt(b), why: "a square root of the batch size too many?" },
  {
    name: "1/sqrt(B)",
    value: (b) => 1 / Math.sqrt(b),
    why: "a square root of the batch size missing?",
  },
];

/** Least-squares c in actual = c * expected, or null if expected is all zero. */
function fittedFactor(actual: ArrayLike<number>, expected: ArrayLike<number>): number | null {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    dot += actual[i]! * expected[i]!;
    norm += expected[i]! * expected[i]!;
  }
  if (norm === 0 || dot === 0) return null;
  return dot / norm;
}
