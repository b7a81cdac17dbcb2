import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exp, map, mul, type Tensor, tensor } from "../reference/tensor/index.js";
import { tensorArb } from "./arbitraries/tensor.js";
import { elementwiseVjp, numericalVjp } from "./numericalVjp.js";

describe("elementwiseVjp", () => {
  it("agrees with numericalVjp on element-wise functions of ordinary inputs", () => {
    fc.assert(
      fc.property(tensorArb({ minRank: 1, maxRank: 3, maxSide: 3, min: -3, max: 3 }), (x) => {
        const downstream = map(x, Math.sin);
        const f = (t: Tensor) => mul(t, exp(t));
        const fast = elementwiseVjp(f, x, downstream);
        const slow = numericalVjp((t) => f(t!), [x], downstream);
        for (let k = 0; k < x.size; k++) {
          expect(fast.data[k]).toBeCloseTo(slow.data[k]!, 6);
        }
      }),
      { seed: 14, numRuns: 50 },
    );
  });

  it("keeps each entry's own difference next to an entry near e^700, where a sum loses it", () => {
    const x = tensor([700, 1, -2]);
    const downstream = tensor([1, 2, -1]);
    const vjp = elementwiseVjp(exp, x, downstream);
    const exact = [Math.exp(700), 2 * Math.E, -Math.exp(-2)];
    exact.forEach((value, k) => {
      expect(Math.abs(vjp.data[k]! - value) / Math.abs(value)).toBeLessThan(1e-9);
    });
    // The plain sum's difference cannot see the small entries next to 1e304.
    const summed = numericalVjp((t) => exp(t!), [x], downstream);
    expect(Math.abs(summed.data[1]! - exact[1]!)).toBeGreaterThan(1);
  });

  it("refuses a step that is not a positive finite number, and a function that changes the shape", () => {
    const x = tensor([1, 2]);
    expect(() => elementwiseVjp(exp, x, x, 0)).toThrow(/step must be a positive finite number/);
    expect(() => elementwiseVjp(exp, x, x, Number.NaN)).toThrow(/step/);
    expect(() => elementwiseVjp(() => tensor([1]), x, x)).toThrow(/keep the shape \[2\]/);
  });
});
