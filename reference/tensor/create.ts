import { checkShape, describe, formatShape, shapeSize } from "./internal/shape.js";
import { type NestedArray, Tensor } from "./Tensor.js";

/**
 * A new tensor from a number, nested arrays, or flat data plus a shape.
 * The input is always copied, so later changes to it never reach the tensor. A tensor given as
 * `data` is copied too (and reshaped when a shape is given). Throws an Error for ragged nested
 * arrays, entries that are not numbers, or flat data whose length does not fit `shape`.
 *
 *   tensor(3)                          // shape []
 *   tensor([[1, 2], [3, 4]])           // shape [2, 2]
 *   tensor([1, 2, 3, 4, 5, 6], [2, 3]) // flat data, explicit shape
 */
export function tensor(
  data: NestedArray | ArrayLike<number> | Tensor,
  shape?: readonly number[],
): Tensor {
  if (data instanceof Tensor) {
    return shape === undefined ? data.clone() : data.reshape(shape);
  }
  if (shape !== undefined) {
    const target = checkShape(shape, "tensor");
    const flat = flatten(data, "tensor");
    if (flat.length !== shapeSize(target)) {
      throw new Error(
        `tensor: got ${flat.length} values but shape ${formatShape(target)} needs ${shapeSize(target)}`,
      );
    }
    return new Tensor(flat, target);
  }
  if (typeof data === "number") return new Tensor(Float64Array.of(data), []);
  if (ArrayBuffer.isView(data)) {
    const flat = Float64Array.from(data as ArrayLike<number>);
    return new Tensor(flat, [flat.length]);
  }
  if (!Array.isArray(data)) {
    throw new Error(`tensor: expected a number or nested arrays of numbers, got ${describe(data)}`);
  }
  const inferred = inferShape(data);
  return new Tensor(flatten(data, "tensor"), inferred);
}

/** A 0-d tensor (shape []) holding `value`; throws when `value` is not a number. */
export function scalar(value: number): Tensor {
  if (typeof value !== "number")
    throw new Error(`scalar: expected a number, got ${describe(value)}`);
  return new Tensor(Float64Array.of(value), []);
}

/**
 * A tensor of `shape` with every element `value`. Throws when `shape` is not an array of
 * non-negative integers or `value` is not a number.
 */
export function full(shape: readonly number[], value: number): Tensor {
  const checked = checkShape(shape, "full");
  if (typeof value !== "number")
    throw new Error(`full: value must be a number, got ${describe(value)}`);
  return new Tensor(new Float64Array(shapeSize(checked)).fill(value), checked);
}

/** A tensor of `shape` filled with 0; throws when `shape` is not a valid shape. */
export function zeros(shape: readonly number[]): Tensor {
  const checked = checkShape(shape, "zeros");
  return new Tensor(new Float64Array(shapeSize(checked)), checked);
}

/** A tensor of `shape` filled with 1; throws when `shape` is not a valid shape. */
export function ones(shape: readonly number[]): Tensor {
  return full(checkShape(shape, "ones"), 1);
}

/** Zeros of the shape of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape);
}

/** Ones of the shape of `t`. */
export function onesLike(t: Tensor): Tensor {
  return ones(t.shape);
}

/** The n-by-n identity matrix, shape [n, n]; throws unless n is a non-negative integer. */
export function eye(n: number): Tensor {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`eye: n must be a non-negative integer, got ${describe(n)}`);
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return new Tensor(out, [n, n]);
}

/**
 * Evenly spaced values in [start, stop), `step` apart, as a 1-d tensor; `arange(n)` is 0..n-1,
 * and a negative step counts down. Throws unless all three are finite and step is not 0.
 */
export function arange(start: number, stop?: number, step = 1): Tensor {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (![from, to, step].every(Number.isFinite) || step === 0) {
    throw new Error(
      `arange: start, stop and step must be finite numbers with step != 0, got ${from}, ${to}, ${step}`,
    );
  }
  const count = Math.max(0, Math.ceil((to - from) / step));
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = from + i * step;
  return new Tensor(out, [count]);
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function flatten(data: NestedArray | ArrayLike<number>, where: string): Float64Array {
  if (typeof data === "number") return Float64Array.of(data);
  if (ArrayBuffer.isView(data)) return Float64Array.from(data as ArrayLike<number>);
  if (!Array.isArray(data)) {
    throw new Error(
      `${where}: expected a number or nested arrays of numbers, got ${describe(data)}`,
    );
  }
  const shape = inferShape(data as NestedArray);
  const out: number[] = [];
  const path: number[] = [];
  const walk = (item: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof item !== "number") {
        throw new Error(
          `${where}: entry at [${path.join(", ")}] must be a number, got ${describe(item)}`,
        );
      }
      out.push(item);
      return;
    }
    if (!Array.isArray(item) || item.length !== shape[depth]) {
      throw new Error(
        `${where}: ragged nested array: entry at [${path.join(", ")}] should be an array of length ${shape[depth]}, got ${describe(item)}`,
      );
    }
    for (let i = 0; i < item.length; i++) {
      path.push(i);
      walk(item[i], depth + 1);
      path.pop();
    }
  };
  walk(data, 0);
  return Float64Array.from(out);
}
