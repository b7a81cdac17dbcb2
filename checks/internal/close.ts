/** How close two numbers must be: |a - e| <= atol + rtol |e|. */
export interface Tolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance, against the expected value. */
  rtol: number;
}

/**
 * numpy's closeness rule for one pair, |a - e| <= atol + rtol * |e|, except that nothing
 * non-finite is ever close: not NaN, and not Infinity, even to itself (numpy calls two equal
 * infinities close), and not under a bound that is itself not finite (an atol of Infinity).
 */
export function isClose(actual: number, expected: number, atol: number, rtol: number): boolean {
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return false;
  const bound = atol + rtol * Math.abs(expected);
  if (!Number.isFinite(bound)) return false;
  return actual === expected || Math.abs(actual - expected) <= bound;
}

export function allClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    if (!isClose(actual[i]!, expected[i]!, atol, rtol)) return false;
  }
  return true;
}

/** The multi-index of flat position `flat` in a row-major tensor of `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const side = shape[axis]!;
    index[axis] = flat % side;
    flat = Math.floor(flat / side);
  }
  return index;
}

export function formatIndex(index: readonly number[]): string {
  return `[${index.join(", ")}]`;
}

/** The flat position of the first value that is NaN or ±Infinity, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** How many values are NaN or ±Infinity. */
export function countNonFinite(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) count++;
  return count;
}

/**
 * Throws a RangeError naming the option unless atol and rtol are finite numbers of 0 or more: an
 * atol of Infinity (or NaN, which compares false everywhere) would decide every comparison alone.
 */
export function checkTolerance(tolerance: { atol: number; rtol: number }, where: string): void {
  for (const key of ["atol", "rtol"] as const) {
    const value = tolerance[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `${where}: ${key} must be a finite number of 0 or more, got ${String(value)}`,
      );
    }
  }
}
