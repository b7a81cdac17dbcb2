import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  arange,
  eye,
  full,
  type NestedArray,
  ones,
  onesLike,
  scalar,
  Tensor,
  tensor,
  zeros,
  zerosLike,
} from "./index.js";

describe("tensor()", () => {
  it("builds from a number, nested arrays, flat data with a shape, typed arrays and tensors", () => {
    const s = tensor(3);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3);
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.shape).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const flat = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(flat.shape).toEqual([3, 2]);
    expect(flat.get(2, 1)).toBe(6);
    expect(tensor(new Float64Array([1, 2])).shape).toEqual([2]);
    expect(Array.from(tensor(new Int32Array([1, 2, 3, 4]), [2, 2]).data)).toEqual([1, 2, 3, 4]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor(5, [1, 1]).shape).toEqual([1, 1]);
    expect(tensor(m, [6]).shape).toEqual([6]);
    expect(tensor(m).shape).toEqual([2, 3]);
    expect(tensor([[1, 2]], [2]).shape).toEqual([2]);
  });

  it("agrees with a naive flatten of random nested arrays", () => {
    const nestedArb = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }).chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.tuple(
        fc.constant(shape),
        fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }),
      );
    });
    fc.assert(
      fc.property(nestedArb, ([shape, flat]) => {
        // Build the nested array from the flat data, the slow way.
        const build = (axis: number, offset: number): NestedArray => {
          if (axis === shape.length) return flat[offset]!;
          const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
          return Array.from({ length: shape[axis]! }, (_, i) =>
            build(axis + 1, offset + i * inner),
          );
        };
        const t = tensor(build(0, 0));
        expect(t.shape).toEqual(shape);
        expect(Array.from(t.data)).toEqual(flat);
        const t2 = tensor(flat, shape);
        expect(Array.from(t2.data)).toEqual(flat);
      }),
      { seed: 21, numRuns: 100 },
    );
  });

  it("copies its input: later changes to the source never reach the tensor", () => {
    const nested = [
      [1, 2],
      [3, 4],
    ];
    const a = tensor(nested);
    nested[0]![0] = 99;
    expect(a.get(0, 0)).toBe(1);
    const flat = [1, 2, 3, 4];
    const b = tensor(flat, [2, 2]);
    flat[1] = 99;
    expect(b.get(0, 1)).toBe(2);
    const typed = new Float64Array([1, 2, 3]);
    const c = tensor(typed);
    typed[0] = 99;
    expect(c.get(0)).toBe(1);
    const d = tensor(typed, [3]);
    typed[1] = 99;
    expect(d.get(1)).toBe(2);
    const e = tensor(c);
    c.data[2] = 99;
    expect(e.get(2)).toBe(3);
    const f = tensor(c, [1, 3]);
    c.data[2] = 77;
    expect(f.get(0, 2)).toBe(99);
  });

  it("names ragged nested arrays, non-number entries and length mismatches", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(
      /^tensor: ragged nested array: entry at \[1\] should be an array of length 2, got an array of length 1/,
    );
    expect(() => tensor([[1, 2], 3] as unknown as NestedArray)).toThrow(
      /ragged nested array: entry at \[1\] should be an array of length 2, got 3/,
    );
    expect(() => tensor([1, [2]] as unknown as NestedArray)).toThrow(
      /^tensor: entry at \[1\] must be a number, got an array of length 1/,
    );
    expect(() => tensor([[1, "2"]] as unknown as NestedArray)).toThrow(
      /^tensor: entry at \[0, 1\] must be a number, got "2"/,
    );
    expect(() => tensor([null] as unknown as NestedArray)).toThrow(
      /entry at \[0\] must be a number, got null/,
    );
    expect(() => tensor([true] as unknown as NestedArray)).toThrow(
      /entry at \[0\] must be a number, got a boolean/,
    );
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(
      /^tensor: got 3 values but shape \[2, 2\] needs 4/,
    );
    expect(() => tensor([1, 2], [2, -1])).toThrow(
      /^tensor: shape\[1\] must be a non-negative integer, got -1 in shape \[2, -1\]/,
    );
    expect(() => tensor("12" as unknown as NestedArray)).toThrow(
      /^tensor: expected a number or nested arrays of numbers, got "12"/,
    );
    expect(() => tensor({ length: 1, 0: 1 } as unknown as NestedArray)).toThrow(
      /^tensor: expected a number or nested arrays of numbers, got an? Object/,
    );
  });
});

describe("filled tensors", () => {
  it("zeros, ones, full, scalar", () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).item()).toBe(0);
    expect(Array.from(ones([3]).data)).toEqual([1, 1, 1]);
    const f = full([2, 1], 7.5);
    expect(f.shape).toEqual([2, 1]);
    expect(Array.from(f.data)).toEqual([7.5, 7.5]);
    expect(scalar(-2).shape).toEqual([]);
    expect(scalar(-2).item()).toBe(-2);
    expect(zeros([0, 3]).size).toBe(0);
  });

  it("zerosLike and onesLike copy only the shape", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(zerosLike(t).shape).toEqual([2, 3]);
    expect(Array.from(zerosLike(t).data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(onesLike(t).data)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("eye(n) is the identity", () => {
    expect(eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(0).shape).toEqual([0, 0]);
    expect(() => eye(-1)).toThrow(/^eye: n must be a non-negative integer, got -1/);
    expect(() => eye(1.5)).toThrow(/^eye: n must be a non-negative integer, got 1.5/);
  });

  it("arange(n), arange(start, stop), arange(start, stop, step)", () => {
    expect(Array.from(arange(4).data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(arange(2, 5).data)).toEqual([2, 3, 4]);
    expect(Array.from(arange(5, 0, -2).data)).toEqual([5, 3, 1]);
    expect(Array.from(arange(0, 1, 0.25).data)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(3, 1).shape).toEqual([0]);
    expect(() => arange(0, 3, 0)).toThrow(/^arange: .*step != 0, got 0, 3, 0/);
    expect(() => arange(Number.POSITIVE_INFINITY)).toThrow(/^arange: .*finite numbers/);
  });

  it("name the bad shape or value", () => {
    expect(() => zeros([2, -1])).toThrow(/^zeros: shape\[1\] must be a non-negative integer/);
    expect(() => ones([1.5])).toThrow(/^ones: shape\[0\] must be a non-negative integer, got 1.5/);
    expect(() => full([2], "1" as unknown as number)).toThrow(
      /^full: value must be a number, got "1"/,
    );
    expect(() => full(3 as unknown as number[], 1)).toThrow(
      /^full: shape must be an array of non-negative integers, got 3/,
    );
    expect(() => scalar([1] as unknown as number)).toThrow(
      /^scalar: expected a number, got an array of length 1/,
    );
  });

  it("every constructor returns a Tensor with its own data", () => {
    const made = [zeros([2]), ones([2]), full([2], 1), eye(2), arange(2), tensor([1, 2])];
    for (const t of made) expect(t).toBeInstanceOf(Tensor);
    expect(new Set(made.map((t) => t.data.buffer)).size).toBe(made.length);
  });
});
