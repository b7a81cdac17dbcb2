/**
 * Is a function of one variable, sampled at t = -2h, -h, 0, h, 2h, smooth there?
 * For a smooth function the four slopes between neighbours change almost linearly, so their
 * second differences are tiny (order h^2 times the third derivative). A kink (a bend) or a jump
 * inside the window makes one of them about as large as the change in slope itself.
 *
 * Values that are not finite are no kink: a function that returns NaN or Infinity near the point
 * fails a gradient check, it is never excused as "inconclusive".
 */
export function looksNonDifferentiable(values: readonly number[], h: number): boolean {
  if (values.some((v) => !Number.isFinite(v))) return false;
  if (values.length !== 5) return true;
  const slopes = [0, 1, 2, 3].map((i) => (values[i + 1]! - values[i]!) / h);
  const bend1 = slopes[2]! - 2 * slopes[1]! + slopes[0]!;
  const bend2 = slopes[3]! - 2 * slopes[2]! + slopes[1]!;
  const slopeScale = Math.max(...slopes.map(Math.abs));
  const valueScale = Math.max(...values.map(Math.abs));
  // Rounding in the values alone moves a slope by about eps * |value| / h; allow a wide margin.
  const noise = (1e4 * Number.EPSILON * valueScale) / h;
  const threshold = 1e-3 * slopeScale + noise;
  return Math.abs(bend1) > threshold || Math.abs(bend2) > threshold;
}
