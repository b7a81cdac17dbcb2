import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { softmax } from "../../../../../reference/forward/layers.js";
import { div, map, sum, tensor } from "../../../../../reference/tensor/index.js";
import { extremeSoftmaxInputs, shiftRows } from "./softmaxRows.js";

describe("problem 3: issue 14, softmax rows near 800 and tiny label probabilities", () => {
  it("extreme softmax inputs always have a row that overflows or underflows a softmax without the max shift, and the reference stays finite", () => {
    for (const X of fc.sample(extremeSoftmaxInputs(fc.constant(3), fc.constant(3)), {
      numRuns: 200,
      seed: 4,
    })) {
      expect(X.data.some((x) => Math.abs(x) >= 717)).toBe(true);
      expect(softmax(X).data.every(Number.isFinite)).toBe(true);
      const naive = map(X, Math.exp);
      expect(div(naive, sum(naive, 1, true)).data.some(Number.isNaN)).toBe(true);
    }
  });

  it("shiftRows subtracts each row's maximum and leaves the softmax unchanged", () => {
    const X = tensor([
      [800, 799, -3],
      [-780, -781, -790],
    ]);
    expect(Array.from(shiftRows(X).data)).toEqual([0, -1, -803, 0, -1, -10]);
    expect(Array.from(softmax(shiftRows(X)).data)).toEqual(Array.from(softmax(X).data));
  });
});
