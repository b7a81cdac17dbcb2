import { describe, expect, it } from "vitest";
import { crossEntropy } from "../../../../../reference/forward/layers.js";
import { scalar, type Tensor, tensor } from "../../../../../reference/tensor/index.js";
import { relativeStepVjp } from "./relativeStepVjp.js";

describe("relativeStepVjp: finite differences with a step relative to each entry", () => {
  it("relativeStepVjp gives -s / (B p) at p = 1e-300", () => {
    const P = tensor([[1e-300, 1]]);
    const labels = tensor([[1, 0]]);
    const g = relativeStepVjp((p: Tensor) => crossEntropy(p, labels), [P], scalar(2), 0);
    expect(g.data[0]! / -2e300).toBeCloseTo(1, 6);
    expect(g.data[1]).toBe(0);
  });

  it("moves entry k by 6.055454452393343e-6 |x_k| (that much where x_k = 0) and returns (plus - minus) / 2h, bit for bit", () => {
    const x = tensor([0, 1e-300, -2.5, 800]);
    const other = tensor([0.5, -1, 3, 2]);
    const f = (a: Tensor, b: Tensor) =>
      tensor(
        a.data.map((v, k) => v * v * b.data[k]!),
        a.shape,
      );
    const downstream = tensor([1, -2, 0.5, 3]);
    const g = relativeStepVjp(f, [x, other], downstream, 0);
    const at = (data: Float64Array) => {
      const out = f(tensor(data, x.shape), other);
      return out.data.reduce((total, v, k) => total + downstream.data[k]! * v, 0);
    };
    x.data.forEach((v, k) => {
      const h = 6.055454452393343e-6 * (v === 0 ? 1 : Math.abs(v));
      const plus = x.data.slice();
      plus[k] = v + h;
      const minus = x.data.slice();
      minus[k] = v - h;
      expect(g.data[k]).toBe((at(plus) - at(minus)) / (2 * h));
    });
  });
});
