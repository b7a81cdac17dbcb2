import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensorArb } from "../tensor.js";
import { tensorsArb } from "../tensors.js";
import { cachedArbitrary } from "./arbitraryCache.js";

describe("cachedArbitrary", () => {
  it("builds once per plain constraints, and again for other ones", () => {
    let builds = 0;
    const build = () => {
      builds++;
      return fc.integer();
    };
    const a = cachedArbitrary("test-once", { shape: [2, 3], min: -1, kinks: [0] }, build);
    const b = cachedArbitrary("test-once", { kinks: [0], min: -1, shape: [2, 3] }, build);
    expect(b).toBe(a);
    expect(builds).toBe(1);
    cachedArbitrary("test-once", { shape: [3, 2], min: -1, kinks: [0] }, build);
    cachedArbitrary("test-once", { shape: [2, 3], min: -1, kinks: [-0] }, build);
    cachedArbitrary("test-other", { shape: [2, 3], min: -1, kinks: [0] }, build);
    expect(builds).toBe(4);
  });

  it("builds every time when a constraint is not plain data", () => {
    let builds = 0;
    const build = () => {
      builds++;
      return fc.integer();
    };
    const shape = fc.constant([2]);
    cachedArbitrary("test-arb", { shape }, build);
    cachedArbitrary("test-arb", { shape }, build);
    cachedArbitrary("test-arb", { side: { min: 1, max: 2 } }, build);
    cachedArbitrary("test-arb", { side: { min: 1, max: 2 } }, build);
    expect(builds).toBe(4);
  });

  it("keeps a bounded number of arbitraries", () => {
    let builds = 0;
    const build = () => {
      builds++;
      return fc.integer();
    };
    for (let i = 0; i < 600; i++) cachedArbitrary("test-bound", { min: i }, build);
    // The oldest were let go: asking for the first again builds it again.
    cachedArbitrary("test-bound", { min: 0 }, build);
    expect(builds).toBe(601);
  });
});

describe("tensorArb and tensorsArb, cached", () => {
  it("draw exactly what a first build draws, and still refuse bad constraints every time", () => {
    const constraints = { shape: [3, 2], min: -2, max: 2 };
    expect(tensorArb({ ...constraints })).toBe(tensorArb(constraints));
    const first = fc.sample(tensorArb(constraints), { seed: 5, numRuns: 20 });
    const again = fc.sample(tensorArb({ ...constraints }), { seed: 5, numRuns: 20 });
    expect(again.map((t) => [...t.data])).toEqual(first.map((t) => [...t.data]));
    const pairs = fc.sample(tensorsArb({ count: 2, ...constraints }), { seed: 5, numRuns: 5 });
    expect(pairs.every((p) => p.length === 2)).toBe(true);
    expect(
      fc.sample(tensorsArb({ count: 3, ...constraints }), { seed: 5, numRuns: 1 })[0],
    ).toHaveLength(3);
    for (let i = 0; i < 2; i++) {
      expect(() => tensorArb({ shape: [2], min: 1, max: 0 })).toThrow(
        /min \(1\) must be less than max \(0\)/,
      );
    }
  });
});
