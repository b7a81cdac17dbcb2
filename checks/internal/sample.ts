import type { Tensor } from "../../reference/tensor/index.js";

/**
 * One sample of gradcheck's scalar <downstream, f(x)>, with its scale sum_k |downstream_k f_k(x)|:
 * the size its rounding error is relative to.
 */
export interface Sample {
  value: number;
  scale: number;
}

/** The per-element central differences of one input, with the samples they came from. */
export interface NumericalGradient {
  expected: Tensor;
  /** <downstream, f> with the element moved by +h and by -h, and their scales. */
  plus: Float64Array;
  minus: Float64Array;
  plusScale: Float64Array;
  minusScale: Float64Array;
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
