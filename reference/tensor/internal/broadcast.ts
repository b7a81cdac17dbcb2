import { formatShape } from "./shape.js";

/** numpy's rule: align shapes on the right; each pair of sides must be equal or contain a 1. */
export function broadcastShapes(shapes: readonly (readonly number[])[], where: string): number[] {
  // Plain loops: this runs on every element-wise call with shapes that differ.
  let ndim = 0;
  for (const shape of shapes) if (shape.length > ndim) ndim = shape.length;
  const out = new Array<number>(ndim).fill(1);
  for (let fromRight = 1; fromRight <= ndim; fromRight++) {
    let side = 1;
    for (const shape of shapes) {
      const s = shape[shape.length - fromRight];
      if (s === undefined || s === 1) continue;
      if (side !== 1 && s !== side) {
        throw new Error(
          `${where}: cannot broadcast shapes ${shapes.map(formatShape).join(" and ")}: axis -${fromRight} has sizes ${side} and ${s} (sizes must match or be 1)`,
        );
      }
      side = s;
    }
    out[ndim - fromRight] = side;
  }
  return out;
}

/** Strides of `shape` read as if it had `outShape`: 0 on broadcast (missing or size-1) axes. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let fromRight = 1; fromRight <= shape.length; fromRight++) {
    const side = shape[shape.length - fromRight]!;
    strides[outShape.length - fromRight] = side === 1 ? 0 : stride;
    stride *= side;
  }
  return strides;
}

/** Gathers `data` of `shape` into the row-major layout of `outShape` (numpy's broadcast_to). */
export function broadcastData(
  data: Float64Array,
  shape: readonly number[],
  outShape: readonly number[],
): Float64Array {
  let size = 1;
  for (const side of outShape) size *= side;
  const out = new Float64Array(size);
  if (size === 0) return out;
  const strides = broadcastStrides(shape, outShape);
  const ndim = outShape.length;
  const counter = new Array<number>(ndim).fill(0);
  let source = 0;
  for (let target = 0; target < size; target++) {
    out[target] = data[source]!;
    for (let axis = ndim - 1; axis >= 0; axis--) {
      counter[axis]!++;
      source += strides[axis]!;
      if (counter[axis]! < outShape[axis]!) break;
      source -= strides[axis]! * outShape[axis]!;
      counter[axis] = 0;
    }
  }
  return out;
}
