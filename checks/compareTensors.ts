import { Tensor } from "../reference/tensor/index.js";
import { formatNumber } from "../reference/tensor/internal/format.js";
import { type DiagnoseContext, diagnose, type Hint } from "./diagnose.js";
import { formatIndex, isClose, unravel } from "./internal/close.js";

export interface Tolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance, against the expected value. */
  rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };

export interface WorstElement {
  index: number[];
  actual: number;
  expected: number;
  absError: number;
  /** |actual - expected| / |expected| (Infinity when expected is 0 and they differ). */
  relError: number;
}

export type ComparisonOutcome = "equal" | "not-a-tensor" | "wrong-shape" | "non-finite" | "values";

export interface Comparison {
  /** What was compared, e.g. "gradient of W"; used in messages. */
  name: string;
  passed: boolean;
  outcome: ComparisonOutcome;
  actualShape: number[] | null;
  expectedShape: number[];
  /** Elements outside the tolerance. */
  mismatched: number;
  maxAbsError: number;
  maxRelError: number;
  /** The worst elements first (largest absolute error). */
  worst: WorstElement[];
  hint: Hint | null;
  tolerance: Tolerance;
  /** One paragraph for a person; empty when passed. */
  message: string;
}

export interface CompareOptions extends Partial<Tolerance> {
  name?: string;
  /** How many of the worst elements to report (default 3). */
  worstCount?: number;
  context?: DiagnoseContext;
}

/**
 * Compares a result with the expected tensor: type first, then shape, then non-finite values,
 * then values under atol/rtol. Failing comparisons carry the worst elements and a hint.
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
  const base = {
    name,
    expectedShape: [...expected.shape],
    tolerance,
    worst: [] as WorstElement[],
    mismatched: 0,
    maxAbsError: 0,
    maxRelError: 0,
    hint: null as Hint | null,
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
  if (!sameShape(actual.shape, expected.shape)) {
    const hint = diagnose(actual, expected, context);
    return {
      ...base,
      passed: false,
      outcome: "wrong-shape",
      actualShape: [...actual.shape],
      mismatched: expected.size,
      hint,
      message: `${name}: ${hint?.message ?? `shape ${formatIndex(actual.shape)} instead of ${formatIndex(expected.shape)}`}`,
    };
  }

  const scored: { flat: number; absError: number }[] = [];
  let nonFinite = 0;
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < expected.size; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (!Number.isFinite(a) && Number.isFinite(e)) nonFinite++;
    if (isClose(a, e, tolerance.atol, tolerance.rtol)) continue;
    const absError = Number.isNaN(a) ? Number.POSITIVE_INFINITY : Math.abs(a - e);
    maxAbsError = Math.max(maxAbsError, absError);
    maxRelError = Math.max(
      maxRelError,
      e === 0 ? Number.POSITIVE_INFINITY : absError / Math.abs(e),
    );
    scored.push({ flat: i, absError });
  }
  if (scored.length === 0) {
    return { ...base, passed: true, outcome: "equal", actualShape: [...actual.shape], message: "" };
  }
  scored.sort((x, y) => y.absError - x.absError || x.flat - y.flat);
  const worst = scored.slice(0, options.worstCount ?? 3).map(({ flat }) => {
    const a = actual.data[flat]!;
    const e = expected.data[flat]!;
    const absError = Math.abs(a - e);
    return {
      index: unravel(flat, expected.shape),
      actual: a,
      expected: e,
      absError: Number.isNaN(absError) ? Number.POSITIVE_INFINITY : absError,
      relError: e === 0 ? Number.POSITIVE_INFINITY : absError / Math.abs(e),
    };
  });
  const hint = diagnose(actual, expected, context);
  const outcome: ComparisonOutcome = nonFinite > 0 ? "non-finite" : "values";
  const comparison: Comparison = {
    ...base,
    passed: false,
    outcome,
    actualShape: [...actual.shape],
    mismatched: scored.length,
    maxAbsError,
    maxRelError,
    worst,
    hint,
    message: "",
  };
  comparison.message = describeMismatch(comparison, expected.size);
  return comparison;
}

function describeMismatch(c: Comparison, size: number): string {
  const lines = [
    `${c.name}: ${c.mismatched} of ${size} element${size === 1 ? "" : "s"} differ${c.mismatched === 1 ? "s" : ""} (atol ${formatNumber(c.tolerance.atol)}, rtol ${formatNumber(c.tolerance.rtol)})`,
  ];
  for (const w of c.worst) {
    const at = c.expectedShape.length === 0 ? "value" : `at ${formatIndex(w.index)}`;
    lines.push(
      `  ${at}: got ${formatNumber(w.actual)}, expected ${formatNumber(w.expected)} (error ${formatNumber(w.absError)})`,
    );
  }
  if (c.hint) lines.push(`  hint: ${c.hint.message}`);
  return lines.join("\n");
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

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((side, axis) => side === b[axis]);
}
