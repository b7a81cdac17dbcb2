import { Tensor } from "../../reference/tensor/index.js";
import { formatNumber } from "../../reference/tensor/internal/format.js";
import { sameShape } from "../../reference/tensor/internal/shape.js";
import type { Tolerance } from "./close.js";
import { checkTolerance, firstNonFinite, formatIndex, isClose, unravel } from "./close.js";
import { type DiagnoseContext, diagnose, type Hint } from "./diagnose.js";

export type { Tolerance };

/** The tolerance of compareTensors and gradcheck unless one is given. */
export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };

/** One of the elements that differ most, as a comparison reports it. */
export interface WorstElement {
  index: number[];
  actual: number;
  expected: number;
  absError: number;
  /** |actual - expected| / |expected| (Infinity when expected is 0 and they differ). */
  relError: number;
}

/**
 * How a comparison ended: "equal" (passed), or what failed it: not a tensor, another shape, NaN
 * or Infinity on either side, or values outside the tolerance.
 */
export type ComparisonOutcome = "equal" | "not-a-tensor" | "wrong-shape" | "non-finite" | "values";

/** The result of {@link compareTensors}. */
export interface Comparison {
  /** What was compared, e.g. "gradient of W"; used in messages. */
  name: string;
  passed: boolean;
  outcome: ComparisonOutcome;
  actualShape: number[] | null;
  expectedShape: number[];
  /** Elements outside the tolerance, among those that count (not `exclude`d). */
  mismatched: number;
  /** Elements left out of the comparison (`exclude`); 0 when none were. */
  excluded: number;
  maxAbsError: number;
  maxRelError: number;
  /** The worst elements first (largest absolute error). */
  worst: WorstElement[];
  hint: Hint | null;
  tolerance: Tolerance;
  /** One paragraph for a person; empty when passed. */
  message: string;
}

/** Elements to leave out of a comparison, and why, e.g. "next to a kink". */
export interface ExcludedElements {
  /** Flat (row-major) positions. */
  positions: readonly number[];
  /** What they are, for the message: "3 elements next to a kink were left out". */
  reason: string;
  /**
   * They differ and count as differing (in the verdict and in "N of M elements differ"), but
   * are kept out of the worst elements, which lead with the others, and are named in a line of
   * their own: "2 of them, at [0, 2], [1, 0], were <reason>" (gradcheck's elements not tested
   * for a kink once another failed). Those of them within the tolerance simply agree.
   */
  counted?: boolean;
}

/** Options of {@link compareTensors}; atol and rtol default to {@link DEFAULT_TOLERANCE}. */
export interface CompareOptions extends Partial<Tolerance> {
  name?: string;
  /** How many of the worst elements to report (default 3). */
  worstCount?: number;
  context?: DiagnoseContext;
  /**
   * Elements that do not count: neither in the verdict, nor among the worst, nor in "N of M
   * elements differ" (M counts only the others); the message names them as left out. NaN and
   * Infinity are never left out.
   */
  exclude?: readonly ExcludedElements[];
}

/**
 * Compares a result with the expected tensor: type first, then shape, then values under
 * atol/rtol. NaN or Infinity on either side never passes (outcome "non-finite"), and a tolerance
 * that is not a finite number of 0 or more throws a RangeError. Failing comparisons carry the
 * worst elements and a hint.
 */
