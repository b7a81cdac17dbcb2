import fc from "fast-check";
import { tensorArb } from "gradmark/checks";
import type { Tensor } from "gradmark/tensor";

/** Every column of x has a variance of at least `least` (no feature that is nearly constant). */
function spread(x: Tensor, least: number): boolean {
  const [rows, cols] = x.shape as [number, number];
  for (let j = 0; j < cols; j++) {
    let total = 0;
    for (let i = 0; i < rows; i++) total += x.data[i * cols + j]!;
    const mu = total / rows;
    let squares = 0;
    for (let i = 0; i < rows; i++) squares += (x.data[i * cols + j]! - mu) ** 2;
    if (squares / rows < least) return false;
  }
  return true;
}

/** A batch x of shape [B, F] with B in [minB, maxB], F up to maxF, every column spread out. */
export function batches(minB: number, maxB: number, maxF: number): fc.Arbitrary<Tensor[]> {
  return fc
    .tuple(fc.integer({ min: minB, max: maxB }), fc.integer({ min: 1, max: maxF }))
    .chain(([b, f]) => spreadBatch([b, f]))
    .map((x) => [x]);
}

/** Another batch of the same shape (the second forward on the same layer object). */
export function spreadBatch(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return tensorArb({ shape }).filter((x) => spread(x, 0.05));
}

/** Rows of x [B, F] away from 0 (rmsNorm divides by their root mean square). */
export const rows: fc.Arbitrary<Tensor[]> = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
  .chain(([b, f]) => tensorArb({ shape: [b, f], kinks: [0], margin: 0.1 }))
  .map((x) => [x]);
