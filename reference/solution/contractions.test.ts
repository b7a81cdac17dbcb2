import fc from "fast-check";
import { type Tensor, tensor, zeros } from "gradmark/tensor";
import { describe, expect, it } from "vitest";
import { assertClose, assertUnchanged, shapeArb, tensorArb } from "../../testing/solutionSupport";
import { batchedMatmul, contract, slideEinsum } from "./contractions";

/** Every multi-index of `shape`, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((side) => side === 0)) return;
  const index = shape.map(() => 0);
  while (true) {
    yield [...index];
    let axis = shape.length - 1;
    for (; axis >= 0; axis--) {
      index[axis]!++;
      if (index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/** The lecture's formula, entry by entry. */
function naiveContract(A: Tensor, B: Tensor, k: number): Tensor {
  const outerA = A.shape.slice(0, A.ndim - k);
  const summed = B.shape.slice(0, k);
  const outerB = B.shape.slice(k);
  const out: number[] = [];
  for (const a of indices(outerA)) {
    for (const b of indices(outerB)) {
      let total = 0;
      for (const c of indices(summed)) total += A.get(...a, ...c) * B.get(...c, ...b);
      out.push(total);
    }
  }
  return tensor(out, [...outerA, ...outerB]);
}

/** (outer A shape, summed shape, outer B shape) -> a contraction-compatible pair and k. */
const contractionCase = fc
  .tuple(shapeArb({ maxDims: 2 }), shapeArb({ maxDims: 3 }), shapeArb({ maxDims: 2 }))
  .chain(([outerA, summed, outerB]) =>
    fc.tuple(
      tensorArb([...outerA, ...summed]),
      tensorArb([...summed, ...outerB]),
      fc.constant(summed.length),
    ),
  );

describe("contract", () => {
  it("agrees with the naive sum on random shapes (k = 0 and full rank included)", () => {
    fc.assert(
      fc.property(contractionCase, ([A, B, k]) => {
        const result = assertUnchanged([A, B], () => contract(A, B, k));
        assertClose(result, naiveContract(A, B, k), "contract", { rtol: 1e-12, atol: 1e-12 });
      }),
      { seed: 101, numRuns: 150 },
    );
  });

  it("is the outer product for k = 0", () => {
    const A = tensor([1, 2]);
    const B = tensor([[3, 4, 5]]);
    const result = contract(A, B, 0);
    expect(result.shape).toEqual([2, 1, 3]);
    expect(result.toArray()).toEqual([[[3, 4, 5]], [[6, 8, 10]]]);
  });

  it("gives a scalar when k is the full rank of both", () => {
    const A = tensor([
      [1, 2],
      [3, 4],
    ]);
    const result = contract(A, A, 2);
    expect(result.shape).toEqual([]);
    expect(result.item()).toBe(30);
  });

  it("handles k equal to the full rank of only one side", () => {
    const A = tensor([1, 2, 3]);
    const B = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(contract(A, B, 1).toArray()).toEqual([4, 5]);
    expect(contract(B.transpose(), A, 1).toArray()).toEqual([4, 5]);
  });

  it("matches the lecture's shapes and matrix product", () => {
    expect(contract(zeros([2, 45, 7]), zeros([7, 3, 67]), 1).shape).toEqual([2, 45, 3, 67]);
    expect(contract(zeros([2, 5, 4, 6]), zeros([4, 6, 8, 2]), 2).shape).toEqual([2, 5, 8, 2]);
    const product = contract(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([
        [5, 6],
        [7, 8],
      ]),
      1,
    );
    expect(product.toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  it("rejects incompatible shapes and bad k with a message", () => {
    expect(() => contract(zeros([2, 3]), zeros([4, 2]), 1)).toThrow(/last 1 dims of A/);
    expect(() => contract(zeros([2]), zeros([2]), 2)).toThrow(/k must be/);
    expect(() => contract(zeros([2]), zeros([2]), -1)).toThrow(/k must be/);
  });
});

describe("batchedMatmul", () => {
  const batchCase = fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
    )
    .chain(([b, n, m]) => fc.tuple(tensorArb([b, n]), tensorArb([b, n, m])));

  it("computes Y[i] = X[i] M[i] on random shapes", () => {
    fc.assert(
      fc.property(batchCase, ([X, M]) => {
        const [B, n] = X.shape as [number, number];
        const m = M.shape[2]!;
        const expected: number[] = [];
        for (let i = 0; i < B; i++) {
          for (let j = 0; j < m; j++) {
            let total = 0;
            for (let k = 0; k < n; k++) total += X.get(i, k) * M.get(i, k, j);
            expected.push(total);
          }
        }
        const result = assertUnchanged([X, M], () => batchedMatmul(X, M));
        assertClose(result, tensor(expected, [B, m]), "batchedMatmul", {
          rtol: 1e-12,
          atol: 1e-12,
        });
      }),
      { seed: 102, numRuns: 100 },
    );
  });

  it("matches the starter's example", () => {
    const Y = batchedMatmul(
      tensor([[1, 2]]),
      tensor([
        [
          [1, 0, 1],
          [0, 1, 1],
        ],
      ]),
    );
    expect(Y.toArray()).toEqual([[1, 2, 3]]);
  });
});

describe("slideEinsum", () => {
  const slideCase = fc
    .tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .chain(([a, b, c, d]) => fc.tuple(tensorArb([a, b, c]), tensorArb([b, a, d])));

  it("computes Z[i, j] = sum_k,w X[i, j, k] Y[j, i, w]", () => {
    fc.assert(
      fc.property(slideCase, ([X, Y]) => {
        const [A, B, C] = X.shape as [number, number, number];
        const D = Y.shape[2]!;
        const expected: number[] = [];
        for (let i = 0; i < A; i++) {
          for (let j = 0; j < B; j++) {
            let total = 0;
            for (let k = 0; k < C; k++) {
              for (let w = 0; w < D; w++) total += X.get(i, j, k) * Y.get(j, i, w);
            }
            expected.push(total);
          }
        }
        const result = assertUnchanged([X, Y], () => slideEinsum(X, Y));
        assertClose(result, tensor(expected, [A, B]), "slideEinsum", { rtol: 1e-12, atol: 1e-12 });
      }),
      { seed: 103, numRuns: 100 },
    );
  });
});
