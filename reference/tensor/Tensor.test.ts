import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, Tensor, tensor } from "./index.js";

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 });

/** A tensor of random shape whose entries are distinct (their flat index plus a fraction). */
const tensorArb = shapeArb.chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.double({ min: -1, max: 1, noNaN: true }).map((shift) =>
    tensor(
      Array.from({ length: n }, (_, i) => i + shift / 2),
      shape,
    ),
  );
});

function naiveStrides(shape: readonly number[]): number[] {
  return shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
}

/** A random full index into `shape`, each entry possibly written negatively. */
function indexArb(shape: readonly number[]) {
  return fc.tuple(
    ...shape.map((side) =>
      fc
        .record({ i: fc.nat({ max: side - 1 }), negative: fc.boolean() })
        .map(({ i, negative }) => ({
          i,
          written: negative ? i - side : i,
        })),
    ),
  );
}

/** All permutations of 0..n-1 in a random order. */
function permArb(n: number) {
  return fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );
}

describe("Tensor basics", () => {
  it("has shape, size, ndim and row-major strides", () => {
    fc.assert(
      fc.property(tensorArb, (t) => {
        expect(t.size).toBe(t.shape.reduce((a, b) => a * b, 1));
        expect(t.ndim).toBe(t.shape.length);
        expect(t.data.length).toBe(t.size);
        expect(t.strides).toEqual(naiveStrides(t.shape));
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it("get() agrees with data and strides, also with negative indices", () => {
    fc.assert(
      fc.property(
        tensorArb.chain((t) => fc.tuple(fc.constant(t), indexArb(t.shape))),
        ([t, index]) => {
          const offset = index.reduce((total, { i }, axis) => total + i * t.strides[axis]!, 0);
          expect(t.get(...index.map(({ written }) => written))).toBe(t.data[offset]);
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });

  it("get() names the problem with a bad index", () => {
    const t = arange(6).reshape(2, 3);
    expect(() => t.get(0)).toThrow(/^get: a tensor of shape \[2, 3\] needs 2 indices, got 1/);
    expect(() => t.get(0, 3)).toThrow(
      /^get: index 3 is out of range for axis 1 of size 3 \(shape \[2, 3\]\)/,
    );
    expect(() => t.get(-3, 0)).toThrow(/index -3 is out of range for axis 0 of size 2/);
    expect(() => t.get(0.5, 0)).toThrow(/index 0.5 is out of range for axis 0/);
    expect(tensor(4).get()).toBe(4);
  });

  it("shape and strides are frozen copies", () => {
    const shape = [2, 3];
    const t = new Tensor(new Float64Array(6), shape);
    shape[0] = 99;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(Object.isFrozen(t.strides)).toBe(true);
  });

  it("the constructor checks its data and shape", () => {
    expect(() => new Tensor(new Float64Array(5), [2, 3])).toThrow(
      /^new Tensor: data has 5 elements but shape \[2, 3\] needs 6/,
    );
    expect(() => new Tensor([1, 2] as unknown as Float64Array, [2])).toThrow(
      /^new Tensor: data must be a Float64Array, got an array of length 2/,
    );
    expect(() => new Tensor(new Float64Array(2), [-2])).toThrow(
      /^new Tensor: shape\[0\] must be a non-negative integer, got -2 in shape \[-2\]/,
    );
    expect(() => new Tensor(new Float64Array(2), [2.5] as number[])).toThrow(
      /shape\[0\] must be a non-negative integer, got 2.5/,
    );
    expect(() => new Tensor(new Float64Array(1), "x" as unknown as number[])).toThrow(
      /^new Tensor: shape must be an array of non-negative integers, got "x"/,
    );
  });

  it("new Tensor takes ownership of its data (no copy)", () => {
    const data = new Float64Array([1, 2, 3]);
    const t = new Tensor(data, [3]);
    data[0] = 42;
    expect(t.get(0)).toBe(42);
  });
});

describe("reshape", () => {
  it("round-trips, with -1 anywhere, and copies", () => {
    fc.assert(
      fc.property(
        tensorArb.chain((t) =>
          fc.tuple(fc.constant(t), fc.shuffledSubarray([...t.shape]), fc.nat(), fc.boolean()),
        ),
        ([t, some, at, useMinusOne]) => {
          // A target with the same size: some sides of t in another order, and the rest as one side.
          const rest = t.size / some.reduce((a, b) => a * b, 1);
          const target = [...some];
          target.splice(at % (target.length + 1), 0, rest);
          const written = useMinusOne
            ? target.map((side, i) => (i === at % target.length ? -1 : side))
            : target;
          const r = t.reshape(written);
          expect(r.shape).toEqual(target);
          expect(Array.from(r.data)).toEqual(Array.from(t.data));
          expect(r.data).not.toBe(t.data);
          const back = r.reshape(...t.shape);
          expect(back.shape).toEqual(t.shape);
          expect(Array.from(back.data)).toEqual(Array.from(t.data));
          expect(t.reshape(-1).shape).toEqual([t.size]);
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });

  it("names the problem with a bad shape", () => {
    const t = arange(6);
    expect(() => t.reshape(4, 2)).toThrow(
      /^reshape: cannot reshape shape \[6\] \(6 elements\) into \[4, 2\] \(8 elements\)/,
    );
    expect(() => t.reshape(-1, -1)).toThrow(/^reshape: only one side may be -1, got \[-1, -1\]/);
    expect(() => t.reshape(4, -1)).toThrow(
      /^reshape: cannot infer the -1 side of \[4, -1\] for 6 elements/,
    );
    expect(() => t.reshape(0, -1)).toThrow(/cannot infer the -1 side of \[0, -1\]/);
    expect(() => t.reshape(2, -3)).toThrow(/^reshape: shape\[1\] must be a non-negative integer/);
    expect(t.reshape([3, 2]).shape).toEqual([3, 2]);
    expect(tensor([5]).reshape().shape).toEqual([]);
  });
});

describe("transpose", () => {
  it("moves entries to the permuted index", () => {
    fc.assert(
      fc.property(
        tensorArb.chain((t) => fc.tuple(fc.constant(t), permArb(t.ndim))),
        ([t, perm]) => {
          const out = t.transpose(perm);
          expect(out.shape).toEqual(perm.map((axis) => t.shape[axis]));
          for (let flat = 0; flat < out.size; flat++) {
            // Unravel flat into out's index; out[index] = t[source] with source[perm[k]] = index[k].
            const index: number[] = [];
            let rest = flat;
            for (let axis = out.ndim - 1; axis >= 0; axis--) {
              index[axis] = rest % out.shape[axis]!;
              rest = Math.floor(rest / out.shape[axis]!);
            }
            const source = new Array<number>(t.ndim);
            perm.forEach((axis, k) => {
              source[axis] = index[k]!;
            });
            expect(out.data[flat]).toBe(t.get(...source));
          }
        },
      ),
      { seed: 14, numRuns: 150 },
    );
  });

  it("twice with the inverse permutation is the identity; default reverses the axes", () => {
    fc.assert(
      fc.property(
        tensorArb.chain((t) => fc.tuple(fc.constant(t), permArb(t.ndim))),
        ([t, perm]) => {
          const inverse = new Array<number>(perm.length);
          perm.forEach((axis, k) => {
            inverse[axis] = k;
          });
          const back = t.transpose(perm).transpose(inverse);
          expect(back.shape).toEqual(t.shape);
          expect(Array.from(back.data)).toEqual(Array.from(t.data));
          const reversed = t.transpose();
          expect(reversed.shape).toEqual([...t.shape].reverse());
          expect(Array.from(reversed.data)).toEqual(
            Array.from(t.transpose(t.shape.map((_, a) => t.ndim - 1 - a)).data),
          );
          expect(Array.from(reversed.transpose().data)).toEqual(Array.from(t.data));
          // Negative axes in perm mean the same axes.
          expect(Array.from(t.transpose(perm.map((a) => a - t.ndim)).data)).toEqual(
            Array.from(t.transpose(perm).data),
          );
        },
      ),
      { seed: 15, numRuns: 150 },
    );
  });

  it("names the problem with a bad perm", () => {
    const t = arange(6).reshape(2, 3);
    expect(() => t.transpose([0])).toThrow(
      /^transpose: perm must list all 2 axes of shape \[2, 3\], got an array of length 1/,
    );
    expect(() => t.transpose([1, 1])).toThrow(/^transpose: perm \[1, 1\] repeats an axis/);
    expect(() => t.transpose([0, 2])).toThrow(/^transpose: axis 2 is out of range/);
  });
});

describe("item, toArray, clone", () => {
  it("item() reads the single value of any one-element tensor", () => {
    expect(tensor(3).item()).toBe(3);
    expect(tensor([[3]]).item()).toBe(3);
    expect(() => tensor([1, 2]).item()).toThrow(
      /^item: only a tensor with one element has an item, this one has shape \[2\] \(2 elements\)/,
    );
  });

  it("toArray() nests like the input and round-trips through tensor()", () => {
    expect(tensor(2).toArray()).toBe(2);
    expect(arange(6).reshape(2, 1, 3).toArray()).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
    expect(tensor([]).reshape(2, 0).toArray()).toEqual([[], []]);
    fc.assert(
      fc.property(tensorArb, (t) => {
        const again = tensor(t.toArray());
        expect(again.shape).toEqual(t.shape);
        expect(Array.from(again.data)).toEqual(Array.from(t.data));
      }),
      { seed: 16, numRuns: 100 },
    );
  });

  it("clone() copies the data", () => {
    const t = arange(3);
    const c = t.clone();
    c.data[0] = 9;
    expect(t.get(0)).toBe(0);
    expect(c.shape).toEqual([3]);
  });
});

describe("toString", () => {
  it("0-d: the number and the shape", () => {
    expect(String(tensor(3.5))).toBe("tensor(3.5, shape=[])");
  });

  it("1-d: right-aligned entries", () => {
    expect(String(tensor([1, 2.5, -3]))).toBe("tensor([  1, 2.5,  -3], shape=[3])");
  });

  it("2-d: one row per line, aligned under the first", () => {
    const text = String(
      tensor([
        [1, 2],
        [30, -4],
      ]),
    );
    expect(text).toBe("tensor([[ 1,  2],\n        [30, -4]], shape=[2, 2])");
  });

  it("3-d: matrices separated by a blank line without trailing spaces", () => {
    const text = arange(12).reshape(2, 2, 3).toString();
    expect(text).toContain("tensor([[[ 0,  1,  2],\n         [ 3,  4,  5]],\n\n        [[ 6,");
    expect(text).toContain("[ 9, 10, 11]]], shape=[2, 2, 3])");
    for (const line of text.split("\n")) expect(line).toBe(line.trimEnd());
  });

  it("summarizes large tensors with their first and last entries", () => {
    const text = arange(2000).reshape(40, 50).toString();
    expect(text).toContain("[   0,    1,    2, ...,   47,   48,   49]");
    expect(text).toContain("[1950, 1951, 1952, ..., 1997, 1998, 1999]");
    expect(text).toContain("...,\n");
    expect(text).not.toContain("1000,");
    expect(text).toContain("shape=[40, 50]");
    expect(text.split("\n")).toHaveLength(7);
    expect(arange(2000).toString()).toBe(
      "tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000])",
    );
  });

  it("special values and fractions are readable", () => {
    const text = String(
      tensor([1e-7, 1e20, Number.NaN, Number.POSITIVE_INFINITY, -0, 1 / 3, -1.5e-5]),
    );
    for (const piece of ["1e-7", "1e+20", "NaN", "Infinity", "-0", "0.333333", "-1.5e-5"]) {
      expect(text).toContain(piece);
    }
    expect(String(tensor([]).reshape(2, 0))).toBe("tensor([[],\n        []], shape=[2, 0])");
  });
});
