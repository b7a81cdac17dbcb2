import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tensor } from "../../reference/tensor/index.js";
import { shapeArb } from "./shape.js";
import { tensorArb } from "./tensor.js";
import { tensorsArb } from "./tensors.js";

const SEEDS = [1, 2, 3, 42, 2024];
const values = (t: Tensor) => Array.from(t.data);

describe("tensorArb", () => {
  it("keeps shapes and values within the constraints", () => {
    const constraints = { minRank: 1, maxRank: 3, minSide: 1, maxSide: 3, min: -2, max: 0.5 };
    fc.assert(
      fc.property(tensorArb(constraints), (t) => {
        expect(t.ndim).toBeGreaterThanOrEqual(1);
        expect(t.ndim).toBeLessThanOrEqual(3);
        expect(t.shape.every((side) => side >= 1 && side <= 3)).toBe(true);
        expect(t.data).toHaveLength(t.shape.reduce((a, b) => a * b, 1));
        for (const v of values(t)) {
          expect(v).toBeGreaterThanOrEqual(-2);
          expect(v).toBeLessThanOrEqual(0.5);
        }
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("spreads values over the range (no crowding near 0) and reaches every rank", () => {
    const tensors = fc.sample(tensorArb(), { seed: 2, numRuns: 300 });
    const all = tensors.flatMap(values);
    const tiny = all.filter((v) => v !== 0 && Math.abs(v) < 1e-3).length;
    expect(tiny / all.length).toBeLessThan(0.01);
    expect(all.filter((v) => v > 2).length / all.length).toBeGreaterThan(0.1);
    expect(all.filter((v) => v < -2).length / all.length).toBeGreaterThan(0.1);
    expect(new Set(tensors.map((t) => t.ndim))).toEqual(new Set([0, 1, 2, 3]));
  });

  it("keeps every value at least margin away from every kink", () => {
    const cases = [
      { kinks: [0], margin: 0.25 },
      { kinks: [-1, 0.5, 2], margin: 0.3, specialValues: true },
      { kinks: [0, 1], margin: 1, integers: true, min: -4, max: 4 },
      { kinks: [0], margin: 2.5, min: -3, max: 3 },
    ];
    for (const { kinks, margin, ...rest } of cases) {
      fc.assert(
        fc.property(tensorArb({ kinks, margin, ...rest }), (t) => {
          for (const v of values(t)) {
            for (const kink of kinks) expect(Math.abs(v - kink)).toBeGreaterThanOrEqual(margin);
          }
        }),
        { seed: 3, numRuns: 150 },
      );
    }
  });

  it("uses the default margin of 1e-3 when kinks are given without one", () => {
    fc.assert(
      fc.property(tensorArb({ kinks: [0], integers: false, min: -0.01, max: 0.01 }), (t) => {
        for (const v of values(t)) expect(Math.abs(v)).toBeGreaterThanOrEqual(1e-3);
      }),
      { seed: 4, numRuns: 100 },
    );
  });

  it("mixes in exact 0, 1 and -1 with specialValues, and none that sits on a kink", () => {
    const all = fc
      .sample(tensorArb({ specialValues: true }), { seed: 5, numRuns: 200 })
      .flatMap(values);
    for (const special of [0, 1, -1]) expect(all).toContain(special);
    const relu = fc
      .sample(tensorArb({ specialValues: true, kinks: [0], margin: 0.1 }), {
        seed: 5,
        numRuns: 200,
      })
      .flatMap(values);
    expect(relu).toContain(1);
    expect(relu).not.toContain(0);
  });

  it("generates integers only when asked", () => {
    fc.assert(
      fc.property(tensorArb({ integers: true, min: -2.5, max: 7 }), (t) => {
        for (const v of values(t)) {
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(-2);
          expect(v).toBeLessThanOrEqual(7);
        }
      }),
      { seed: 6, numRuns: 150 },
    );
  });

  it("keeps values pairwise distinctBy apart, also with kinks and integers", () => {
    const cases = [
      { distinctBy: 0.05 },
      { distinctBy: 0.02, kinks: [0], margin: 0.5 },
      { distinctBy: 2, integers: true, min: -200, max: 200 },
      { distinctBy: 0.3, shape: [4, 5], min: -3, max: 3 },
    ];
    for (const { distinctBy, ...rest } of cases) {
      fc.assert(
        fc.property(tensorArb({ distinctBy, ...rest }), (t) => {
          const sorted = values(t).sort((a, b) => a - b);
          for (let i = 1; i < sorted.length; i++) {
            expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(distinctBy);
          }
        }),
        { seed: 7, numRuns: 100 },
      );
    }
  });

  it("takes a fixed shape or an arbitrary of shapes", () => {
    fc.assert(
      fc.property(tensorArb({ shape: [2, 3] }), (t) => {
        expect(t.shape).toEqual([2, 3]);
      }),
      { seed: 8, numRuns: 50 },
    );
    fc.assert(
      fc.property(tensorArb({ shape: shapeArb({ minRank: 2, maxRank: 2, maxSide: 2 }) }), (t) => {
        expect(t.ndim).toBe(2);
        expect(t.shape.every((side) => side <= 2)).toBe(true);
      }),
      { seed: 8, numRuns: 50 },
    );
  });

  it("validates its constraints when built", () => {
    expect(() => tensorArb({ min: 1, max: 1 })).toThrow(
      "tensorArb: min (1) must be less than max (1)",
    );
    expect(() => tensorArb({ min: 2, max: -2 })).toThrow("tensorArb: min (2) must be less than");
    expect(() => tensorArb({ max: Number.POSITIVE_INFINITY })).toThrow(
      "tensorArb: max (Infinity) must be a finite number",
    );
    expect(() => tensorArb({ kinks: [0], margin: -1 })).toThrow(
      "tensorArb: margin (-1) must not be negative",
    );
    expect(() => tensorArb({ kinks: [0], margin: 3, min: -2, max: 2 })).toThrow(
      "tensorArb: margin (3) leaves no value of [-2, 2]",
    );
    expect(() => tensorArb({ kinks: [0, Number.NaN] })).toThrow(
      "tensorArb: kinks[1] (NaN) must be a finite number",
    );
    expect(() => tensorArb({ integers: true, min: 0.2, max: 0.7 })).toThrow(
      "tensorArb: integers is true but [min, max] = [0.2, 0.7] holds no integer",
    );
    expect(() => tensorArb({ distinctBy: 0 })).toThrow(
      "tensorArb: distinctBy (0) must be a positive number",
    );
    expect(() => tensorArb({ distinctBy: 0.1 })).toThrow(
      "tensorArb: distinctBy (0.1) needs room for 64 values",
    );
    expect(() => tensorArb({ shape: [2, 2], maxRank: 3 })).toThrow(
      "tensorArb: give either shape or shape constraints, not both (got shape and maxRank)",
    );
    expect(() => tensorArb({ shape: [2, -1] })).toThrow("tensorArb: shape[1] (-1)");
    expect(() => tensorArb({ maxSide: 10, maxRank: 5 })).toThrow(
      "tensorArb: maxSide (10) ** maxRank (5) allows tensors of 100000 elements",
    );
    expect(() => tensorArb({ minRank: 4 })).not.toThrow();
    expect(() => tensorArb({ specialvalues: true } as never)).toThrow(
      "tensorArb: unknown constraint 'specialvalues'",
    );
  });

  it("shrinks 'fails when some value > 1' to the scalar 2", () => {
    for (const seed of SEEDS) {
      const out = fc.check(
        fc.property(tensorArb(), (t) => values(t).every((v) => v <= 1)),
        { seed },
      );
      const t = out.counterexample?.[0];
      expect(t?.shape).toEqual([]);
      expect(values(t!)).toEqual([2]);
    }
  });

  it("shrinks to the smallest allowed shape and simple values", () => {
    for (const seed of SEEDS) {
      const out = fc.check(
        fc.property(tensorArb({ minRank: 2, minSide: 2, maxRank: 3 }), (t) =>
          values(t).every((v) => v >= -2.5),
        ),
        { seed },
      );
      const t = out.counterexample![0];
      expect(t.shape).toEqual([2, 2]);
      expect(values(t).sort()).toEqual([-3, 0, 0, 0]);
    }
  });

  it("shrinks a structural failure to the smallest such shape with zeros", () => {
    for (const seed of SEEDS) {
      const out = fc.check(
        fc.property(tensorArb(), (t) => t.size < 4),
        { seed },
      );
      const t = out.counterexample![0];
      expect(t.size).toBe(4);
      expect(values(t)).toEqual([0, 0, 0, 0]);
    }
  });

  it("shrinks values to the simplest allowed value next to a kink", () => {
    const out = fc.check(
      fc.property(tensorArb({ kinks: [0], margin: 0.5 }), (_value) => false),
      { seed: 9 },
    );
    expect(out.counterexample?.[0].shape).toEqual([]);
    expect(values(out.counterexample![0])).toEqual([0.5]);
  });
});

describe("tensorsArb", () => {
  it("gives count tensors of one shape", () => {
    fc.assert(
      fc.property(tensorsArb({ count: 3, maxRank: 2 }), (ts) => {
        expect(ts).toHaveLength(3);
        for (const t of ts) expect(t.shape).toEqual(ts[0]!.shape);
      }),
      { seed: 10, numRuns: 100 },
    );
    fc.assert(
      fc.property(tensorsArb({ count: 2, shape: [3] }), (ts) => {
        expect(ts.map((t) => t.shape)).toEqual([[3], [3]]);
      }),
      { seed: 10, numRuns: 20 },
    );
  });

  it("shrinks a failure in the second tensor to scalars", () => {
    const out = fc.check(
      fc.property(tensorsArb({ count: 2 }), ([, b]) => values(b!).every((v) => v <= 1)),
      { seed: 11 },
    );
    const [a, b] = out.counterexample![0];
    expect(a!.shape).toEqual([]);
    expect(values(a!)).toEqual([0]);
    expect(values(b!)).toEqual([2]);
  });

  it("validates count", () => {
    expect(() => tensorsArb({ count: 0 })).toThrow("tensorsArb: count (0) must be at least 1");
    expect(() => tensorsArb({} as never)).toThrow("tensorsArb: count is required");
  });
});
