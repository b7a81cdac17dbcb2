import { mean, mul, sub, type Tensor } from "gradmark/tensor";

const EPS = 1e-5;

/** Normalizes x in place "to save memory": the values are right, but the caller's x is gone. */
export class BatchNorm {
  private xhat: Tensor | null = null;
  private invStd: Float64Array | null = null;

  forward(x: Tensor): Tensor {
    const [rows, cols] = x.shape as [number, number];
    const invStd = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      let total = 0;
      for (let i = 0; i < rows; i++) total += x.data[i * cols + j]!;
      const mu = total / rows;
      let squares = 0;
      for (let i = 0; i < rows; i++) {
        x.data[i * cols + j]! -= mu;
        squares += x.data[i * cols + j]! ** 2;
      }
      invStd[j] = 1 / Math.sqrt(squares / rows + EPS);
      for (let i = 0; i < rows; i++) x.data[i * cols + j]! *= invStd[j]!;
    }
    this.xhat = x;
    this.invStd = invStd;
    return x;
  }

  backward(g: Tensor): Tensor {
    if (this.xhat === null || this.invStd === null) throw new Error("backward before forward");
    const xhat = this.xhat;
    const centered = sub(sub(g, mean(g, 0, true)), mul(xhat, mean(mul(g, xhat), 0, true)));
    const out = centered.clone();
    const cols = xhat.shape[1]!;
    for (let k = 0; k < out.size; k++) out.data[k]! *= this.invStd[k % cols]!;
    return out;
  }
}
