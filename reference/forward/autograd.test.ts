import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contractionPairArb, tensorArb } from "../../checks/index.js";
import { contract } from "../solution/contractions";
import { scalar, type Tensor, tensor } from "../tensor/index.js";
import {
  evaluateGraph,
  GRAPH_OPS,
  matrixMultiply,
  maximum,
  power,
  reduceMax,
  scalarMultiply,
  softmaxCrossEntropy,
  sum,
  tensordot,
  variableAdd,
  variableMultiply,
} from "./autograd.js";
import { crossEntropy, softmax } from "./layers.js";

function expectClose(actual: Tensor, expected: Tensor, tol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  actual.data.forEach((v, i) => {
    expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected.data[i]!)),
    );
  });
}

describe("operation reference forwards", () => {
  it("n-ary add, multiply and maximum, element-wise", () => {
    const a = tensor([1, -2, 0]);
    const b = tensor([3, 4, 5]);
    const c = tensor([2, 2, -1]);
    expect(variableAdd(a, b, c).toArray()).toEqual([6, 4, 4]);
    expect(variableMultiply(a, b, c).toArray()).toEqual([6, -16, -0]);
    expect(maximum(a, b, c).toArray()).toEqual([3, 4, 5]);
    expect(variableAdd(a).toArray()).toEqual([1, -2, 0]);
    expect(() => variableAdd(a, tensor([1, 2]))).toThrow(/variableAdd/);
    // The inputs are not changed.
    expect(a.toArray()).toEqual([1, -2, 0]);
  });

  it("scalar multiply, matrix multiply, power, reductions", () => {
    expect(scalarMultiply(scalar(2), tensor([1, -3])).toArray()).toEqual([2, -6]);
    expect(() => scalarMultiply(tensor([2]), tensor([1]))).toThrow(/shape \[\]/);
    expect(matrixMultiply(tensor([[1, 2]]), tensor([[3], [4]])).toArray()).toEqual([[11]]);
    expect(power(tensor([4, 9]), 0.5).toArray()).toEqual([2, 3]);
    expect(power(tensor([2]), -1).toArray()).toEqual([0.5]);
    expect(
      reduceMax(
        tensor([
          [1, 7],
          [3, -2],
        ]),
      ).item(),
    ).toBe(7);
    expect(
      sum(
        tensor([
          [1, 7],
          [3, -2],
        ]),
      ).shape,
    ).toEqual([]);
    expect(
      sum(
        tensor([
          [1, 7],
          [3, -2],
        ]),
      ).item(),
    ).toBe(9);
  });

  it("tensordot equals the contraction for k = 0 (outer product) up to full rank", () => {
    const ks = new Set<number>();
    fc.assert(
      fc.property(
        contractionPairArb({ maxRank: 3, maxSide: 3, specialValues: true }),
        ({ a, b, k }) => {
          ks.add(k);
          expectClose(tensordot(a, b, k), contract(a, b, k), 1e-12);
        },
      ),
      { seed: 3, numRuns: 100 },
    );
    expect([...ks].sort()).toEqual([0, 1, 2, 3]);
    expect(tensordot(tensor([1, 2]), tensor([3, 4]), 0).toArray()).toEqual([
      [3, 4],
      [6, 8],
    ]);
    expect(tensordot(tensor([1, 2]), tensor([3, 4]), 1).item()).toBe(11);
    expect(() => tensordot(tensor([1, 2]), tensor([3, 4, 5]), 1)).toThrow(/tensordot/);
  });

  it("softmax cross-entropy is cross-entropy of softmax, stable for large logits", () => {
    fc.assert(
      fc.property(
        tensorArb({ shape: [3, 4] }),
        fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }),
        (logits, picks) => {
          const labels = tensor(picks.map((p) => [0, 1, 2, 3].map((c) => (c === p ? 1 : 0))));
          expectClose(
            softmaxCrossEntropy(logits, labels),
            crossEntropy(softmax(logits), labels),
            1e-12,
          );
        },
      ),
      { seed: 4, numRuns: 30 },
    );
    const big = softmaxCrossEntropy(tensor([[1000, 0]]), tensor([[0, 1]]));
    expect(big.item()).toBeCloseTo(1000, 9);
  });
});

describe("graph operations", () => {
  it("evaluate graphs, with one argument slot replaced on request", () => {
    const x = tensor([0.5, -1]);
    const y = tensor([2, 3]);
    const nodes = [
      { op: "add", args: [0, 1] },
      { op: "mul", args: [0, 2] },
    ];
    expect(evaluateGraph(nodes, [x, y]).toArray()).toEqual([1.25, -2]);
    const replaced = evaluateGraph(nodes, [x, y], (n, p, v) =>
      n === 1 && p === 0 ? tensor([1, 1]) : v,
    );
    expect(replaced.toArray()).toEqual([2.5, 2]);
    expect(() => evaluateGraph([{ op: "nope", args: [0] }], [x])).toThrow(/unknown operation/);
  });

  it("mean, mul, sin, scale and meanAll keep values in [-1, 1]", () => {
    const x = tensor([-1, -0.3, 0, 0.7, 1]);
    for (const name of ["mean", "mul", "sin", "scale", "meanAll"]) {
      const out = GRAPH_OPS[name]!(x, x, x);
      for (const v of out.data) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
    expect(GRAPH_OPS.mean!(tensor([1]), tensor([3])).toArray()).toEqual([2]);
    expect(GRAPH_OPS.meanAll!(tensor([1, 3])).item()).toBe(2);
    expect(GRAPH_OPS.scale!(tensor([4])).toArray()).toEqual([3]);
  });
});
