import { sum, Tensor } from "../reference/tensor/index.js";
import { formatNumber } from "../reference/tensor/internal/format.js";
import { allClose, firstNonFinite, formatIndex, unravel } from "./internal/close.js";

export type HintKind =
  | "wrong-shape"
  | "missing-sum"
  | "transposed"
  | "output-first-layout"
  | "sign"
  | "factor"
  | "zero"
  | "wrong-input"
  | "non-finite"
  | "reversed"
  /** A pattern registered with `registerHintPattern`; `pattern` names it. */
  | "custom";

/** A recognisable pattern in a wrong result, with a sentence that says it plainly. */
export interface Hint {
  kind: HintKind;
  message: string;
  /** For "factor": the constant the result is off by (actual = factor * expected). */
  factor?: number;
  /** For "missing-sum": the axes that should have been summed away; for "reversed": the axis. */
  axes?: number[];
  /** For "custom": the name the pattern was registered under. */
  pattern?: string;
}

/**
 * A mistake of one's own assignment that `diagnose` should recognise: `test` looks at a wrong
 * result and returns the sentence that explains it, or null when the pattern does not fit.
 * Patterns run before the built-in ones (they know the assignment), in the order registered.
 */
export interface HintPattern {
  /** A short name, unique among registered patterns, e.g. "biased-variance". */
  name: string;
  test: (actual: Tensor, expected: Tensor, context: DiagnoseContext) => string | null;
}

const registered: HintPattern[] = [];

/**
 * Adds a pattern to every later `diagnose` in this process (so to every judge's message and
 * `compareTensors` report). Returns a function that removes it again. A pattern that throws is
 * skipped: a hint never breaks a judge.
 */
export function registerHintPattern(pattern: HintPattern): () => void {
  if (typeof pattern?.name !== "string" || !/^[\w.-]{1,60}$/.test(pattern.name)) {
    throw new Error(
      `registerHintPattern: name must be 1 to 60 letters, digits, '_', '.' or '-', got ${JSON.stringify(pattern?.name)}`,
    );
  }
  if (typeof pattern.test !== "function") {
    throw new Error(`registerHintPattern: pattern ${pattern.name} has no test function`);
  }
  if (registered.some((p) => p.name === pattern.name)) {
    throw new Error(`registerHintPattern: a pattern named ${pattern.name} is already registered`);
  }
  registered.push(pattern);
  return () => {
    const at = registered.indexOf(pattern);
    if (at !== -1) registered.splice(at, 1);
  };
}

function customHint(actual: Tensor, expected: Tensor, context: DiagnoseContext): Hint | null {
  for (const pattern of registered) {
    let message: string | null = null;
    try {
      message = pattern.test(actual, expected, context);
    } catch {
      continue;
    }
    if (typeof message === "string" && message.trim() !== "") {
      return { kind: "custom", message, pattern: pattern.name };
    }
  }
  return null;
}

export interface DiagnoseContext {
  /** The batch size of the inputs, so a factor of B or 1/B can be named as such. */
  batchSize?: number;
  /** Expected values of other quantities, so "this is the gradient of the other input" is seen. */
  others?: readonly { name: string; expected: Tensor }[];
  /**
   * For derivative tensors in the lecture's layout (input dims then output dims): the rank of the
   * input, so a result in the output-first layout is recognised.
   */
  inputRank?: number;
  /** Tolerance for deciding that a pattern fits. */
  atol?: number;
  rtol?: number;
}

/**
 * Looks for a known mistake that explains why `actual` differs from `expected`.
 * Returns null when no pattern fits; never throws on odd input.
 */
