import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flexibleArray } from "./arrays.js";

describe("flexibleArray", () => {
  it("keeps lengths within [minLength, maxLength]", () => {
    fc.assert(
      fc.property(flexibleArray(fc.nat(9), 2, 5), (xs) => xs.length >= 2 && xs.length <= 5),
      { seed: 1, numRuns: 200 },
    );
  });

  it("shrinks [x, y] to [x], which fc.array with minLength 1 cannot do", () => {
    const fails = (xs: number[]) => xs.every((x) => x !== 7);
    const plain = fc.array(fc.nat(9), { minLength: 1, maxLength: 2 });
    // With fc.array, a failing first element followed by another one stays stuck at length 2.
    const stuck = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].some(
      (seed) => (fc.check(fc.property(plain, fails), { seed }).counterexample?.[0].length ?? 0) > 1,
    );
    expect(stuck).toBe(true);
    for (let seed = 0; seed < 10; seed++) {
      const out = fc.check(fc.property(flexibleArray(fc.nat(9), 1, 2), fails), { seed });
      expect(out.counterexample?.[0]).toEqual([7]);
    }
  });
});
