import { add, div, mean, mul, sqrt, sub, type Tensor } from "gradmark/tensor";

const EPS = 1e-5;

/** Keeps the mean and the variance of the first batch it sees, as if they were running averages. */
export class BatchNorm {
  private mu: Tensor | null = null;
  private invStd: Tensor | null = null;
  private xhat: Tensor | null = null;

  forward(x: Tensor): Tensor {
    if (this.mu === null) {
      this.mu = mean(x, 0, true);
      const centered = sub(x, this.mu);
      this.invStd = div(1, sqrt(add(mean(mul(centered, centered), 0, true), EPS)));
    }
    this.xhat = mul(sub(x, this.mu), this.invStd!);
    return this.xhat;
  }

  backward(g: Tensor): Tensor {
    if (this.xhat === null || this.invStd === null) throw new Error("backward before forward");
    const meanG = mean(g, 0, true);
    const meanGX = mean(mul(g, this.xhat), 0, true);
    return mul(this.invStd, sub(sub(g, meanG), mul(this.xhat, meanGX)));
  }
}
