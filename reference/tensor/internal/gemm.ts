/**
 * Batched matrix product into `out` (any previous contents are overwritten):
 * out[b] = a[b] (m x k) times b[b] (k x n), all row-major and contiguous.
 *
 * Every entry is the sum of its k products taken in the order p = 0, 1, ..., k - 1, starting
 * from +0: the same bits as a naive triple loop, whatever the sizes and the blocking below.
 *
 * The work is done in 4 x 4 blocks of `out` whose 16 sums live in local variables over the whole
 * p loop: each step loads 4 values of `a` and 4 of `b` for 16 multiply-adds, where a row-at-a-time
 * loop loads and stores `out` on every multiply-add. Rows and columns left over at the edges go
 * through 4 x 1, 1 x 4 and 1 x 1 versions of the same loop. Columns are taken in bands so that
 * the band of `b` (k x band) stays in cache while every row panel of `a` passes over it.
 */
const BAND_BYTES = 256 * 1024;

export function gemm(
  batch: number,
  m: number,
  k: number,
  n: number,
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
): void {
  const band = Math.max(4, Math.floor(BAND_BYTES / 8 / Math.max(1, k) / 4) * 4);
  for (let batchIndex = 0; batchIndex < batch; batchIndex++) {
    const aBase = batchIndex * m * k;
    const bBase = batchIndex * k * n;
    const outBase = batchIndex * m * n;
    for (let j0 = 0; j0 < n; j0 += band) {
      const j1 = Math.min(n, j0 + band);
      const j4 = j0 + (j1 - j0) - ((j1 - j0) % 4);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const aRow = aBase + i * k;
        const outRow = outBase + i * n;
        for (let j = j0; j < j4; j += 4) block4x4(k, n, a, aRow, b, bBase + j, out, outRow + j);
        for (let j = j4; j < j1; j++) block4x1(k, n, a, aRow, b, bBase + j, out, outRow + j);
      }
      for (; i < m; i++) {
        const aRow = aBase + i * k;
        const outRow = outBase + i * n;
        for (let j = j0; j < j4; j += 4) block1x4(k, n, a, aRow, b, bBase + j, out, outRow + j);
        for (let j = j4; j < j1; j++) block1x1(k, n, a, aRow, b, bBase + j, out, outRow + j);
      }
    }
  }
}

/** out[4 x 4 at outAt] = a[4 rows from aRow] times b[k rows, 4 columns from bAt]. */
function block4x4(
  k: number,
  n: number,
  a: Float64Array,
  aRow: number,
  b: Float64Array,
  bAt: number,
  out: Float64Array,
  outAt: number,
): void {
  const a1 = aRow + k;
  const a2 = a1 + k;
  const a3 = a2 + k;
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  let bp = bAt;
  for (let p = 0; p < k; p++, bp += n) {
    const b0 = b[bp]!;
    const b1 = b[bp + 1]!;
    const b2 = b[bp + 2]!;
    const b3 = b[bp + 3]!;
    let x = a[aRow + p]!;
    c00 += x * b0;
    c01 += x * b1;
    c02 += x * b2;
    c03 += x * b3;
    x = a[a1 + p]!;
    c10 += x * b0;
    c11 += x * b1;
    c12 += x * b2;
    c13 += x * b3;
    x = a[a2 + p]!;
    c20 += x * b0;
    c21 += x * b1;
    c22 += x * b2;
    c23 += x * b3;
    x = a[a3 + p]!;
    c30 += x * b0;
    c31 += x * b1;
    c32 += x * b2;
    c33 += x * b3;
  }
  let o = outAt;
  out[o] = c00;
  out[o + 1] = c01;
  out[o + 2] = c02;
  out[o + 3] = c03;
  o += n;
  out[o] = c10;
  out[o + 1] = c11;
  out[o + 2] = c12;
  out[o + 3] = c13;
  o += n;
  out[o] = c20;
  out[o + 1] = c21;
  out[o + 2] = c22;
  out[o + 3] = c23;
  o += n;
  out[o] = c30;
  out[o + 1] = c31;
  out[o + 2] = c32;
  out[o + 3] = c33;
}

/** One column of four rows. */
function block4x1(
  k: number,
  n: number,
  a: Float64Array,
  aRow: number,
  b: Float64Array,
  bAt: number,
  out: Float64Array,
  outAt: number,
): void {
  const a1 = aRow + k;
  const a2 = a1 + k;
  const a3 = a2 + k;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let bp = bAt;
  for (let p = 0; p < k; p++, bp += n) {
    const y = b[bp]!;
    c0 += a[aRow + p]! * y;
    c1 += a[a1 + p]! * y;
    c2 += a[a2 + p]! * y;
    c3 += a[a3 + p]! * y;
  }
  out[outAt] = c0;
  out[outAt + n] = c1;
  out[outAt + 2 * n] = c2;
  out[outAt + 3 * n] = c3;
}

/** Four columns of one row. */
function block1x4(
  k: number,
  n: number,
  a: Float64Array,
  aRow: number,
  b: Float64Array,
  bAt: number,
  out: Float64Array,
  outAt: number,
): void {
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let bp = bAt;
  for (let p = 0; p < k; p++, bp += n) {
    const x = a[aRow + p]!;
    c0 += x * b[bp]!;
    c1 += x * b[bp + 1]!;
    c2 += x * b[bp + 2]!;
    c3 += x * b[bp + 3]!;
  }
  out[outAt] = c0;
  out[outAt + 1] = c1;
  out[outAt + 2] = c2;
  out[outAt + 3] = c3;
}

function block1x1(
  k: number,
  n: number,
  a: Float64Array,
  aRow: number,
  b: Float64Array,
  bAt: number,
  out: Float64Array,
  outAt: number,
): void {
  let c = 0;
  let bp = bAt;
  for (let p = 0; p < k; p++, bp += n) c += a[aRow + p]! * b[bp]!;
  out[outAt] = c;
}
