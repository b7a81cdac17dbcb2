import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { einsum } from "../../reference/tensor/index.js";
import { type ContractionPair, contractionPairArb } from "./contractionPair.js";

/** The contraction through the kit's einsum, e.g. 'abc,bcd->ad' for ranks 3, 3 and k = 2. */
function contract({ a, b, k }: ContractionPair) {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const sa = letters.slice(0, a.ndim);
  const sb = sa.slice(a.ndim - k) + letters.slice(a.ndim, a.ndim + b.ndim - k);
  const out = sa.slice(0, a.ndim - k) + sb.slice(k);
  return einsum(`${sa},${sb}->${out}`, a, b);
}

describe("contractionPairArb", () => {
  it("produces compatible pairs within the constraints", () => {
    fc.assert(
      fc.property(contractionPairArb({ maxRank: 3, maxSide: 3, min: -1, max: 1 }), (pair) => {
        const { a, b, k } = pair;
        expect(k).toBeGreaterThanOrEqual(0);
        expect(k).toBeLessThanOrEqual(Math.min(a.ndim, b.ndim));
        expect(a.ndim).toBeLessThanOrEqual(3);
        expect(b.ndim).toBeLessThanOrEqual(3);
        expect(a.shape.slice(a.ndim - k)).toEqual(b.shape.slice(0, k));
        for (const side of [...a.shape, ...b.shape]) {
          expect(side).toBeGreaterThanOrEqual(1);
          expect(side).toBeLessThanOrEqual(3);
        }
        for (const v of [...a.data, ...b.data]) expect(Math.abs(v)).toBeLessThanOrEqual(1);
        const out = contract(pair);
        expect(out.shape).toEqual([...a.shape.slice(0, a.ndim - k), ...b.shape.slice(k)]);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("produces k = 0 and k equal to the full rank of a, of b, and of both", () => {
    const pairs = fc.sample(contractionPairArb(), { seed: 2, numRuns: 300 });
    const count = (test: (p: ContractionPair) => boolean) => pairs.filter(test).length;
    expect(count((p) => p.k === 0)).toBeGreaterThan(20);
    expect(count((p) => p.k > 0 && p.k === p.a.ndim)).toBeGreaterThan(20);
    expect(count((p) => p.k > 0 && p.k === p.b.ndim)).toBeGreaterThan(20);
    expect(count((p) => p.k > 0 && p.k === p.a.ndim && p.k === p.b.ndim)).toBeGreaterThan(10);
    expect(count((p) => p.k === 0 && p.a.ndim === 0)).toBeGreaterThan(0);
  });

  it("honours a fixed k and a range of k", () => {
    fc.assert(
      fc.property(contractionPairArb({ k: 2 }), ({ k }) => k === 2),
      { seed: 3, numRuns: 50 },
    );
    const ks = new Set(
      fc
        .sample(contractionPairArb({ minK: 1, maxK: 2 }), { seed: 3, numRuns: 100 })
        .map((p) => p.k),
    );
    expect(ks).toEqual(new Set([1, 2]));
  });

  it("mixes in exact zeros and ones with specialValues", () => {
    const all = fc
      .sample(contractionPairArb({ specialValues: true }), { seed: 4, numRuns: 100 })
      .flatMap((p) => [...p.a.data, ...p.b.data]);
    expect(all).toContain(0);
    expect(all).toContain(1);
  });

  it("shrinks 'fails when k >= 2' to k = 2 with sides of 1 and no free dims", () => {
    for (const seed of [1, 2, 3]) {
      const out = fc.check(
        fc.property(contractionPairArb(), ({ k }) => k < 2),
        { seed },
      );
      const { a, b, k } = out.counterexample![0];
      expect(k).toBe(2);
      expect(a.shape).toEqual([1, 1]);
      expect(b.shape).toEqual([1, 1]);
      expect([...a.data, ...b.data]).toEqual([0, 0]);
    }
  });

  it("shrinks a value failure in b to scalars", () => {
    const out = fc.check(
      fc.property(contractionPairArb(), ({ b }) => b.data.every((v) => v > -1)),
      { seed: 5 },
    );
    const { a, b, k } = out.counterexample![0];
    expect(k).toBe(0);
    expect(a.shape).toEqual([]);
    expect(b.shape).toEqual([]);
    expect(Array.from(b.data)).toEqual([-1]);
  });

  it("validates its constraints when built", () => {
    expect(() => contractionPairArb({ k: 4, maxRank: 3 })).toThrow(
      "contractionPairArb: k (4) must not exceed maxRank (3)",
    );
    expect(() => contractionPairArb({ minK: 2, maxK: 1 })).toThrow(
      "contractionPairArb: minK (2) must not exceed maxK (1)",
    );
    expect(() => contractionPairArb({ k: 1, minK: 0 })).toThrow(
      "contractionPairArb: give either k or minK/maxK, not both",
    );
    expect(() => contractionPairArb({ maxK: 5 })).toThrow(
      "contractionPairArb: maxK (5) must not exceed maxRank (3)",
    );
    expect(() => contractionPairArb({ minSide: 4 })).not.toThrow();
    expect(() => contractionPairArb({ minSide: 4, maxSide: 2 })).toThrow(
      "contractionPairArb: minSide (4) must not exceed maxSide (2)",
    );
    expect(() => contractionPairArb({ min: 0, max: 0 })).toThrow(
      "contractionPairArb: min (0) must be less than max (0)",
    );
    expect(() => contractionPairArb({ rank: 2 } as never)).toThrow(
      "contractionPairArb: unknown constraint 'rank'",
    );
  });
});
