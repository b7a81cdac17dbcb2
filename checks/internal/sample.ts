import type { Tensor } from "../../reference/tensor/index.js";

/**
 * One sample of gradcheck's scalar <downstream, f(x)>, with its scale sum_k |downstream_k f_k(x)|:
 * the size its rounding error is relative to.
 */
export interface Sample {
  value: number;
  scale: number;
  /**
   * Present when f was not finite at a moved point (then `value` is not finite either): forgives
   * it. A value that is not finite fails the check at the end (gradcheck names it), unless the
   * line it was taken on was decided at a smaller step where f is finite, or was left out as
   * not finite within its steps (stepRefinement.ts): then it decides nothing.
   */
  forgive?: () => void;
}

/** The per-element central differences of one input, with the samples they came from. */
export interface NumericalGradient {
  expected: Tensor;
  /**
   * <downstream, f> with the element moved by +h and by -h. An element judged at a smaller
   * step (stepRefinement.ts) holds that step's central difference, samples and step instead.
   */
  plus: Sample[];
  minus: Sample[];
  /** The step h of each element. */
  steps: Float64Array;
}

/** The sample <downstream, out> of an output `out` of f (of the downstream gradient's size). */
export function sampleOf(out: Tensor, downstream: Tensor): Sample {
  let value = 0;
  let scale = 0;
  for (let j = 0; j < out.size; j++) {
    const term = out.data[j]! * downstream.data[j]!;
    value += term;
    scale += Math.abs(term);
  }
  return { value, scale };
}

/** Whether a sample's value is finite (a value of f that is not finite makes it NaN or ±Infinity). */
export function isFiniteSample(sample: Sample): boolean {
  return Number.isFinite(sample.value);
}
