/**
 * Problem 1: contractions and einsum (staff solution).
 */
import { einsum, matmul, type Tensor } from "gradmark/tensor";

const product = (sides: readonly number[]): number => sides.reduce((a, b) => a * b, 1);
const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * The lecture's contraction along `k` dims (numpy's `tensordot(A, B, k)`): result shape
 * `A.shape[:-k] ++ B.shape[k:]`. `k = 0` is the outer product; `k` may be the full rank of A
 * and/or B.
 */
export function contract(A: Tensor, B: Tensor, k: number): Tensor {
  if (!Number.isInteger(k) || k < 0 || k > A.ndim || k > B.ndim) {
    throw new Error(
      `contract: k must be an integer between 0 and min(A.ndim, B.ndim) = ${Math.min(A.ndim, B.ndim)}, got ${k}`,
    );
  }
  const outerA = A.shape.slice(0, A.ndim - k);
  const summedA = A.shape.slice(A.ndim - k);
  const summedB = B.shape.slice(0, k);
  const outerB = B.shape.slice(k);
  if (summedA.some((side, i) => side !== summedB[i])) {
    throw new Error(
      `contract: the last ${k} dims of A ${show(A.shape)} must equal the first ${k} dims of B ${show(B.shape)}`,
    );
  }
  // Flattening both sides turns any contraction into one matrix product:
  // [prod(outerA), prod(summed)] x [prod(summed), prod(outerB)]. For k = 0 the summed side is 1.
  const inner = product(summedA);
  const left = A.reshape([product(outerA), inner]);
  const right = B.reshape([inner, product(outerB)]);
  return matmul(left, right).reshape([...outerA, ...outerB]);
}

/** X `[B, n]`, M `[B, n, m]` -> Y `[B, m]` with Y[i] = X[i] M[i]. */
export function batchedMatmul(X: Tensor, M: Tensor): Tensor {
  if (X.ndim !== 2 || M.ndim !== 3 || X.shape[0] !== M.shape[0] || X.shape[1] !== M.shape[1]) {
    throw new Error(
      `batchedMatmul: expected X [B, n] and M [B, n, m], got ${show(X.shape)} and ${show(M.shape)}`,
    );
  }
  return einsum("ik,ikj->ij", X, M);
}

/** The lecture's `'abc, bad -> ab'`: Z[i, j] = sum over k, w of X[i, j, k] * Y[j, i, w]. */
export function slideEinsum(X: Tensor, Y: Tensor): Tensor {
  if (X.ndim !== 3 || Y.ndim !== 3 || X.shape[0] !== Y.shape[1] || X.shape[1] !== Y.shape[0]) {
    throw new Error(
      `slideEinsum: expected X [A, B, C] and Y [B, A, D], got ${show(X.shape)} and ${show(Y.shape)}`,
    );
  }
  return einsum("abc,bad->ab", X, Y);
}
