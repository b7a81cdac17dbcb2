import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensorArb } from "../../checks/index.js";
import { scalar, tensor } from "../tensor/index.js";
import {
  chainRuleComposite,
  linearMap,
  mixed,
  reuseComposite,
  rowSoftmax,
  squareProd,
} from "./derivatives.js";

describe("problem 2 reference forwards", () => {
  it("squareProd is (x1^2, x1 x2 x3)", () => {
    expect(squareProd(tensor([1, 2, 3])).toArray()).toEqual([1, 6]);
    expect(squareProd(tensor([-2, 0.5, 4])).toArray()).toEqual([4, -4]);
    expect(() => squareProd(tensor([1, 2]))).toThrow(/\[3\]/);
  });

  it("mixed is (x2^2, x1 + x2, x1 x2)", () => {
    expect(mixed(tensor([1, 2])).toArray()).toEqual([4, 3, 2]);
    expect(mixed(tensor([-3, 0.5])).toArray()).toEqual([0.25, -2.5, -1.5]);
  });

  it("linearMap is X W", () => {
    const X = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const W = tensor([
      [1, 0, 2],
      [0, 1, -1],
    ]);
    expect(linearMap(X, W).toArray()).toEqual([
      [1, 2, 0],
      [3, 4, 2],
      [5, 6, 4],
    ]);
  });

  it("rowSoftmax is e^x / sum e^x per row", () => {
    fc.assert(
      fc.property(tensorArb({ minRank: 2, maxRank: 2 }), (X) => {
        const S = rowSoftmax(X);
        const [B, C] = X.shape as [number, number];
        for (let b = 0; b < B; b++) {
          let total = 0;
          for (let c = 0; c < C; c++) total += Math.exp(X.get(b, c));
          for (let c = 0; c < C; c++) {
            expect(S.get(b, c)).toBeCloseTo(Math.exp(X.get(b, c)) / total, 12);
          }
        }
      }),
      { seed: 4, numRuns: 50 },
    );
  });

  it("reuseComposite is z * 2z", () => {
    expect(reuseComposite(tensor([1, -2, 0.5])).toArray()).toEqual([2, 8, 0.5]);
  });

  it("chainRuleComposite is (x (z + w))^2", () => {
    expect(chainRuleComposite(scalar(2), scalar(2), scalar(3)).item()).toBe(100);
    expect(chainRuleComposite(scalar(-1), scalar(0.5), scalar(1)).item()).toBe(2.25);
  });
});
