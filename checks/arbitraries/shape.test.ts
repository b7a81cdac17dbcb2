import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shapeArb } from "./shape.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 42, 2024];

describe("shapeArb", () => {
  it("keeps rank and sides within the constraints", () => {
    const cases = [
      {},
      { minRank: 2, maxRank: 2 },
      { minRank: 1, maxRank: 4, minSide: 2, maxSide: 5 },
      { maxRank: 0 },
      { minSide: 0, maxSide: 2 },
    ];
    for (const constraints of cases) {
      const { minRank = 0, maxRank = 3, minSide = 1, maxSide = 4 } = constraints;
      fc.assert(
        fc.property(shapeArb(constraints), (shape) => {
          expect(shape.length).toBeGreaterThanOrEqual(minRank);
          expect(shape.length).toBeLessThanOrEqual(maxRank);
          for (const side of shape) {
            expect(Number.isInteger(side)).toBe(true);
            expect(side).toBeGreaterThanOrEqual(minSide);
            expect(side).toBeLessThanOrEqual(maxSide);
          }
        }),
        { seed: 7, numRuns: 200 },
      );
    }
  });

  it("reaches every rank and both extreme sides", () => {
    const shapes = fc.sample(shapeArb(), { seed: 11, numRuns: 300 });
    expect(new Set(shapes.map((s) => s.length))).toEqual(new Set([0, 1, 2, 3]));
    const sides = new Set(shapes.flat());
    expect(sides.has(1)).toBe(true);
    expect(sides.has(4)).toBe(true);
  });

  it("shrinks 'fails whenever some side >= 3' to one side 3 and the rest 1", () => {
    for (const seed of SEEDS) {
      const out = fc.check(
        fc.property(shapeArb(), (shape) => shape.every((side) => side < 3)),
        { seed },
      );
      expect(out.failed).toBe(true);
      expect(out.counterexample?.[0]).toEqual([3]);
    }
  });

  it("shrinks to exactly minRank dimensions (any dimension can be dropped)", () => {
    for (const seed of SEEDS) {
      const out = fc.check(
        fc.property(shapeArb({ minRank: 2, maxRank: 4 }), (shape) =>
          shape.every((side) => side < 3),
        ),
        { seed },
      );
      const shape = out.counterexample?.[0] ?? [];
      expect(shape).toHaveLength(2);
      expect([...shape].sort()).toEqual([1, 3]);
      const one = fc.check(
        fc.property(shapeArb({ minRank: 1 }), (s) => s.every((side) => side < 3)),
        { seed },
      );
      expect(one.counterexample?.[0]).toEqual([3]);
    }
  });

  it("shrinks 'fails whenever rank >= 2' to [1, 1]", () => {
    for (const seed of SEEDS) {
      const out = fc.check(
        fc.property(shapeArb({ maxSide: 9 }), (shape) => shape.length < 2),
        { seed },
      );
      expect(out.counterexample?.[0]).toEqual([1, 1]);
    }
  });

  it("shrinks sides to 1 even when 0 is allowed", () => {
    const out = fc.check(
      fc.property(shapeArb({ minRank: 1, minSide: 0 }), (_value) => false),
      { seed: 5 },
    );
    expect(out.counterexample?.[0]).toEqual([1]);
  });

  it("validates its constraints when built", () => {
    expect(() => shapeArb({ minRank: 3, maxRank: 2 })).toThrow(
      "shapeArb: minRank (3) must not exceed maxRank (2)",
    );
    expect(() => shapeArb({ minSide: 5, maxSide: 2 })).toThrow(
      "shapeArb: minSide (5) must not exceed maxSide (2)",
    );
    expect(() => shapeArb({ minRank: -1 })).toThrow("shapeArb: minRank (-1) must be at least 0");
    expect(() => shapeArb({ maxSide: 2.5 })).toThrow("shapeArb: maxSide (2.5) must be an integer");
    expect(() => shapeArb({ maxRank: Number.NaN })).toThrow("maxRank (NaN) must be an integer");
    expect(() => shapeArb({ maxrank: 2 } as never)).toThrow(
      "shapeArb: unknown constraint 'maxrank'",
    );
  });

  it("raises maxRank and maxSide defaults to meet minRank and minSide", () => {
    const shapes = fc.sample(shapeArb({ minRank: 5, minSide: 6 }), { seed: 1, numRuns: 20 });
    for (const shape of shapes) {
      expect(shape).toHaveLength(5);
      expect(shape.every((side) => side === 6)).toBe(true);
    }
  });
});
