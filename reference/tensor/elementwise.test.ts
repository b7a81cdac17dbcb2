import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs,
  add,
  allclose,
  div,
  equal,
  exp,
  greater,
  less,
  log,
  map,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  sign,
  sqrt,
  sub,
  type Tensor,
  tensor,
  where,
} from "./index.js";

// ---------------------------------------------------------------------------------------------
// numpy's broadcasting rule, written naively.
// ---------------------------------------------------------------------------------------------

function naiveBroadcastShape(shapes: number[][]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let axis = 0; axis < ndim; axis++) {
    let side = 1;
    for (const shape of shapes) {
      const s = shape[axis - (ndim - shape.length)] ?? 1; // missing leading dims count as 1
      if (s === 1) continue;
      if (side !== 1 && side !== s) throw new Error("incompatible");
      side = s;
    }
    out.push(side);
  }
  return out;
}

/** Row-major index of `index` (an index into the broadcast shape) in a tensor of `shape`. */
function sourceIndex(index: number[], shape: number[]): number {
  const skip = index.length - shape.length;
  let flat = 0;
  shape.forEach((side, axis) => {
    flat = flat * side + (side === 1 ? 0 : index[axis + skip]!);
  });
  return flat;
}

function* allIndices(shape: number[]): Generator<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < size; flat++) {
    const index = new Array<number>(shape.length);
    let rest = flat;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index[axis] = rest % shape[axis]!;
      rest = Math.floor(rest / shape[axis]!);
    }
    yield index;
  }
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: a few shapes that broadcast together, with data.
// ---------------------------------------------------------------------------------------------

const sideArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 10 },
  { arbitrary: fc.constant(0), weight: 1 },
);

/** A shape that broadcasts to `full`: a suffix of it, with some sides replaced by 1. */
function compatibleShape(full: number[]) {
  return fc
    .record({ drop: fc.nat({ max: full.length }), ones: fc.array(fc.boolean(), { maxLength: 5 }) })
    .map(({ drop, ones }) => full.slice(drop).map((side, i) => (ones[i] ? 1 : side)));
}

const valueArb = fc.oneof(
  { arbitrary: fc.double({ min: -5, max: 5, noNaN: true }), weight: 8 },
  { arbitrary: fc.constantFrom(0, 1, -1, 2, 0.5), weight: 2 },
);

function dataFor(shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(valueArb, { minLength: n, maxLength: n }).map((d) => tensor(d, shape));
}

function broadcastingTensors(count: number) {
  return fc
    .array(sideArb, { maxLength: 4 })
    .chain((full) => fc.array(compatibleShape(full), { minLength: count, maxLength: count }))
    .chain((shapes) => fc.tuple(...shapes.map(dataFor)));
}

/** x if `firstWins`, else y; NaN if either is NaN (numpy's maximum and minimum). */
function pick(x: number, y: number, firstWins: boolean): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (firstWins) return x;
  return y;
}

const BINARY: [
  string,
  (a: Tensor | number, b: Tensor | number) => Tensor,
  (x: number, y: number) => number,
][] = [
  ["add", add, (x, y) => x + y],
  ["sub", sub, (x, y) => x - y],
  ["mul", mul, (x, y) => x * y],
  ["div", div, (x, y) => x / y],
  ["pow", pow, (x, y) => x ** y],
  ["maximum", maximum, (x, y) => pick(x, y, x > y)],
  ["minimum", minimum, (x, y) => pick(x, y, x < y)],
  ["greater", greater, (x, y) => (x > y ? 1 : 0)],
  ["less", less, (x, y) => (x < y ? 1 : 0)],
  ["equal", equal, (x, y) => (x === y ? 1 : 0)],
];

