import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { argmax, max, mean, min, sum, type Tensor, tensor, zeros } from "./index.js";

// ---------------------------------------------------------------------------------------------
// Naive reductions: group every element by its index on the kept axes, then fold each group.
// ---------------------------------------------------------------------------------------------

function indexOf(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

/** Groups (in row-major order of the kept axes) of [value, index along the reduced axes]. */
function naiveGroups(
  t: Tensor,
  reduced: number[],
): { shape: number[]; groups: [number, number][][] } {
  const kept = t.shape.map((_, axis) => axis).filter((axis) => !reduced.includes(axis));
  const keptShape = kept.map((axis) => t.shape[axis]!);
  const reducedShape = reduced.map((axis) => t.shape[axis]!);
  const groups: [number, number][][] = Array.from(
    { length: keptShape.reduce((a, b) => a * b, 1) },
    () => [],
  );
  for (let flat = 0; flat < t.size; flat++) {
    const index = indexOf(flat, t.shape);
    let g = 0;
    kept.forEach((axis, i) => {
      g = g * keptShape[i]! + index[axis]!;
    });
    let r = 0;
    reduced.forEach((axis, i) => {
      r = r * reducedShape[i]! + index[axis]!;
    });
    groups[g]!.push([t.data[flat]!, r]);
  }
  return { shape: keptShape, groups };
}

const FOLDS: Record<string, (values: [number, number][]) => number> = {
  sum: (g) => g.reduce((total, [v]) => total + v, 0),
  mean: (g) => g.reduce((total, [v]) => total + v, 0) / g.length,
  max: (g) => Math.max(...g.map(([v]) => v)),
  min: (g) => Math.min(...g.map(([v]) => v)),
};

const REDUCERS = { sum, mean, max, min };

// A tensor (sides 1..4, up to 4 dims; values with ties) and a choice of axes in any spelling.
const caseArb = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }).chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const ndim = shape.length;
  const axisArb = fc
    .record({ axis: fc.nat({ max: Math.max(0, ndim - 1) }), negative: fc.boolean() })
    .map(({ axis, negative }) => (negative ? axis - ndim : axis));
  const axesArb: fc.Arbitrary<number | number[] | undefined | null> =
    ndim === 0
      ? fc.constantFrom(undefined, null, [] as number[])
      : fc.oneof(
          fc.constant(undefined),
          fc.constant(null),
          axisArb,
          fc
            .shuffledSubarray(
              shape.map((_, axis) => axis),
              { minLength: 0 },
            )
            .chain((axes) =>
              fc
                .array(fc.boolean(), { minLength: axes.length, maxLength: axes.length })
                .map((neg) => axes.map((axis, i) => (neg[i] ? axis - ndim : axis))),
            ),
        );
  return fc.record({
    t: fc
      .array(
        fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.integer({ min: -2, max: 2 })),
        { minLength: n, maxLength: n },
      )
      .map((d) => tensor(d, shape)),
    axes: axesArb,
    keepDims: fc.boolean(),
  });
});

function resolve(axes: number | number[] | undefined | null, ndim: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  return list.map((axis) => (axis < 0 ? axis + ndim : axis)).sort((a, b) => a - b);
}

describe.each(Object.keys(REDUCERS) as (keyof typeof REDUCERS)[])("%s", (name) => {
  it("agrees with a naive loop over all, one, several and negative axes, with keepDims", () => {
    fc.assert(
      fc.property(caseArb, ({ t, axes, keepDims }) => {
        const reduced = resolve(axes, t.ndim);
        const { shape, groups } = naiveGroups(t, reduced);
        const out = REDUCERS[name](t, axes, keepDims);
        const expectedShape = keepDims
          ? t.shape.map((side, axis) => (reduced.includes(axis) ? 1 : side))
          : shape;
        expect(out.shape).toEqual(expectedShape);
        groups.forEach((group, i) => {
          const want = FOLDS[name]!(group);
          const got = out.data[i]!;
          if (Math.abs(got - want) > 1e-12 * (1 + Math.abs(want))) {
            throw new Error(`${name} group ${i}: got ${got}, expected ${want}`);
          }
        });
      }),
      { seed: 31337, numRuns: 300 },
    );
  });
});

