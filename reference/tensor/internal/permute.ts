import { gatherStrided } from "./gatherStrided.js";
import { stridesOf } from "./shape.js";

/** Copies row-major `data` of `shape` into the layout of its axes reordered by `axes`. */
export function permuteData(
  data: Float64Array,
  shape: readonly number[],
  axes: readonly number[],
): Float64Array {
  if (isIdentity(axes)) return data.slice();
  const strides = stridesOf(shape);
  return gatherStrided(
    data,
    axes.map((axis) => shape[axis]!),
    axes.map((axis) => strides[axis]!),
  );
}

export function isIdentity(axes: readonly number[]): boolean {
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return false;
  return true;
}
