import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matmul, Rng, type Tensor, tensor } from "./index.js";

function naiveMatmul(a: Tensor, b: Tensor): number[] {
  const [n, k] = a.shape as [number, number];
  const m = b.shape[1]!;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let total = 0;
      for (let p = 0; p < k; p++) total += a.data[i * k + p]! * b.data[p * m + j]!;
      out.push(total);
    }
  }
  return out;
}

function expectMatches(a: Tensor, b: Tensor): void {
  const out = matmul(a, b);
  expect(out.shape).toEqual([a.shape[0], b.shape[1]]);
  const want = naiveMatmul(a, b);
  want.forEach((w, i) => {
    const got = out.data[i]!;
    // The kernel sums every entry in the naive loop's order, so the bits agree exactly.
    if (!Object.is(got, w)) {
      throw new Error(`entry ${i} of [${a.shape}] x [${b.shape}]: got ${got}, expected ${w}`);
    }
  });
}

function random(shape: number[], seed: number): Tensor {
  return new Rng(seed).rand(shape, -1, 1);
}

describe("matmul against a naive triple loop", () => {
  it("random small sizes, including 1 and 0, odd inner sizes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.nat(),
        (n, k, m, seed) => {
          expectMatches(random([n, k], seed), random([k, m], seed + 1));
        },
      ),
      { seed: 61, numRuns: 300 },
    );
  });

  it("sizes across the kernel's 4 x 4 blocks and column bands, and odd remainders", () => {
    const sizes: [number, number, number][] = [
      [5, 300, 230], // three column bands of 108 (32768 / 300, rounded to 4) and a remainder
      [9, 1, 7], // k = 1: outer products
      [7, 0, 5], // k = 0: zeros
      [3, 130, 5], // inner size crosses one K block, odd remainder
      [2, 257, 3], // two K blocks and an odd remainder
      [4, 129, 1], // matrix-vector path
      [2, 7, 520], // output width crosses one N block
      [3, 131, 515], // both blocks crossed, odd everywhere
      [1, 256, 1024], // exact multiples of both blocks
      [1, 1, 600],
      [130, 1, 2],
    ];
    sizes.forEach(([n, k, m], i) => {
      expectMatches(random([n, k], 100 + i), random([k, m], 200 + i));
    });
  });

  it("random large sizes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 100, max: 300 }),
        fc.integer({ min: 1, max: 600 }),
        fc.nat(),
        (n, k, m, seed) => {
          expectMatches(random([n, k], seed), random([k, m], seed + 1));
        },
      ),
      { seed: 62, numRuns: 15 },
    );
  });

  it("by hand", () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([
      [1, 0],
      [0, 1],
      [2, -1],
    ]);
    expect(matmul(a, b).toArray()).toEqual([
      [7, -1],
      [16, -1],
    ]);
    expect(matmul(tensor([[2]]), tensor([[3]])).toArray()).toEqual([[6]]);
    expect(matmul(tensor([]).reshape(2, 0), tensor([]).reshape(0, 3)).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("names the problem with bad operands", () => {
    const m23 = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => matmul(m23, m23)).toThrow(
      /^matmul: inner sizes differ: \[2, 3\] times \[2, 3\] needs 3 == 2/,
    );
    expect(() => matmul(tensor([1, 2, 3]), m23)).toThrow(
      /^matmul: first operand must be 2-d, got shape \[3\] \(use einsum for other ranks\)/,
    );
    expect(() => matmul(m23, tensor(1))).toThrow(
      /^matmul: second operand must be 2-d, got shape \[\]/,
    );
    expect(() => matmul(m23, [[1]] as unknown as Tensor)).toThrow(
      /^matmul: second operand must be a Tensor, got an array of length 1/,
    );
  });
});
