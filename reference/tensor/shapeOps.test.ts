import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastTo, concat, stack, type Tensor, tensor } from "./index.js";

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

let counter = 0;
/** A tensor of `shape` with values that are unique across the whole test file. */
function fresh(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = tensor(
    Array.from({ length: n }, (_, i) => counter + i),
    shape,
  );
  counter += n;
  return t;
}

describe("concat", () => {
  it("agrees with a naive index mapping", () => {
    const caseArb = fc
      .record({
        base: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        axis: fc.nat(),
        negative: fc.boolean(),
        along: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
      })
      .map(({ base, axis, negative, along }) => {
        const a = axis % base.length;
        return { base, axis: negative ? a - base.length : a, a, along };
      });
    fc.assert(
      fc.property(caseArb, ({ base, axis, a, along }) => {
        const parts = along.map((side) => fresh(base.map((s, i) => (i === a ? side : s))));
        const out = concat(parts, axis);
        const total = along.reduce((x, y) => x + y, 0);
        expect(out.shape).toEqual(base.map((s, i) => (i === a ? total : s)));
        for (let flat = 0; flat < out.size; flat++) {
          const index = unravel(flat, out.shape);
          let k = index[a]!;
          let part = 0;
          while (k >= along[part]!) k -= along[part++]!;
          const source = [...index];
          source[a] = k;
          expect(out.data[flat]).toBe(parts[part]!.get(...source));
        }
      }),
      { seed: 51, numRuns: 150 },
    );
  });

  it("by hand, and errors", () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(concat([a, tensor([[7], [8]])], 1).toArray()).toEqual([
      [1, 2, 7],
      [3, 4, 8],
    ]);
    expect(concat([a]).toArray()).toEqual(a.toArray());
    expect(() => concat([a, b], 1)).toThrow(
      /^concat: tensor 1 has shape \[1, 2\] but tensor 0 has \[2, 2\]; only axis 1 may differ/,
    );
    expect(() => concat([a, tensor([1, 2])])).toThrow(/tensor 1 has shape \[2\] but tensor 0 has/);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(/^concat: 0-d tensors .*use stack/);
    expect(() => concat([])).toThrow(/^concat: expected a non-empty array of Tensors/);
    expect(() => concat([a, [1] as unknown as Tensor])).toThrow(/^concat: entry 1 is not a Tensor/);
    expect(() => concat([a], 2)).toThrow(/^concat: axis 2 is out of range/);
  });
});

describe("stack", () => {
  it("agrees with a naive index mapping", () => {
    const caseArb = fc.record({
      shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      count: fc.integer({ min: 1, max: 4 }),
      axis: fc.nat(),
      negative: fc.boolean(),
    });
    fc.assert(
      fc.property(caseArb, ({ shape, count, axis, negative }) => {
        const a = axis % (shape.length + 1);
        const parts = Array.from({ length: count }, () => fresh(shape));
        const out = stack(parts, negative ? a - shape.length - 1 : a);
        expect(out.shape).toEqual([...shape.slice(0, a), count, ...shape.slice(a)]);
        for (let flat = 0; flat < out.size; flat++) {
          const index = unravel(flat, out.shape);
          const which = index[a]!;
          const source = [...index.slice(0, a), ...index.slice(a + 1)];
          expect(out.data[flat]).toBe(parts[which]!.get(...source));
        }
      }),
      { seed: 52, numRuns: 150 },
    );
  });

  it("by hand, and errors", () => {
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(() => stack([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(
      /^stack: tensor 1 has shape \[3\] but tensor 0 has \[2\]/,
    );
    expect(() => stack([tensor([1])], 2)).toThrow(/^stack: axis 2 is out of range/);
    expect(() => stack([])).toThrow(/^stack: expected a non-empty array of Tensors/);
  });
});

describe("broadcastTo", () => {
  it("repeats along broadcast axes like numpy's broadcast_to", () => {
    const caseArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }).chain((target) =>
      fc.record({
        target: fc.constant(target),
        drop: fc.nat({ max: target.length }),
        ones: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ target, drop, ones }) => {
        const shape = target.slice(drop).map((s, i) => (ones[i] ? 1 : s));
        const t = fresh(shape);
        const out = broadcastTo(t, target);
        expect(out.shape).toEqual(target);
        for (let flat = 0; flat < out.size; flat++) {
          const index = unravel(flat, target).slice(drop);
          const source = index.map((i, axis) => (shape[axis] === 1 ? 0 : i));
          expect(out.data[flat]).toBe(t.get(...source));
        }
      }),
      { seed: 53, numRuns: 150 },
    );
  });

  it("by hand, and errors naming both shapes", () => {
    expect(broadcastTo(tensor([1, 2]), [2, 2]).toArray()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(broadcastTo(tensor(5), [3]).toArray()).toEqual([5, 5, 5]);
    expect(() => broadcastTo(tensor([1, 2, 3]), [2, 2])).toThrow(
      /^broadcastTo: cannot broadcast shapes \[3\] and \[2, 2\]/,
    );
    // Compatible shapes that would broadcast to something larger than the target.
    expect(() => broadcastTo(tensor([[1, 2]]), [2])).toThrow(
      /^broadcastTo: shape \[1, 2\] cannot be broadcast to \[2\]/,
    );
    expect(() => broadcastTo(tensor([1]), [3, -1])).toThrow(
      /^broadcastTo: shape\[1\] must be a non-negative integer/,
    );
    expect(() => broadcastTo([1] as unknown as Tensor, [1])).toThrow(
      /^broadcastTo: expected a Tensor/,
    );
  });
});
