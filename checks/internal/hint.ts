/**
 * The hints of `diagnose` (public types, re-exported by diagnose.ts) and the plumbing of its
 * built-in patterns (valueHints.ts, shapeHints.ts).
 */
import type { Tensor } from "../../reference/tensor/index.js";

/** The kinds of mistake `diagnose` recognises. */
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

/** What `diagnose` may know beyond the two tensors, to name a mistake more precisely. */
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

/** What a pattern looks at: both tensors, the context, and whether a candidate fits expected. */
export interface Look {
  actual: Tensor;
  expected: Tensor;
  context: DiagnoseContext;
  atol: number;
  rtol: number;
  fits: (candidate: ArrayLike<number>) => boolean;
}

/** A built-in pattern: the hint when it fits, else null. */
export type Pattern = (look: Look) => Hint | null;

/** The hint of the first pattern that fits, trying them in order. */
export function firstHint(patterns: readonly Pattern[], look: Look): Hint | null {
  for (const pattern of patterns) {
    const hint = pattern(look);
    if (hint) return hint;
  }
  return null;
}
