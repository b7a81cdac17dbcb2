import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { layerStackArb, tensorArb } from "../../checks/index.js";
import * as solution from "../solution/layers";
import { type Tensor, tensor } from "../tensor/index.js";
import {
  applyLayer,
  applyLayers,
  bias,
  crossEntropy,
  linear,
  type ReferenceLayer,
  relu,
  sigmoid,
  softmax,
} from "./layers.js";

function expectClose(actual: Tensor, expected: Tensor, tol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  actual.data.forEach((v, i) => {
    expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected.data[i]!)),
    );
  });
}

describe("layer reference forwards", () => {
  it("linear is X W with right multiplication", () => {
    const X = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const W = tensor([
      [1, 0, 2],
      [0, 1, -1],
    ]);
    expect(linear(X, W).toArray()).toEqual([
      [1, 2, 0],
      [3, 4, 2],
      [5, 6, 4],
    ]);
    expect(() => linear(X, X)).toThrow(/linear: expected X \[B, N\] and W \[N, M\]/);
  });

  it("bias adds b to every row (not every column, also when batch == width)", () => {
    const X = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(bias(X, tensor([10, 20])).toArray()).toEqual([
      [11, 22],
      [13, 24],
    ]);
    expect(() => bias(X, tensor([1, 2, 3]))).toThrow(/bias/);
  });

  it("relu and sigmoid element-wise, sigmoid without overflow", () => {
    expect(relu(tensor([-2, 0, 3])).toArray()).toEqual([0, 0, 3]);
    const s = sigmoid(tensor([-800, -1, 0, 1, 800]));
    expect(s.data[0]).toBe(0);
    expect(s.data[2]).toBe(0.5);
    expect(s.data[4]).toBe(1);
    expect(s.data[1]! + s.data[3]!).toBeCloseTo(1, 15);
    expect(s.data[3]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
  });

  it("crossEntropy is the mean over rows of -log P[b, y_b] (HOMEWORK's example)", () => {
    const P = tensor([
      [0.5, 0.5],
      [0.25, 0.75],
    ]);
    const labels = tensor([
      [1, 0],
      [0, 1],
    ]);
    const z = crossEntropy(P, labels);
    expect(z.shape).toEqual([]);
    expect(z.item()).toBeCloseTo((-Math.log(0.5) - Math.log(0.75)) / 2, 15);
    // Unlabelled entries are never read: a 0 there does not give NaN.
    expect(crossEntropy(tensor([[1, 0]]), tensor([[1, 0]])).item()).toBe(0);
  });

  it("the layers agree with the staff solution's forwards", () => {
    fc.assert(
      fc.property(tensorArb({ shape: [3, 4] }), tensorArb({ shape: [4, 2] }), (X, W) => {
        expectClose(linear(X, W), new solution.Linear(W).forward(X));
        expectClose(relu(X), new solution.ReLU().forward(X));
        expectClose(sigmoid(X), new solution.Sigmoid().forward(X));
        expectClose(softmax(X), new solution.SoftMax().forward(X));
      }),
      { seed: 1, numRuns: 30 },
    );
  });

  it("applyLayers composes the layers of a generated stack like the solution's forwardLayers", () => {
    fc.assert(
      fc.property(layerStackArb({ withSoftmaxCrossEntropy: true }), (stack) => {
        const layers = stack.layers as ReferenceLayer[];
        const theirs = stack.layers.map((l): solution.Layer => {
          if (l.kind === "linear") return new solution.Linear(l.weights);
          if (l.kind === "bias") return new solution.Bias(l.bias);
          if (l.kind === "relu") return new solution.ReLU();
          if (l.kind === "sigmoid") return new solution.Sigmoid();
          if (l.kind === "softmax") return new solution.SoftMax();
          return new solution.CrossEntropy(l.labels);
        });
        expectClose(
          applyLayers(layers, stack.input),
          solution.forwardLayers(theirs, stack.input),
          1e-10,
        );
      }),
      { seed: 2, numRuns: 30 },
    );
    expect(applyLayer({ kind: "relu" }, tensor([-1, 1])).toArray()).toEqual([0, 1]);
  });
});
