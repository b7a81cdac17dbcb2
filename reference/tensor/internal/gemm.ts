/**
 * Batched matrix product into `out` (which must start zeroed):
 * out[b] = a[b] (m x k) times b[b] (k x n), all row-major and contiguous.
 *
 * Loop order i-p-j keeps the inner loop on contiguous rows of `b` and `out`; blocking over p and j
 * keeps a panel of `b` in cache while every row of `a` streams past it.
 */
const K_BLOCK = 128;
const N_BLOCK = 512;

export function gemm(
  batch: number,
  m: number,
  k: number,
  n: number,
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
): void {
  const aStride = m * k;
  const bStride = k * n;
  const outStride = m * n;
  for (let batchIndex = 0; batchIndex < batch; batchIndex++) {
    const aBase = batchIndex * aStride;
    const bBase = batchIndex * bStride;
    const outBase = batchIndex * outStride;
    if (n === 1) {
      // Matrix-vector product: a dot product per row.
      for (let i = 0; i < m; i++) {
        let total = 0;
        const row = aBase + i * k;
        for (let p = 0; p < k; p++) total += a[row + p]! * b[bBase + p]!;
        out[outBase + i] = total;
      }
      continue;
    }
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const p1 = Math.min(k, p0 + K_BLOCK);
      for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
        const j1 = Math.min(n, j0 + N_BLOCK);
        for (let i = 0; i < m; i++) {
          const outRow = outBase + i * n;
          const aRow = aBase + i * k;
          let p = p0;
          // Two rows of b per pass halves the loads and stores of the output row.
          for (; p + 1 < p1; p += 2) {
            const x0 = a[aRow + p]!;
            const x1 = a[aRow + p + 1]!;
            const b0 = bBase + p * n;
            const b1 = b0 + n;
            for (let j = j0; j < j1; j++) out[outRow + j] += x0 * b[b0 + j]! + x1 * b[b1 + j]!;
          }
          if (p < p1) {
            const x0 = a[aRow + p]!;
            const b0 = bBase + p * n;
            for (let j = j0; j < j1; j++) out[outRow + j] += x0 * b[b0 + j]!;
          }
        }
      }
    }
  }
}