export function compareTensors(
  actual: unknown,
  expected: Tensor,
  options: CompareOptions = {},
): Comparison {
  const tolerance: Tolerance = {
    atol: options.atol ?? DEFAULT_TOLERANCE.atol,
    rtol: options.rtol ?? DEFAULT_TOLERANCE.rtol,
  };
  const name = options.name ?? "result";
  checkTolerance(tolerance, `compareTensors(${name})`);
  const base: Blank = {
    name,
    expectedShape: [...expected.shape],
    tolerance,
    worst: [],
    mismatched: 0,
    excluded: 0,
    maxAbsError: 0,
    maxRelError: 0,
    hint: null,
  };
  if (!(actual instanceof Tensor)) {
    return {
      ...base,
      passed: false,
      outcome: "not-a-tensor",
      actualShape: null,
      message: `${name}: expected a Tensor of shape ${formatIndex(expected.shape)}, got ${describeValue(actual)}`,
    };
  }
  const context = {
    ...options.context,
    atol: tolerance.atol,
    rtol: Math.max(tolerance.rtol, 1e-4),
  };
  if (!sameShape(actual.shape, expected.shape)) return wrongShape(base, actual, expected, context);
  const left = leftOut(options.exclude, actual, expected, tolerance);
  const scores = scoreElements(actual, expected, tolerance, left.mask);
  if (scores.differing.length === 0 && left.counted === 0) {
    return {
      ...base,
      passed: true,
      outcome: "equal",
      actualShape: [...actual.shape],
      excluded: left.count,
      message: "",
    };
  }
  const worst = worstElements(scores.differing, actual, expected, options.worstCount ?? 3);
  const hint = diagnose(actual, expected, context);
  const { nonFiniteActual, nonFiniteExpected } = scores;
  const outcome: ComparisonOutcome =
    nonFiniteActual + nonFiniteExpected > 0 ? "non-finite" : "values";
  const comparison: Comparison = {
    ...base,
    passed: false,
    outcome,
    actualShape: [...actual.shape],
    mismatched: scores.differing.length + left.counted,
    excluded: left.count - left.counted,
    maxAbsError: scores.maxAbsError,
    maxRelError: scores.maxRelError,
    worst,
    hint,
    message: "",
  };
  comparison.message =
    outcome === "non-finite"
      ? describeNonFinite(comparison, actual, expected, nonFiniteActual, nonFiniteExpected, left)
      : describeMismatch(comparison, expected.size, left);
  return comparison;
}

/** The fields of a comparison that nothing was found wrong in yet. */
type Blank = Omit<Comparison, "passed" | "outcome" | "actualShape" | "message">;

/** A comparison of tensors of different shapes: every element counts as mismatched. */
function wrongShape(
  base: Blank,
  actual: Tensor,
  expected: Tensor,
  context: DiagnoseContext,
): Comparison {
  const hint = diagnose(actual, expected, context);
  return {
    ...base,
    passed: false,
    outcome: "wrong-shape",
    actualShape: [...actual.shape],
    mismatched: expected.size,
    hint,
    message: `${base.name}: ${hint?.message ?? `shape ${formatIndex(actual.shape)} instead of ${formatIndex(expected.shape)}`}`,
  };
}

/** An element outside the tolerance: its flat position and |actual - expected| (see errorOf). */
interface Differing {
  flat: number;
  absError: number;
}

/** The elements of a comparison that count and differ, with their largest errors. */
interface Scores {
  differing: Differing[];
  /** How many of them are NaN or Infinity in the actual, and in the expected values. */
  nonFiniteActual: number;
  nonFiniteExpected: number;
  maxAbsError: number;
  maxRelError: number;
}

/** Scores every element that is not left out (`mask`) against the tolerance. */
function scoreElements(
  actual: Tensor,
  expected: Tensor,
  tolerance: Tolerance,
  mask: Uint8Array | null,
): Scores {
  const differing: Differing[] = [];
  // NaN or Infinity on either side never passes: a non-finite actual value is wrong, and a
  // non-finite expected value (finite differences of a function that is not finite near the
  // point) cannot be matched by anything.
  let nonFiniteActual = 0;
  let nonFiniteExpected = 0;
  let maxAbsError = 0;
  let maxRelError = 0;
  const { atol, rtol } = tolerance;
  for (let i = 0; i < expected.size; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    // The usual case in one comparison: a finite bound met by |a - e| means both are finite
    // (NaN compares false, and Infinity on either side makes the difference or the bound
    // infinite).
    const bound = atol + rtol * Math.abs(e);
    if (Math.abs(a - e) <= bound && bound < Number.POSITIVE_INFINITY) continue;
    if (mask?.[i] === 1) continue;
    const finite = Number.isFinite(a) && Number.isFinite(e);
    if (!Number.isFinite(a)) nonFiniteActual++;
    if (!Number.isFinite(e)) nonFiniteExpected++;
    if (finite && isClose(a, e, atol, rtol)) continue;
    const absError = errorOf(a, e);
    maxAbsError = Math.max(maxAbsError, absError);
    maxRelError = Math.max(maxRelError, relativeError(absError, e));
    differing.push({ flat: i, absError });
  }
  return { differing, nonFiniteActual, nonFiniteExpected, maxAbsError, maxRelError };
}