export function diagnose(
  actual: Tensor,
  expected: Tensor,
  context: DiagnoseContext = {},
): Hint | null {
  const atol = context.atol ?? 1e-6;
  const rtol = context.rtol ?? 1e-4;
  const fits = (candidate: ArrayLike<number>) => allClose(candidate, expected.data, atol, rtol);
  const shapeText = (t: Tensor) => formatIndex(t.shape);

  const bad = firstNonFinite(actual.data);
  if (bad !== -1) {
    return {
      kind: "non-finite",
      message: `the result holds ${formatNumber(actual.data[bad]!)}${at(bad, actual.shape)}; look for a division by zero, log of 0, or exp overflow`,
    };
  }

  if (!sameShape(actual.shape, expected.shape)) {
    return diagnoseShape(actual, expected, context, fits, shapeText);
  }
  // No pattern is fitted to expected values that are not finite (nothing is close to them).
  const badExpected = firstNonFinite(expected.data);
  if (badExpected !== -1) {
    return {
      kind: "non-finite",
      message: `the expected values are not finite (${formatNumber(expected.data[badExpected]!)}${at(badExpected, expected.shape)}): when they are finite differences of a function, that function returned NaN or Infinity next to this point`,
    };
  }
  if (expected.size === 0) return null;
  const custom = customHint(actual, expected, context);
  if (custom) return custom;

  // "Not computed at all" only when every one of at least two expected entries is non-zero: a
  // shrunk counterexample is mostly zeros, and a wrong formula that gives 0 for it (an expected
  // [0, 1] or a single expected 1, got zeros) is not a result that was never computed.
  const noExpectedZero =
    expected.size >= 2 && expected.data.every((v) => Math.abs(v) > atol + rtol * Math.abs(v));
  if (actual.data.every((v) => v === 0) && noExpectedZero) {
    return {
      kind: "zero",
      message: "the result is all zeros; is it computed and returned (or stored) at all?",
    };
  }
  if (fits(actual.data.map((v) => -v))) {
    return {
      kind: "sign",
      message: "the result is the expected one with its sign flipped",
      factor: -1,
    };
  }
  if (context.inputRank !== undefined && context.inputRank > 0 && context.inputRank < actual.ndim) {
    const outputFirst = moveAxes(actual, actual.ndim - context.inputRank);
    if (!fits(actual.data) && fits(outputFirst.data)) {
      return {
        kind: "output-first-layout",
        message:
          "the result has the output dims first; the lecture's layout puts the input dims first (D[f](x)[i..., j...] = d f_j / d x_i)",
      };
    }
  }
  if (actual.ndim >= 2) {
    const swapped = swapLastTwo(actual);
    if (swapped && !fits(actual.data) && fits(swapped.data)) {
      return {
        kind: "transposed",
        message: "the result is the transpose of the expected one (last two axes swapped)",
      };
    }
  }
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
  const factor = fittedFactor(actual.data, expected.data);
  if (factor !== null && Math.abs(factor - 1) > 1e-3 && fits(actual.data.map((v) => v / factor))) {
    return { kind: "factor", message: describeFactor(factor, context.batchSize), factor };
  }
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
}

/** " at [i, j]" for flat position `flat` of a tensor of `shape` (nothing for a 0-d tensor). */
function at(flat: number, shape: readonly number[]): string {
  return shape.length === 0 ? "" : ` at ${formatIndex(unravel(flat, shape))}`;
}

