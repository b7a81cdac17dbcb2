import { describe, expect, it } from "vitest";
import { matmul, mul, randn, sum, type Tensor, tensor } from "../reference/tensor/index.js";
import { numericalDerivative } from "./numericalDerivative.js";
import { numericalVjp } from "./numericalVjp.js";

const close = (a: Tensor, b: number[], digits = 6) => {
  expect(a.data.length).toBe(b.length);
  a.data.forEach((v, i) => {
    expect(v).toBeCloseTo(b[i]!, digits);
  });
};

describe("numericalDerivative", () => {
  it("gives the lecture's Jacobian of (x1^2, x1 x2 x3) in input-then-output layout", () => {
    const f = (x: Tensor) => {
      const [a, b, c] = x.data as unknown as [number, number, number];
      return tensor([a * a, a * b * c]);
    };
    const d = numericalDerivative((x) => f(x!), [tensor([1, 2, 3])]);
    expect(d.shape).toEqual([3, 2]);
    close(d, [2, 6, 0, 3, 0, 2]);
  });

  it("gives D_X[Z] = (36, 8) for Z = x1^3 x2 at (2, 3)", () => {
    const d = numericalDerivative((x) => tensor(x!.data[0]! ** 3 * x!.data[1]!), [tensor([2, 3])]);
    expect(d.shape).toEqual([2]);
    close(d, [36, 8], 5);
  });

  it("has shape input dims ++ output dims for matrices and picks the input by wrt", () => {
    const X = randn([2, 3], 1);
    const W = randn([3, 4], 2);
    const dX = numericalDerivative((x, w) => matmul(x!, w!), [X, W], 0);
    expect(dX.shape).toEqual([2, 3, 2, 4]);
    // d (XW)[b, m] / d X[a, n] = [a == b] W[n, m]
    expect(dX.get(1, 2, 1, 3)).toBeCloseTo(W.get(2, 3), 8);
    expect(dX.get(1, 2, 0, 3)).toBeCloseTo(0, 10);
    const dW = numericalDerivative((x, w) => matmul(x!, w!), [X, W], 1);
    expect(dW.shape).toEqual([3, 4, 2, 4]);
  });

  it("scales the step with the magnitude of each element", () => {
    // At 1e8 an absolute step of 6e-6 would be lost in rounding; a relative one is not.
    const d = numericalDerivative((x) => mul(x!, x!), [tensor([1e8])]);
    expect(d.get(0, 0) / 2e8).toBeCloseTo(1, 6);
  });

  it("rejects a bad wrt", () => {
    expect(() => numericalDerivative((x) => x!, [tensor([1])], 2)).toThrow(
      /wrt must be an input index in 0..0, got 2/,
    );
  });
});

describe("numericalVjp", () => {
  it("contracts the derivative with the downstream gradient", () => {
    const X = randn([2, 3], 3);
    const W = randn([3, 4], 4);
    const G = randn([2, 4], 5);
    const vjp = numericalVjp((x, w) => matmul(x!, w!), [X, W], G, 1);
    const exact = matmul(X.transpose(), G);
    close(vjp, [...exact.data], 7);
  });

  it("says when f's output does not match the downstream gradient", () => {
    expect(() => numericalVjp((x) => sum(x!), [tensor([1, 2])], tensor([1, 1]))).toThrow(
      /f returned shape \[\] but the downstream gradient has shape \[2\]/,
    );
  });
});
