import { add, div, mean, mul, sqrt, sub, type Tensor } from "gradmark/tensor";

/** The epsilon added to the variance and to the mean square, as the students' README states. */
export const EPS = 1e-5;

/** BatchNorm's forward: per feature (column) over the batch axis, biased variance. */
export function batchNorm(x: Tensor): Tensor {
  const centered = sub(x, mean(x, 0, true));
  const variance = mean(mul(centered, centered), 0, true);
  return div(centered, sqrt(add(variance, EPS)));
}

/** rmsNorm: each row divided by the root of its mean square (plus eps). */
export function rmsNorm(x: Tensor): Tensor {
  return div(x, sqrt(add(mean(mul(x, x), 1, true), EPS)));
}