describe("argmax", () => {
  it("agrees with a naive first-largest search along an axis and over everything", () => {
    fc.assert(
      fc.property(caseArb, ({ t }) => {
        const all = argmax(t);
        expect(all.shape).toEqual([]);
        let best = 0;
        t.data.forEach((v, i) => {
          if (v > t.data[best]!) best = i;
        });
        expect(all.item()).toBe(best);
        for (let axis = -t.ndim; axis < t.ndim; axis++) {
          const along = axis < 0 ? axis + t.ndim : axis;
          const { shape, groups } = naiveGroups(t, [along]);
          const out = argmax(t, axis);
          expect(out.shape).toEqual(shape);
          groups.forEach((group, i) => {
            let first = 0;
            group.forEach(([v], j) => {
              if (v > group[first]![0]) first = j;
            });
            expect(out.data[i]).toBe(group[first]![1]);
          });
        }
      }),
      { seed: 2718, numRuns: 200 },
    );
  });

  it("returns the first index on ties", () => {
    expect(argmax(tensor([1, 3, 3, 0])).item()).toBe(1);
    expect(
      Array.from(
        argmax(
          tensor([
            [5, 5],
            [1, 2],
          ]),
          1,
        ).data,
      ),
    ).toEqual([0, 1]);
    expect(argmax(tensor(7)).item()).toBe(0);
  });

  it("returns the first NaN, like numpy (consistent with max giving NaN)", () => {
    expect(argmax(tensor([1, Number.NaN, 3])).item()).toBe(1);
    expect(argmax(tensor([Number.NaN, 5])).item()).toBe(0);
    expect(argmax(tensor([5, 1, Number.NaN, Number.NaN])).item()).toBe(2);
    expect(
      Array.from(
        argmax(
          tensor([
            [1, Number.NaN],
            [4, 3],
          ]),
          1,
        ).data,
      ),
    ).toEqual([1, 0]);
  });
});

describe("reductions by hand", () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it("sum, mean, max, min", () => {
    expect(sum(t).item()).toBe(21);
    expect(sum(t).shape).toEqual([]);
    expect(sum(t, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(t, -1).toArray()).toEqual([6, 15]);
    expect(sum(t, 1, true).toArray()).toEqual([[6], [15]]);
    expect(sum(t, [0, 1], true).toArray()).toEqual([[21]]);
    expect(sum(t, []).toArray()).toEqual(t.toArray());
    expect(mean(t, 0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(max(t, 0).toArray()).toEqual([4, 5, 6]);
    expect(min(t, 1).toArray()).toEqual([1, 4]);
    expect(max(tensor(3)).item()).toBe(3);
  });

  it("NaN wins in max and min", () => {
    expect(Number.isNaN(max(tensor([1, Number.NaN, 2])).item())).toBe(true);
    expect(Number.isNaN(min(tensor([1, Number.NaN, 2])).item())).toBe(true);
  });

  it("sum over zero elements is 0; max, min, mean and argmax of nothing throw", () => {
    const empty = zeros([2, 0]);
    expect(sum(empty, 1).toArray()).toEqual([0, 0]);
    expect(sum(empty, 0).shape).toEqual([0]);
    expect(sum(empty).item()).toBe(0);
    expect(() => max(empty)).toThrow(
      /^max: cannot reduce over zero elements \(shape \[2, 0\], axes \[0, 1\]\)/,
    );
    expect(() => min(empty, 1)).toThrow(/^min: cannot reduce over zero elements/);
    expect(() => mean(empty, -1)).toThrow(/^mean: cannot reduce over zero elements/);
    expect(() => argmax(empty)).toThrow(/^argmax: cannot reduce over zero elements/);
    // Reducing a non-empty axis of an empty tensor is fine: nothing to compute.
    expect(max(empty, 0).shape).toEqual([0]);
  });

  it("bad axes throw a message naming the axis and the valid range", () => {
    expect(() => sum(t, 2)).toThrow(
      /^sum: axis 2 is out of range for a tensor with 2 dims \(valid axes are -2\.\.1\)/,
    );
    expect(() => mean(t, -3)).toThrow(/^mean: axis -3 is out of range/);
    expect(() => max(tensor(1), 0)).toThrow(/^max: axis 0 .*a 0-d tensor has no axes/);
    expect(() => sum(t, [0, -2])).toThrow(/^sum: axes \[0, -2\] name the same axis twice/);
    expect(() => sum(t, 0.5)).toThrow(/^sum: axis must be an integer, got 0.5/);
    expect(() => min(t, "0" as unknown as number)).toThrow(
      /^min: axes must be a number, an array of numbers or null, got "0"/,
    );
    expect(() => argmax(t, 5)).toThrow(/^argmax: axis 5 is out of range/);
    expect(() => sum([1, 2] as unknown as Tensor)).toThrow(/^sum: expected a Tensor/);
  });
});
