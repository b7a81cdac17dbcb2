import type { Tensor } from "gradmark/tensor";

/**
 * RMS normalization: each row of x, of shape [B, F], divided by r = sqrt(mean(x^2) + eps) over
 * that row, with eps = 1e-5. Must not change x.
 */
export function rmsNorm(x: Tensor): Tensor {
  throw new Error("not implemented");
}

/** dL/dx for the x given, where g = dL/dy has the shape of x. Must not change x or g. */
export function rmsNormBackward(x: Tensor, g: Tensor): Tensor {
  throw new Error("not implemented");
}
