import { Tensor } from "gradmark/tensor";

const EPS = 1e-5;

/** BatchNorm with explicit loops over a fresh Float64Array: x and g are only read. */
export class BatchNorm {
  private xhat = new Float64Array(0);
  private invStd = new Float64Array(0);
  private shape: [number, number] = [0, 0];

  forward(x: Tensor): Tensor {
    const [rows, cols] = x.shape as [number, number];
    this.shape = [rows, cols];
    this.xhat = new Float64Array(rows * cols);
    this.invStd = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      let total = 0;
      for (let i = 0; i < rows; i++) total += x.data[i * cols + j]!;
      const mu = total / rows;
      let squares = 0;
      for (let i = 0; i < rows; i++) squares += (x.data[i * cols + j]! - mu) ** 2;
      const inv = 1 / Math.sqrt(squares / rows + EPS);
      this.invStd[j] = inv;
      for (let i = 0; i < rows; i++) this.xhat[i * cols + j] = (x.data[i * cols + j]! - mu) * inv;
    }
    return new Tensor(this.xhat.slice(), [rows, cols]);
  }

  backward(g: Tensor): Tensor {
    const [rows, cols] = this.shape;
    const out = new Float64Array(rows * cols);
    for (let j = 0; j < cols; j++) {
      let sumG = 0;
      let sumGX = 0;
      for (let i = 0; i < rows; i++) {
        sumG += g.data[i * cols + j]!;
        sumGX += g.data[i * cols + j]! * this.xhat[i * cols + j]!;
      }
      for (let i = 0; i < rows; i++) {
        const k = i * cols + j;
        out[k] = (this.invStd[j]! * (rows * g.data[k]! - sumG - this.xhat[k]! * sumGX)) / rows;
      }
    }
    return new Tensor(out, [rows, cols]);
  }
}
