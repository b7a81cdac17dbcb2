import type { Tensor } from "../../reference/tensor/index.js";
import { formatNumber } from "../../reference/tensor/internal/format.js";
import { sameShape } from "../../reference/tensor/internal/shape.js";
import { allClose, firstNonFinite, formatIndex, unravel } from "./close.js";
import { type DiagnoseContext, firstHint, type Hint, type Look } from "./hint.js";
import { SHAPE_PATTERNS } from "./shapeHints.js";
import { VALUE_PATTERNS } from "./valueHints.js";

export type { DiagnoseContext, Hint, HintKind } from "./hint.js";

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
  const look: Look = { actual, expected, context, atol, rtol, fits };

  const bad = firstNonFinite(actual.data);
  if (bad !== -1) {
    return {
      kind: "non-finite",
      message: `the result holds ${formatNumber(actual.data[bad]!)}${at(bad, actual.shape)}; look for a division by zero, log of 0, or exp overflow`,
    };
  }
  if (!sameShape(actual.shape, expected.shape)) return firstHint(SHAPE_PATTERNS, look)!;
  // No pattern is fitted to expected values that are not finite (nothing is close to them).
  const badExpected = firstNonFinite(expected.data);
  if (badExpected !== -1) {
    return {
      kind: "non-finite",
      message: `the expected values are not finite (${formatNumber(expected.data[badExpected]!)}${at(badExpected, expected.shape)}): when they are finite differences of a function, that function returned NaN or Infinity next to this point`,
    };
  }
  if (expected.size === 0) return null;
  return customHint(actual, expected, context) ?? firstHint(VALUE_PATTERNS, look);
}

/** " at [i, j]" for flat position `flat` of a tensor of `shape` (nothing for a 0-d tensor). */
function at(flat: number, shape: readonly number[]): string {
  return shape.length === 0 ? "" : ` at ${formatIndex(unravel(flat, shape))}`;
}
