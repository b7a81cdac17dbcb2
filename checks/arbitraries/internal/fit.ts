/**
 * Fitting shapes to generated cells.
 *
 * Builders that generate tensors together with their shapes draw, for every tensor, an array of
 * cells whose LENGTH varies (from the smallest to the largest size the tensor can have), next to a
 * shape "plan". The plan's sides are then lowered, largest first, until every tensor fits in its
 * cells, and each tensor takes the first cells it needs. Everything is one fc.tuple(...).map(...),
 * so the plan and the cells shrink together, and shrinking may delete cells anywhere, which moves
 * a cell that matters towards the front and lets the shape shrink all the way. (With a chain
 * from shape to values, the shape never shrinks again once the values start shrinking.)
 */

/** The number of elements of the tensor whose dims are `dims[i]` for i in `axes`. */
export function sizeOf(dims: readonly number[], axes: readonly number[]): number {
  let size = 1;
  for (const axis of axes) size *= dims[axis]!;
  return size;
}

/**
 * Lowers `dims` (never below minSide) until tensor j, whose axes are the dims listed in
 * `tensors[j]` (a dim may be listed twice, as for an einsum diagonal), has at most
 * `capacities[j]` elements. The capacities must allow every tensor at minSide.
 */
export function fitDims(
  dims: readonly number[],
  tensors: readonly (readonly number[])[],
  capacities: readonly number[],
  minSide: number,
): number[] {
  const out = [...dims];
  for (;;) {
    const over = tensors.findIndex((axes, j) => sizeOf(out, axes) > capacities[j]!);
    if (over === -1) return out;
    let pick = -1;
    for (const dim of tensors[over]!) {
      if (out[dim]! > minSide && (pick === -1 || out[dim]! >= out[pick]!)) pick = dim;
    }
    if (pick === -1) throw new Error("fitDims: internal error: cannot fit the shape to the cells");
    out[pick]! -= 1;
  }
}

/** 0, 1, ..., n - 1. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
