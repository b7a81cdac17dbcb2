/**
 * The inner product of two arrays of one length, summed in index order (the order matters for
 * the last bits: every judge that projects onto a direction sums the same way).
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < a.length; k++) total += a[k]! * b[k]!;
  return total;
}
