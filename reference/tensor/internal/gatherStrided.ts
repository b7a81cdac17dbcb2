/**
 * Copies, in row-major order over an index space of `sides`, the elements of `data` at
 * offset sum(index[axis] * steps[axis]). A permutation of axes, a diagonal (one axis stepping
 * over several) and a plain copy are all this gather; the last axis runs as a tight loop.
 */
export function gatherStrided(
  data: Float64Array,
  sides: readonly number[],
  steps: readonly number[],
): Float64Array {
  const ndim = sides.length;
  let size = 1;
  for (const side of sides) size *= side;
  const out = new Float64Array(size);
  if (size === 0) return out;
  if (ndim === 0) {
    out[0] = data[0]!;
    return out;
  }
  if (ndim === 1) {
    // One axis (a diagonal such as einsum's 'ii->i') needs no counter: no array per call.
    const step = steps[0]!;
    for (let i = 0, at = 0; i < size; i++, at += step) out[i] = data[at]!;
    return out;
  }
  const last = ndim - 1;
  const lastSide = sides[last]!;
  const lastStep = steps[last]!;
  const counter = new Array<number>(ndim).fill(0);
  let source = 0;
  let target = 0;
  for (;;) {
    for (let i = 0, at = source; i < lastSide; i++, at += lastStep) out[target++] = data[at]!;
    let axis = last - 1;
    for (; axis >= 0; axis--) {
      counter[axis]!++;
      source += steps[axis]!;
      if (counter[axis]! < sides[axis]!) break;
      source -= steps[axis]! * sides[axis]!;
      counter[axis] = 0;
    }
    if (axis < 0) return out;
  }
}
