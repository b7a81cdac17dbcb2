import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cellsArb, resolveValues, spreadApart, ValueDomain, valuesFromCells } from "./values.js";

describe("ValueDomain", () => {
  it("cuts the margin-neighbourhoods of kinks out of [min, max]", () => {
    const domain = new ValueDomain(-3, 3, [0, 2], 0.5, false);
    expect(domain.pieces.map(({ lo, hi }) => [lo, hi])).toEqual([
      [-3, -0.5],
      [0.5, 1.5],
      [2.5, 3],
    ]);
    expect(domain.span).toBeCloseTo(2.5 + 1 + 0.5, 12);
  });

  it("maps a value that is too close to a kink outward to kink ± margin", () => {
    const domain = new ValueDomain(-3, 3, [0], 0.5, false);
    expect(domain.nearest(0.1)).toBe(0.5);
    expect(domain.nearest(-0.1)).toBe(-0.5);
    expect(domain.nearest(0)).toBe(0.5); // a tie goes up
    expect(domain.nearest(0.7)).toBe(0.7);
    expect(domain.nearest(9)).toBe(3);
  });

  it("falls back to the other side when one side of a kink is out of range", () => {
    const domain = new ValueDomain(-1, 0.2, [0], 0.5, false);
    expect(domain.nearest(0.1)).toBe(-0.5);
    expect(domain.nearest(0)).toBe(-0.5);
  });

  it("keeps kink ± margin at least margin away in floating point", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 1e-9, max: 1, noNaN: true }),
        (kink, margin) => {
          const domain = new ValueDomain(-200, 200, [kink], margin, false);
          for (const v of [kink, kink + margin / 2, kink - margin / 2]) {
            expect(Math.abs(domain.nearest(v) - kink)).toBeGreaterThanOrEqual(margin);
          }
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  it("handles integers and overlapping neighbourhoods", () => {
    const domain = new ValueDomain(-3, 3, [0, 0.5], 1, true);
    expect(domain.pieces.map(({ lo, hi }) => [lo, hi])).toEqual([
      [-3, -1],
      [2, 3],
    ]);
    expect(domain.nearest(0.4)).toBe(-1);
    expect(domain.nearest(1)).toBe(2);
    expect(domain.toCoord(2)).toBe(3);
    expect(domain.fromCoord(3)).toBe(2);
  });

  it("round-trips coordinates (the two edges of a gap share a coordinate)", () => {
    const domain = new ValueDomain(-3, 3, [-1, 1], 0.25, false);
    expect(domain.toCoord(-1.25)).toBe(domain.toCoord(-0.75));
    for (const v of [-3, -1.5, -0.5, 0, 0.5, 1.5, 3]) {
      expect(domain.fromCoord(domain.toCoord(v))).toBeCloseTo(v, 12);
    }
  });
});

describe("spreadApart", () => {
  it("leaves every pair at least distinctBy apart, inside the allowed values", () => {
    const r = resolveValues("test", { kinks: [0], margin: 0.2, distinctBy: 0.3 }, 16);
    fc.assert(
      fc.property(cellsArb(r, 16, 16), (cells) => {
        const data = valuesFromCells(r, cells, 16);
        const sorted = Array.from(data).sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) {
          expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(0.3);
        }
        for (const v of data) {
          expect(Math.abs(v)).toBeGreaterThanOrEqual(0.2);
          expect(v).toBeGreaterThanOrEqual(-3);
          expect(v).toBeLessThanOrEqual(3);
        }
      }),
      { seed: 8, numRuns: 200 },
    );
  });

  it("spreads equal values into 0, d, 2d, ... and leaves spread values alone", () => {
    const r = resolveValues("test", { distinctBy: 0.5 }, 4);
    const equal = new Float64Array([0, 0, 0, 0]);
    spreadApart(r, equal);
    expect(Array.from(equal).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0.5, 1, 1.5]);
    const apart = new Float64Array([2, -1, 0, 1]);
    spreadApart(r, apart);
    expect(Array.from(apart)).toEqual([2, -1, 0, 1]);
  });

  it("pushes down from the top when the values crowd the upper end", () => {
    const r = resolveValues("test", { integers: true, min: 0, max: 5, distinctBy: 1 }, 6);
    const data = new Float64Array([5, 5, 5, 5, 5, 5]);
    spreadApart(r, data);
    expect(Array.from(data)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
