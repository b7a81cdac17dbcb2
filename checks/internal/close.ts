/** numpy's closeness rule for one pair: |a - e| <= atol + rtol * |e| (NaN is never close). */
export function isClose(actual: number, expected: number, atol: number, rtol: number): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
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
