/** Copies row-major `data` of `shape` into the layout of its axes reordered by `axes`. */
export function permuteData(
  data: Float64Array,
  shape: readonly number[],
  axes: readonly number[],
): Float64Array {
  const ndim = shape.length;
  const out = new Float64Array(data.length);
  if (data.length === 0) return out;
  let identity = true;
  for (let i = 0; i < ndim; i++) if (axes[i] !== i) identity = false;
  if (identity) {
    out.set(data);
    return out;
  }
  const inStrides = new Array<number>(ndim);
  let stride = 1;
  for (let axis = ndim - 1; axis >= 0; axis--) {
    inStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  // Walk the output in order; the source offset follows the permuted strides.
  const sides = axes.map((axis) => shape[axis]!);
  const steps = axes.map((axis) => inStrides[axis]!);
  const last = ndim - 1;
  const lastSide = sides[last]!;
  const lastStep = steps[last]!;
  const counter = new Array<number>(ndim).fill(0);
  let source = 0;
  let target = 0;
  const total = data.length;
  while (target < total) {
    for (let i = 0; i < lastSide; i++) out[target++] = data[source + i * lastStep]!;
    let axis = last - 1;
    while (axis >= 0) {
      counter[axis]!++;
      source += steps[axis]!;
      if (counter[axis]! < sides[axis]!) break;
      source -= steps[axis]! * sides[axis]!;
      counter[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
  return out;
}
