import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contractionPairArb, tensorArb } from "../../checks/index.js";
import { type Tensor, tensor, zeros } from "../tensor/index.js";
import { batchedMatmul, contract, slideEinsum } from "./contractions.js";

/** Row-major multi-index of a flat position. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The definition, one output element at a time. */
function naiveContract(A: Tensor, B: Tensor, k: number): Tensor {
  const freeA = A.shape.slice(0, A.ndim - k);
  const shared = A.shape.slice(A.ndim - k);
  const freeB = B.shape.slice(k);
  const outShape = [...freeA, ...freeB];
  const out = zeros(outShape).data;
  for (let o = 0; o < out.length; o++) {
    const index = unravel(o, outShape);
    const a = index.slice(0, freeA.length);
    const b = index.slice(freeA.length);
    let total = 0;
    for (let s = 0; s < size(shared); s++) {
      const c = unravel(s, shared);
      total += A.get(...a, ...c) * B.get(...c, ...b);
    }
    out[o] = total;
  }
  return tensor(out, outShape);
}

function expectClose(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  actual.data.forEach((v, i) => {
    expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)));
  });
}

describe("reference contract", () => {
  it("matches the definition on generated pairs (k = 0 and full rank included)", () => {
    fc.assert(
      fc.property(contractionPairArb({ specialValues: true }), ({ a, b, k }) => {
        expectClose(contract(a, b, k), naiveContract(a, b, k));
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("gives the lecture's shapes and the matrix product", () => {
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
    expect(contract(tensor([1, 2]), tensor([3, 4]), 0).toArray()).toEqual([
      [3, 4],
      [6, 8],
    ]);
    expect(contract(tensor([1, 2]), tensor([3, 4]), 1).shape).toEqual([]);
  });

  it("refuses a k that does not fit", () => {
    expect(() => contract(zeros([2, 3]), zeros([2, 3]), 1)).toThrow(/last 1 dims/);
    expect(() => contract(zeros([2]), zeros([2, 3]), 2)).toThrow(/k must be/);
  });
});

describe("reference batchedMatmul", () => {
  it("matches Y[i, j] = sum_k X[i, k] M[i, k, j]", () => {
    const sides = fc.tuple(...[0, 1, 2].map(() => fc.integer({ min: 1, max: 4 })));
    const cases = sides.chain(([B, n, m]) =>
      fc.tuple(tensorArb({ shape: [B, n] }), tensorArb({ shape: [B, n, m] })),
    );
    fc.assert(
      fc.property(cases, ([X, M]) => {
        const [B, n] = X.shape as [number, number];
        const m = M.shape[2]!;
        const out = zeros([B, m]).data;
        for (let i = 0; i < B; i++)
          for (let j = 0; j < m; j++)
            for (let k = 0; k < n; k++) out[i * m + j]! += X.get(i, k) * M.get(i, k, j);
        expectClose(batchedMatmul(X, M), tensor(out, [B, m]));
      }),
      { seed: 2, numRuns: 100 },
    );
  });
});

describe("reference slideEinsum", () => {
  it("matches Z[i, j] = sum over k, w of X[i, j, k] Y[j, i, w]", () => {
    const sides = fc.tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 1, max: 3 })));
    const cases = sides.chain(([a, b, c, d]) =>
      fc.tuple(tensorArb({ shape: [a, b, c] }), tensorArb({ shape: [b, a, d] })),
    );
    fc.assert(
      fc.property(cases, ([X, Y]) => {
        const [a, b, c] = X.shape as [number, number, number];
        const d = Y.shape[2]!;
        const out = zeros([a, b]).data;
        for (let i = 0; i < a; i++)
          for (let j = 0; j < b; j++)
            for (let k = 0; k < c; k++)
              for (let w = 0; w < d; w++) out[i * b + j]! += X.get(i, j, k) * Y.get(j, i, w);
        expectClose(slideEinsum(X, Y), tensor(out, [a, b]));
      }),
      { seed: 3, numRuns: 100 },
    );
  });
});