describe.each(BINARY)("%s", (name, op, naive) => {
  it("broadcasts like numpy", () => {
    fc.assert(
      fc.property(broadcastingTensors(2), ([a, b]) => {
        const shape = naiveBroadcastShape([[...a.shape], [...b.shape]]);
        const out = op(a, b);
        expect(out.shape).toEqual(shape);
        let flat = 0;
        for (const index of allIndices(shape)) {
          const want = naive(
            a.data[sourceIndex(index, [...a.shape])]!,
            b.data[sourceIndex(index, [...b.shape])]!,
          );
          if (!sameNumber(out.data[flat]!, want)) {
            throw new Error(`${name} at [${index}]: got ${out.data[flat]}, expected ${want}`);
          }
          flat++;
        }
      }),
      { seed: 4242, numRuns: 150 },
    );
  });

  it("takes a number for a 0-d tensor on either side", () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(op(t, 3).toArray()).toEqual([
      [naive(1, 3), naive(2, 3)],
      [naive(3, 3), naive(4, 3)],
    ]);
    expect(op(3, t).toArray()).toEqual([
      [naive(3, 1), naive(3, 2)],
      [naive(3, 3), naive(3, 4)],
    ]);
    const both = op(2, 3);
    expect(both.shape).toEqual([]);
    expect(both.item()).toBe(naive(2, 3));
  });

  it("names both shapes when they do not broadcast", () => {
    expect(() => op(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(
      new RegExp(
        `^${name}: cannot broadcast shapes \\[1, 3\\] and \\[2\\]: axis -1 has sizes 3 and 2`,
      ),
    );
    expect(() => op(tensor([[[1], [2]]]), tensor([[1], [2], [3]]))).toThrow(
      /\[1, 2, 1\] and \[3, 1\]: axis -2 has sizes 2 and 3/,
    );
  });

  it("names the operand that is not a tensor", () => {
    expect(() => op("x" as unknown as Tensor, 1)).toThrow(
      new RegExp(`^${name} \\(first operand\\): expected a Tensor or a number, got "x"`),
    );
    expect(() => op(1, [1, 2] as unknown as Tensor)).toThrow(
      /\(second operand\): expected a Tensor or a number, got an array of length 2/,
    );
  });
});

describe("numpy's broadcasting examples", () => {
  it("[3, 1] with [4] gives [3, 4]; [2, 1, 3] with [5, 1] gives [2, 5, 3]", () => {
    const col = tensor([[1], [2], [3]]);
    const row = tensor([10, 20, 30, 40]);
    expect(add(col, row).toArray()).toEqual([
      [11, 21, 31, 41],
      [12, 22, 32, 42],
      [13, 23, 33, 43],
    ]);
    expect(
      mul(tensor([[[1, 2, 3]], [[4, 5, 6]]]), tensor([[1], [0], [2], [0], [1]])).shape,
    ).toEqual([2, 5, 3]);
    expect(add(tensor([[1, 2]]), tensor([]).reshape(0, 1)).shape).toEqual([0, 2]);
  });
});

const UNARY: [string, (a: Tensor | number) => Tensor, (x: number) => number][] = [
  ["neg", neg, (x) => -x],
  ["exp", exp, Math.exp],
  ["log", log, Math.log],
  ["abs", abs, Math.abs],
  ["sqrt", sqrt, Math.sqrt],
  ["sign", sign, Math.sign],
];

describe.each(UNARY)("%s", (name, op, naive) => {
  it("applies element-wise and keeps the shape", () => {
    fc.assert(
      fc.property(fc.array(sideArb, { maxLength: 3 }).chain(dataFor), (t) => {
        const out = op(t);
        expect(out.shape).toEqual(t.shape);
        t.data.forEach((x, i) => {
          if (!sameNumber(out.data[i]!, naive(x)))
            throw new Error(`${name}(${x}) = ${out.data[i]}`);
        });
      }),
      { seed: 99, numRuns: 100 },
    );
  });

  it("takes a number and rejects other things", () => {
    expect(op(4).shape).toEqual([]);
    expect(op(4).item()).toBe(naive(4));
    expect(() => op(null as unknown as number)).toThrow(
      new RegExp(`^${name}: expected a Tensor or a number, got null`),
    );
  });
});

describe("where", () => {
  it("picks from a where the condition is non-zero, all three broadcast", () => {
    fc.assert(
      fc.property(broadcastingTensors(3), ([c, a, b]) => {
        const shape = naiveBroadcastShape([[...c.shape], [...a.shape], [...b.shape]]);
        const out = where(c, a, b);
        expect(out.shape).toEqual(shape);
        let flat = 0;
        for (const index of allIndices(shape)) {
          const cond = c.data[sourceIndex(index, [...c.shape])]!;
          const want = (cond !== 0 ? a : b).data[
            sourceIndex(index, [...(cond !== 0 ? a : b).shape])
          ]!;
          expect(out.data[flat++]).toBe(want);
        }
      }),
      { seed: 7, numRuns: 150 },
    );
  });

  it("works with numbers and comparisons", () => {
    const x = tensor([-2, -1, 0, 1, 2]);
    expect(where(greater(x, 0), x, 0).toArray()).toEqual([0, 0, 0, 1, 2]);
    expect(where(1, 5, 6).item()).toBe(5);
    expect(where(less(x, 0), -1, tensor([[7], [8]])).toArray()).toEqual([
      [-1, -1, 7, 7, 7],
      [-1, -1, 8, 8, 8],
    ]);
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), 0)).toThrow(
      /^where: cannot broadcast shapes \[2\] and \[3\] and \[\]/,
    );
  });
});