/** The `count` worst of the differing elements; sorts `differing` in place. */
function worstElements(
  differing: Differing[],
  actual: Tensor,
  expected: Tensor,
  count: number,
): WorstElement[] {
  // Largest error first (non-finite ones are Infinity), then by position; no NaN in the sort.
  differing.sort((x, y) =>
    x.absError === y.absError ? x.flat - y.flat : y.absError > x.absError ? 1 : -1,
  );
  return differing.slice(0, count).map(({ flat, absError }) => {
    const e = expected.data[flat]!;
    return {
      index: unravel(flat, expected.shape),
      actual: actual.data[flat]!,
      expected: e,
      absError,
      relError: relativeError(absError, e),
    };
  });
}

interface LeftOut {
  /** 1 at the positions left out of the scoring; null when none are. */
  mask: Uint8Array | null;
  count: number;
  /** How many of `count` differ and count as differing all the same (`counted` groups). */
  counted: number;
  /** One line per reason, for the message. */
  lines: string[];
  /** One line per reason of the counted groups, to follow the worst elements. */
  countedLines: string[];
}

/**
 * The valid, distinct positions of `exclude` where both values are finite (NaN and Infinity are
 * never left out), as a mask, and a line per reason naming them; of a `counted` group, only the
 * positions that differ beyond the tolerance.
 */
function leftOut(
  exclude: readonly ExcludedElements[] | undefined,
  actual: Tensor,
  expected: Tensor,
  tolerance: Tolerance,
): LeftOut {
  if (!exclude || exclude.length === 0) {
    return { mask: null, count: 0, counted: 0, lines: [], countedLines: [] };
  }
  const size = expected.size;
  const mask = new Uint8Array(size);
  let count = 0;
  let counted = 0;
  const byReason = new Map<string, { positions: number[]; counted: boolean }>();
  for (const group of exclude) {
    const key = `${group.counted ? "counted" : "left"}:${group.reason}`;
    const entry = byReason.get(key) ?? { positions: [], counted: group.counted === true };
    byReason.set(key, entry);
    for (const flat of group.positions) {
      if (!Number.isInteger(flat) || flat < 0 || flat >= size || mask[flat] === 1) continue;
      const a = actual.data[flat]!;
      const e = expected.data[flat]!;
      if (!Number.isFinite(a) || !Number.isFinite(e)) continue;
      if (entry.counted && isClose(a, e, tolerance.atol, tolerance.rtol)) continue;
      mask[flat] = 1;
      count++;
      if (entry.counted) counted++;
      entry.positions.push(flat);
    }
  }
  const lines: string[] = [];
  const countedLines: string[] = [];
  for (const [key, { positions, counted: isCounted }] of byReason) {
    if (positions.length === 0) continue;
    const reason = key.slice(key.indexOf(":") + 1);
    if (isCounted) countedLines.push(describeCounted(reason, positions, expected.shape));
    else lines.push(describeLeftOut(reason, positions, expected.shape));
  }
  return { mask, count, counted, lines, countedLines };
}

/** "2 of them, at [0, 2], [1, 0], were not tested for a kink (...)", at most 3 named. */
function describeCounted(reason: string, positions: number[], shape: readonly number[]): string {
  const where = shape.length === 0 ? "" : `, at ${namedPositions(positions, shape)},`;
  return `${positions.length} of them${where} ${positions.length === 1 ? "was" : "were"} ${reason}`;
}

/** The first three positions as multi-indices, "..." after them when there are more. */
function namedPositions(positions: readonly number[], shape: readonly number[]): string {
  const named = positions.slice(0, 3).map((flat) => formatIndex(unravel(flat, shape)));
  return `${named.join(", ")}${positions.length > 3 ? ", ..." : ""}`;
}

