/**
 * Public reference forwards of problem 1 (HOMEWORK.md, "Problem 1: contractions"): the grader's
 * expected values for `contract`, `batchedMatmul` and `slideEinsum`. Pure functions of kit tensors.
 */
import { einsum, matmul, type Tensor } from "../tensor/index.js";
import { viewAs } from "./internal/viewAs.js";

const product = (sides: readonly number[]): number => sides.reduce((a, b) => a * b, 1);
const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * The lecture's contraction along `k` dims: result shape `A.shape[:-k] ++ B.shape[k:]`,
 * `out[a..., b...] = sum over c... of A[a..., c...] * B[c..., b...]`. `k = 0` is the outer
 * product; `k` may be the full rank of A and/or B (both: a scalar, shape `[]`).
 * Computed as one matrix product `[prod(free A), prod(shared)] x [prod(shared), prod(free B)]`.
 */
export function contract(A: Tensor, B: Tensor, k: number): Tensor {
  if (!Number.isInteger(k) || k < 0 || k > A.ndim || k > B.ndim) {
    throw new Error(
      `contract: k must be an integer in 0..min(A.ndim, B.ndim) = ${Math.min(A.ndim, B.ndim)}, got ${k}`,
    );
  }
  const freeA = A.shape.slice(0, A.ndim - k);
  const shared = A.shape.slice(A.ndim - k);
  const freeB = B.shape.slice(k);
  if (shared.some((side, i) => side !== B.shape[i])) {
    throw new Error(
      `contract: the last ${k} dims of A ${show(A.shape)} must equal the first ${k} dims of B ${show(B.shape)}`,
    );
  }
  const inner = product(shared);
  const left = viewAs(A, [product(freeA), inner]);
  const right = viewAs(B, [inner, product(freeB)]);
  return viewAs(matmul(left, right), [...freeA, ...freeB]);
}

/** X `[B, n]`, M `[B, n, m]` -> Y `[B, m]`, `Y[i] = X[i] M[i]` (`'ik,ikj->ij'`). */
export function batchedMatmul(X: Tensor, M: Tensor): Tensor {
  if (X.ndim !== 2 || M.ndim !== 3 || X.shape[0] !== M.shape[0] || X.shape[1] !== M.shape[1]) {
    throw new Error(
      `batchedMatmul: expected X [B, n] and M [B, n, m], got ${show(X.shape)} and ${show(M.shape)}`,
    );
  }
  return einsum("ik,ikj->ij", X, M);
}

/**
 * The lecture's `'abc, bad -> ab'`: X `[a, b, c]`, Y `[b, a, d]` -> Z `[a, b]`,
 * `Z[i, j] = sum over k, w of X[i, j, k] * Y[j, i, w]`.
 */
export function slideEinsum(X: Tensor, Y: Tensor): Tensor {
  if (X.ndim !== 3 || Y.ndim !== 3 || X.shape[0] !== Y.shape[1] || X.shape[1] !== Y.shape[0]) {
    throw new Error(
      `slideEinsum: expected X [a, b, c] and Y [b, a, d], got ${show(X.shape)} and ${show(Y.shape)}`,
    );
  }
  return einsum("abc,bad->ab", X, Y);
}
