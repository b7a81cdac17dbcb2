import { add, div, mean, mul, sqrt, sub, type Tensor } from "gradmark/tensor";

const EPS = 1e-5;

/**
 * Batch normalization without learned parameters: each feature (column) of x, of shape [B, F],
 * is centred and scaled over the batch, y = (x - mean) / sqrt(var + eps), var biased.
 */
export class BatchNorm {
  private xhat: Tensor | null = null;
  private invStd: Tensor | null = null;

  forward(x: Tensor): Tensor {
    const centered = sub(x, mean(x, 0, true));
    const variance = mean(mul(centered, centered), 0, true);
    this.invStd = div(1, sqrt(add(variance, EPS)));
    this.xhat = mul(centered, this.invStd);
    return this.xhat;
  }

  /** dL/dx as if the mean and the variance were constants: g / sqrt(var + eps). */
  backward(g: Tensor): Tensor {
    if (this.invStd === null) throw new Error("backward before forward");
    return mul(g, this.invStd);
  }
}
