import type { Tensor } from "gradmark/tensor";

/**
 * Batch normalization without learned parameters: each feature (column) of x, of shape [B, F],
 * is centred and scaled over the batch, y = (x - mean) / sqrt(var + eps), with the biased
 * variance (divide by B) and eps = 1e-5.
 */
export class BatchNorm {
  /** y for x of shape [B, F], B >= 2. Must not change x. */
  forward(x: Tensor): Tensor {
    throw new Error("not implemented");
  }

  /** dL/dx given g = dL/dy, for the x of the last forward. Must not change g. */
  backward(g: Tensor): Tensor {
    throw new Error("not implemented");
  }
}
