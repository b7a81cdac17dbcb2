import { isIdentity, permuteData } from "./internal/permute.js";
import { describe, formatShape, normalizeAxis, repeatsAxis } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/** Which axes to reduce: all of them (undefined or null), one axis, or a list. */
export type Axes = number | readonly number[] | null | undefined;

interface Reduction {
  where: string;
  /** Reduces `length` contiguous values starting at `start`. */
  fold(data: Float64Array, start: number, length: number): number;
  /** Whether reducing zero elements is an error (max of nothing) rather than an identity. */
  needsElements: boolean;
}

function reduce(t: Tensor, axes: Axes, keepDims: boolean, how: Reduction): Tensor {
  if (!(t instanceof Tensor))
    throw new Error(`${how.where}: expected a Tensor, got ${describe(t)}`);
  if ((axes === undefined || axes === null) && (t.size > 0 || !how.needsElements)) {
    // Everything at once (a loss, a total): the data is one block already.
    const out = new Float64Array(1);
    out[0] = how.fold(t.data, 0, t.size);
    return new Tensor(out, keepDims ? t.shape.map(() => 1) : []);
  }
  const reduced = resolveAxes(axes, t.ndim, how.where);
  const kept: number[] = [];
  for (let axis = 0; axis < t.ndim; axis++) if (!reduced.includes(axis)) kept.push(axis);
  let blockLength = 1;
  for (const axis of reduced) blockLength *= t.shape[axis]!;
  if (blockLength === 0 && how.needsElements) {
    throw new Error(
      `${how.where}: cannot reduce over zero elements (shape ${formatShape(t.shape)}, axes ${formatShape(reduced)})`,
    );
  }
  // Reduced axes last; when they already are, the data is only read, so no copy is needed.
  const order = [...kept, ...reduced];
  const ordered = isIdentity(order) ? t.data : permuteData(t.data, t.shape, order);
  const outSize =
    blockLength === 0 ? sizeOf(kept.map((axis) => t.shape[axis]!)) : t.size / blockLength;
  const out = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) out[i] = how.fold(ordered, i * blockLength, blockLength);
  const shape = keepDims
    ? t.shape.map((side, axis) => (reduced.includes(axis) ? 1 : side))
    : kept.map((axis) => t.shape[axis]!);
  return new Tensor(out, shape);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function resolveAxes(axes: Axes, ndim: number, where: string): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof axes === "number") return [normalizeAxis(axes, ndim, where)];
  const list = axes;
  if (!Array.isArray(list)) {
    throw new Error(
      `${where}: axes must be a number, an array of numbers or null, got ${describe(axes)}`,
    );
  }
  const resolved = list.map((axis) => normalizeAxis(axis, ndim, where));
  if (repeatsAxis(resolved, ndim)) {
    throw new Error(`${where}: axes ${formatShape(list)} name the same axis twice`);
  }
  return resolved.sort((a, b) => a - b);
}

const sumFold = (data: Float64Array, start: number, length: number): number => {
  let total = 0;
  for (let i = start; i < start + length; i++) total += data[i]!;
  return total;
};

/**
 * Sum over all axes (default) or the given ones (negative axes count from the end). The reduced
 * axes are dropped, or kept as sides of 1 with `keepDims`; a sum over no elements is 0. Throws
 * for an axis out of range or named twice.
 */
export function sum(t: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce(t, axes, keepDims, { where: "sum", fold: sumFold, needsElements: false });
}

/**
 * Mean over all axes (default) or the given ones, shaped as {@link sum}'s result; throws for a
 * mean over no elements.
 */
export function mean(t: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce(t, axes, keepDims, {
    where: "mean",
    fold: (data, start, length) => sumFold(data, start, length) / length,
    needsElements: true,
  });
}

/**
 * Largest value over all axes (default) or the given ones, shaped as {@link sum}'s result; NaN
 * if any value is NaN. Throws for a maximum over no elements.
 */
export function max(t: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce(t, axes, keepDims, {
    where: "max",
    fold: (data, start, length) => {
      let best = Number.NEGATIVE_INFINITY;
      for (let i = start; i < start + length; i++) {
        const v = data[i]!;
        if (Number.isNaN(v)) return Number.NaN;
        if (v > best) best = v;
      }
      return best;
    },
    needsElements: true,
  });
}

/**
 * Smallest value over all axes (default) or the given ones, shaped as {@link sum}'s result; NaN
 * if any value is NaN. Throws for a minimum over no elements.
 */
export function min(t: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduce(t, axes, keepDims, {
    where: "min",
    fold: (data, start, length) => {
      let best = Number.POSITIVE_INFINITY;
      for (let i = start; i < start + length; i++) {
        const v = data[i]!;
        if (Number.isNaN(v)) return Number.NaN;
        if (v < best) best = v;
      }
      return best;
    },
    needsElements: true,
  });
}

/**
 * Index of the largest value (the first one on ties, the first NaN if any, as numpy) along
 * `axis`, as a tensor of indices (that axis dropped); without an axis, the flat index into
 * `data` as a 0-d tensor. Throws for an empty tensor or an axis out of range.
 */
export function argmax(t: Tensor, axis?: number): Tensor {
  const source = axis === undefined ? t.reshape([t.size]) : t;
  return reduce(source, axis ?? 0, false, {
    where: "argmax",
    fold: (data, start, length) => {
      let best = 0;
      for (let i = 0; i < length; i++) {
        if (Number.isNaN(data[start + i]!)) return i;
        if (data[start + i]! > data[start + best]!) best = i;
      }
      return best;
    },
    needsElements: true,
  });
}
