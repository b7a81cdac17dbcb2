import { add, div, mean, mul, sqrt, sub, type Tensor } from "gradmark/tensor";

const EPS = 1e-5;

/** Each row of x [B, F] divided by r = sqrt(mean of its squares + eps). */
export function rmsNorm(x: Tensor): Tensor {
  return div(x, sqrt(add(mean(mul(x, x), 1, true), EPS)));
}

/** dL/dx = (g - y * mean(g * y)) / r, with y = rmsNorm(x) and means over each row. */
export function rmsNormBackward(x: Tensor, g: Tensor): Tensor {
  const r = sqrt(add(mean(mul(x, x), 1, true), EPS));
  const y = div(x, r);
  return div(sub(g, mul(y, mean(mul(g, y), 1, true))), r);
}
