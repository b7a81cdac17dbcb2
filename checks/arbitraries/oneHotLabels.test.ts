import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { oneHotLabelsArb } from "./oneHotLabels.js";

describe("oneHotLabelsArb", () => {
  it("gives [B, C] matrices with exactly one 1 per row", () => {
    fc.assert(
      fc.property(
        oneHotLabelsArb({ batch: { min: 1, max: 6 }, classes: { min: 1, max: 5 } }),
        (t) => {
          const [rows, columns] = t.shape as [number, number];
          expect(t.ndim).toBe(2);
          expect(rows).toBeGreaterThanOrEqual(1);
          expect(rows).toBeLessThanOrEqual(6);
          expect(columns).toBeGreaterThanOrEqual(1);
          expect(columns).toBeLessThanOrEqual(5);
          for (let row = 0; row < rows; row++) {
            const values = Array.from(t.data.subarray(row * columns, (row + 1) * columns));
            expect(values.every((v) => v === 0 || v === 1)).toBe(true);
            expect(values.reduce((a, b) => a + b, 0)).toBe(1);
          }
        },
      ),
      { seed: 1, numRuns: 200 },
    );
  });

  it("takes fixed sizes and uses every class", () => {
    const samples = fc.sample(oneHotLabelsArb({ batch: 3, classes: 4 }), { seed: 2, numRuns: 50 });
    for (const t of samples) expect(t.shape).toEqual([3, 4]);
    const used = new Set(
      samples.flatMap((t) => [0, 1, 2].map((row) => t.data.indexOf(1, row * 4) % 4)),
    );
    expect(used).toEqual(new Set([0, 1, 2, 3]));
  });

  it("shrinks 'fails with 2 rows or more' to two rows of class 0", () => {
    const out = fc.check(
      fc.property(oneHotLabelsArb({ classes: { min: 2, max: 5 } }), (t) => t.shape[0]! < 2),
      { seed: 3 },
    );
    const t = out.counterexample![0];
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([1, 0, 1, 0]);
  });

  it("validates its constraints when built", () => {
    expect(() => oneHotLabelsArb({} as never)).toThrow(
      "oneHotLabelsArb: classes is required (a number or { min, max })",
    );
    expect(() => oneHotLabelsArb({ classes: 0 })).toThrow(
      "oneHotLabelsArb: classes (0) must be at least 1",
    );
    expect(() => oneHotLabelsArb({ classes: 3, batch: { min: 4, max: 2 } })).toThrow(
      "oneHotLabelsArb: batch.min (4) must not exceed batch.max (2)",
    );
    expect(() => oneHotLabelsArb({ classes: { min: 2 } as never })).toThrow(
      'oneHotLabelsArb: classes ({"min":2}) needs both min and max',
    );
  });
});
