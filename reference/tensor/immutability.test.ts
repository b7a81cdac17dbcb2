import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs,
  add,
  allclose,
  argmax,
  broadcastTo,
  concat,
  div,
  einsum,
  equal,
  exp,
  greater,
  less,
  log,
  map,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  neg,
  onesLike,
  pow,
  sign,
  sqrt,
  stack,
  sub,
  sum,
  Tensor,
  tensor,
  where,
  zerosLike,
} from "./index.js";

const valuesFor = (shape: number[]) => {
  const n = shape.reduce((x, y) => x * y, 1);
  return fc
    .array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n })
    .map((d) => tensor(d, shape));
};

/** a: any shape; b: broadcasts with a; m: [p, q]; q2: [q, r]; sq: square. */
const inputsArb = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    p: fc.integer({ min: 1, max: 4 }),
    q: fc.integer({ min: 1, max: 4 }),
    r: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ shape, ones, p, q, r }) =>
    fc.record({
      a: valuesFor(shape),
      b: valuesFor(shape.map((s, i) => (ones[i] ? 1 : s))),
      m: valuesFor([p, q]),
      n: valuesFor([q, r]),
      sq: valuesFor([q, q]),
    }),
  );

/** Every kit function that takes tensors, called on the inputs; each returns what it made. */
function everything({ a, b, m, n, sq }: Record<"a" | "b" | "m" | "n" | "sq", Tensor>): unknown[] {
  return [
    a.get(...a.shape.map(() => 0)),
    a.reshape(-1),
    a.transpose(),
    a.toArray(),
    a.clone(),
    a.toString(),
    tensor(a),
    tensor(a, [a.size]),
    zerosLike(a),
    onesLike(a),
    ...[add, sub, mul, div, pow, maximum, minimum, greater, less, equal].map((f) => f(a, b)),
    ...[add, sub, mul, div, pow, maximum, minimum, greater, less, equal].map((f) => f(b, a)),
    ...[neg, exp, log, abs, sqrt, sign].map((f) => f(a)),
    map(a, (v) => v * 2),
    where(greater(a, 0), a, b),
    allclose(a, b),
    ...[sum, mean, max, min].flatMap((f) => [f(a), f(a, 0), f(a, -1, true)]),
    argmax(a),
    argmax(a, 0),
    concat([a, a], 0),
    stack([a, a], 1),
    broadcastTo(b, a.shape),
    matmul(m, n),
    einsum("ij,jk->ik", m, n),
    einsum("ij,jk", m, n),
    einsum("ii->i", sq),
    einsum("ii", sq),
    einsum("ij->ji", m),
    einsum("ij->ij", m),
    einsum("ij->", m),
    einsum("...,...->...", a, b),
    einsum("ij,ij->i", m, m),
  ];
}

describe("immutability", () => {
  it("no kit function writes into its inputs, and every result has its own data", () => {
    fc.assert(
      fc.property(inputsArb, (inputs) => {
        const before = Object.entries(inputs).map(([name, t]) => ({
          name,
          t,
          shape: [...t.shape],
          data: Array.from(t.data),
        }));
        const results = everything(inputs);
        for (const { name, t, shape, data } of before) {
          expect(t.shape, name).toEqual(shape);
          expect(Array.from(t.data), name).toEqual(data);
        }
        const inputBuffers = new Set(before.map(({ t }) => t.data.buffer));
        results.forEach((result, i) => {
          if (result instanceof Tensor) {
            expect(inputBuffers.has(result.data.buffer), `result ${i} shares an input's data`).toBe(
              false,
            );
          }
        });
      }),
      { seed: 71, numRuns: 100 },
    );
  });

  it("tensor(data, shape) copies: mutating the source afterwards changes nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (values, at) => {
          const source = [...values];
          const typed = Float64Array.from(values);
          const fromArray = tensor(source, [source.length]);
          const fromTyped = tensor(typed, [typed.length]);
          const owner = new Tensor(Float64Array.from(values), [values.length]);
          const fromTensor = tensor(owner);
          const reshaped = tensor(owner, [1, values.length]);
          const nested = [source.slice()];
          const fromNested = tensor(nested);
          const i = at % values.length;
          source[i] = 1e300;
          typed[i] = 1e300;
          nested[0]![i] = 1e300;
          owner.data[i] = 1e300;
          for (const t of [fromArray, fromTyped, fromTensor, reshaped, fromNested]) {
            expect(Array.from(t.data)).toEqual(values);
          }
        },
      ),
      { seed: 72, numRuns: 100 },
    );
  });
});