describe("map", () => {
  it("applies fn to every value with its flat index", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const out = map(t, (v, i) => v * 10 + i);
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.data)).toEqual([10, 21, 32, 43, 54, 65]);
    expect(map(3, (v) => v + 1).item()).toBe(4);
    expect(() => map(t, "x" as unknown as (v: number) => number)).toThrow(
      /^map: fn must be a function, got "x"/,
    );
  });
});

describe("comparisons", () => {
  it("give 1 and 0", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([3, 2, 1]);
    expect(Array.from(greater(a, b).data)).toEqual([0, 0, 1]);
    expect(Array.from(less(a, b).data)).toEqual([1, 0, 0]);
    expect(Array.from(equal(a, b).data)).toEqual([0, 1, 0]);
    expect(Array.from(equal(tensor([Number.NaN]), tensor([Number.NaN])).data)).toEqual([0]);
  });

  it("maximum and minimum propagate NaN like numpy", () => {
    expect(Number.isNaN(maximum(Number.NaN, 1).item())).toBe(true);
    expect(Number.isNaN(minimum(1, Number.NaN).item())).toBe(true);
  });
});

describe("allclose", () => {
  it("uses numpy's rule |a - b| <= atol + rtol * |b|", () => {
    expect(allclose(tensor([1 + 1e-6, 2]), tensor([1, 2]))).toBe(true);
    expect(allclose(tensor([1 + 1e-4, 2]), tensor([1, 2]))).toBe(false);
    expect(allclose(tensor([1e-9]), tensor([0]))).toBe(true);
    expect(allclose(tensor([1e-7]), tensor([0]))).toBe(false);
    expect(allclose(tensor([1.1]), tensor([1]), 0.2)).toBe(true);
    expect(allclose(tensor([1.1]), tensor([1]), 0, 0.2)).toBe(true);
    expect(allclose(tensor([1.1]), tensor([1]), 0, 0.05)).toBe(false);
    // Relative to the second argument, as in numpy.
    expect(allclose(tensor([0]), tensor([1e-3]), 1, 0)).toBe(true);
    expect(allclose(tensor([1e-3]), tensor([0]), 1, 0)).toBe(false);
  });

  it("is false for different shapes, NaN, and infinities that differ", () => {
    expect(allclose(tensor([1, 2]), tensor([[1, 2]]))).toBe(false);
    expect(allclose(tensor([1]), tensor(1))).toBe(false);
    expect(allclose(tensor([Number.NaN]), tensor([Number.NaN]))).toBe(false);
    expect(allclose(tensor([Number.POSITIVE_INFINITY]), tensor([Number.POSITIVE_INFINITY]))).toBe(
      true,
    );
    expect(allclose(tensor([Number.POSITIVE_INFINITY]), tensor([Number.NEGATIVE_INFINITY]))).toBe(
      false,
    );
    // A finite value is never close to an infinity (numpy), whichever side the infinity is on.
    expect(allclose(tensor([5]), tensor([Number.POSITIVE_INFINITY]))).toBe(false);
    expect(allclose(tensor([Number.NEGATIVE_INFINITY]), tensor([5]))).toBe(false);
    expect(allclose(tensor([]), tensor([]))).toBe(true);
  });

  it("agrees with itself on random tensors and a perturbed copy", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }).chain(dataFor),
        fc.nat(),
        (t, at) => {
          expect(allclose(t, t)).toBe(true);
          if (t.size === 0) return;
          const moved = t.clone();
          moved.data[at % t.size]! += 1;
          expect(allclose(moved, t)).toBe(false);
        },
      ),
      { seed: 5, numRuns: 100 },
    );
  });
});