/** "3 elements next to a kink were left out (at [0, 1], [2, 0], [3, 1])", at most 3 named. */
function describeLeftOut(reason: string, positions: number[], shape: readonly number[]): string {
  const one = positions.length === 1;
  const head = `${positions.length} element${one ? "" : "s"} ${reason} ${one ? "was" : "were"} left out`;
  if (shape.length === 0) return head;
  return `${head} (at ${namedPositions(positions, shape)})`;
}

/** |a - e|, and Infinity when either is not finite (never NaN). */
function errorOf(a: number, e: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(e)) return Number.POSITIVE_INFINITY;
  const error = Math.abs(a - e);
  return Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
}

function relativeError(absError: number, e: number): number {
  return e === 0 || !Number.isFinite(e) ? Number.POSITIVE_INFINITY : absError / Math.abs(e);
}

function describeMismatch(c: Comparison, size: number, left: LeftOut): string {
  const counted = size - c.excluded;
  const lines = [
    `${c.name}: ${c.mismatched} of ${counted} element${counted === 1 ? "" : "s"} differ${c.mismatched === 1 ? "s" : ""} (atol ${formatNumber(c.tolerance.atol)}, rtol ${formatNumber(c.tolerance.rtol)})`,
  ];
  lines.push(...worstLines(c));
  lines.push(...left.countedLines.map((line) => `  ${line}`));
  lines.push(...left.lines.map((line) => `  ${line}`));
  if (c.hint) lines.push(`  hint: ${c.hint.message}`);
  return lines.join("\n");
}

/**
 * The message of a comparison with NaN or Infinity in it: the first line names the first
 * non-finite value, where it is and what was expected there, and how many there are.
 */
function describeNonFinite(
  c: Comparison,
  actual: Tensor,
  expected: Tensor,
  nonFiniteActual: number,
  nonFiniteExpected: number,
  left: LeftOut,
): string {
  const at = (flat: number) =>
    c.expectedShape.length === 0 ? "" : ` at ${formatIndex(unravel(flat, c.expectedShape))}`;
  const lines: string[] = [];
  if (nonFiniteActual > 0) {
    const flat = firstNonFinite(actual.data);
    const more = nonFiniteActual > 1 ? ` (${nonFiniteActual} values in all are not finite)` : "";
    lines.push(
      `${c.name}: holds ${formatNumber(actual.data[flat]!)}${at(flat)}, expected ${formatNumber(expected.data[flat]!)}${more}; NaN and Infinity never pass`,
    );
  }
  if (nonFiniteExpected > 0) {
    const flat = firstNonFinite(expected.data);
    const more =
      nonFiniteExpected > 1 ? ` (${nonFiniteExpected} expected values in all are not finite)` : "";
    const first = nonFiniteActual > 0 ? "  also, " : `${c.name}: `;
    lines.push(
      `${first}the expected value${at(flat)} is ${formatNumber(expected.data[flat]!)}${more}, so nothing can match it; when the expected values are finite differences of a function, that function returned NaN or Infinity next to this point`,
    );
  }
  lines.push(...worstLines(c));
  lines.push(...left.countedLines.map((line) => `  ${line}`));
  lines.push(...left.lines.map((line) => `  ${line}`));
  // The hint about the expected values would repeat the line above.
  if (c.hint && (nonFiniteActual > 0 || c.hint.kind !== "non-finite"))
    lines.push(`  hint: ${c.hint.message}`);
  return lines.join("\n");
}

function worstLines(c: Comparison): string[] {
  return c.worst.map((w) => {
    const at = c.expectedShape.length === 0 ? "value" : `at ${formatIndex(w.index)}`;
    return `  ${at}: got ${formatNumber(w.actual)}, expected ${formatNumber(w.expected)} (error ${formatNumber(w.absError)})`;
  });
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined (did the function return its result?)";
  if (typeof value === "number") return `the number ${value} (wrap it with scalar(...)?)`;
  if (Array.isArray(value))
    return `a plain array of length ${value.length} (wrap it with tensor(...)?)`;
  if (typeof value === "object") {
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
    return ctor && ctor !== "Object"
      ? `an object of class ${ctor}`
      : "a plain object that is not a Tensor";
  }
  return `a ${typeof value}`;
}