function diagnoseShape(
  actual: Tensor,
  expected: Tensor,
  context: DiagnoseContext,
  fits: (candidate: ArrayLike<number>) => boolean,
  shapeText: (t: Tensor) => string,
): Hint {
  const base = `the result has shape ${shapeText(actual)} but ${shapeText(expected)} was expected`;
  const inputRank = context.inputRank;
  if (inputRank !== undefined && actual.size === expected.size) {
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
  }
  const reversed = [...actual.shape].reverse();
  if (actual.ndim >= 2 && sameShape(reversed, expected.shape)) {
    const transposed = actual.transpose();
    const valuesToo = fits(transposed.data) ? ", and its transpose has the expected values" : "";
    return { kind: "transposed", message: `${base}: transposed?${valuesToo}` };
  }
  // Extra leading axes that a broadcast added and a backward forgot to sum away.
  const extra = actual.ndim - expected.ndim;
  // One extra leading axis as long as the batch: a parameter's gradient that keeps the batch
  // axis (a bias gradient not summed over the batch). The sum is the fix, so it comes first,
  // also for a batch of 1, where the shapes [1, M] and [M] would otherwise read as a reshape
  // (a shrunk counterexample often has a batch of 1; issue 14).
  if (
    extra === 1 &&
    context.batchSize !== undefined &&
    actual.shape[0] === context.batchSize &&
    sameShape(actual.shape.slice(1), expected.shape)
  ) {
    const valuesToo = fits(sum(actual, [0]).data)
      ? "; summed over it, it has the expected values"
      : "";
    return {
      kind: "missing-sum",
      message: `your gradient keeps the batch axis: sum it over the batch to get shape ${shapeText(expected)}. It has shape ${shapeText(actual)}, missing a sum over axis 0 (the batch axis)${valuesToo}`,
      axes: [0],
    };
  }
  if (
    extra > 0 &&
    actual.size === expected.size &&
    actual.shape.slice(0, extra).every((side) => side === 1)
  ) {
    const batch =
      context.batchSize !== undefined ? ", or is a sum over the batch axis missing?" : "";
    return {
      kind: "wrong-shape",
      message: `${base}: ${extra === 1 ? "an extra axis" : `${extra} extra axes`} of size 1 (reshape it to [${expected.shape.join(", ")}]${batch})`,
    };
  }
  if (extra > 0 && sameShape(actual.shape.slice(extra), expected.shape)) {
    const axes = Array.from({ length: extra }, (_, i) => i);
    const summed = sum(actual, axes);
    const valuesToo = fits(summed.data) ? "; summed over them it has the expected values" : "";
    return {
      kind: "missing-sum",
      message: `${base}: missing a sum over axis ${axes.join(", ")} (${extra === 1 && context.batchSize !== undefined ? "the batch axis" : extra === 1 ? "a broadcast axis" : "the broadcast axes"})${valuesToo}`,
      axes,
    };
  }
  if (actual.ndim === expected.ndim) {
    const differing = actual.shape.flatMap((side, axis) =>
      side === expected.shape[axis] ? [] : [axis],
    );
    if (
      differing.length > 0 &&
      differing.every((axis) => actual.shape[axis] !== 1 && expected.shape[axis] === 1)
    ) {
      const keptSum = sum(actual, differing, true);
      const valuesToo = fits(keptSum.data) ? "; summed over them it has the expected values" : "";
      return {
        kind: "missing-sum",
        message: `${base}: missing a sum over the broadcast axis ${differing.join(", ")}${valuesToo}`,
        axes: differing,
      };
    }
  }
  if (actual.size === expected.size && actual.size > 1) {
    return {
      kind: "wrong-shape",
      message: `${base}; the number of elements is right: a reshape or a transpose missing?`,
    };
  }
  return { kind: "wrong-shape", message: base };
}

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

function swapLastTwo(t: Tensor): Tensor | null {
  const n = t.ndim;
  if (t.shape[n - 1] !== t.shape[n - 2]) return null;
  const perm = t.shape.map((_, axis) => axis);
  perm[n - 1] = n - 2;
  perm[n - 2] = n - 1;
  return t.transpose(perm);
}

/** `t` with the order of its entries along `axis` reversed. */
function reverseAxis(t: Tensor, axis: number): Tensor {
  const side = t.shape[axis]!;
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = t.size / (side * inner);
  const data = new Float64Array(t.size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < side; k++) {
      const from = (o * side + k) * inner;
      const to = (o * side + (side - 1 - k)) * inner;
      for (let i = 0; i < inner; i++) data[to + i] = t.data[from + i]!;
    }
  }
  return new Tensor(data, t.shape);
}

/** Moves the first `count` axes to the end: reads an output-first tensor in input-first order. */
function moveAxes(t: Tensor, count: number): Tensor {
  const perm = [
    ...t.shape.map((_, axis) => axis).slice(count),
    ...t.shape.map((_, axis) => axis).slice(0, count),
  ];
  return t.transpose(perm);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((side, axis) => side === b[axis]);
}
