/** Shape helpers shared by the kit. Shapes are plain arrays of non-negative integers. */

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const side of shape) size *= side;
  return size;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Throws unless `shape` is an array of non-negative safe integers; returns it frozen: a copy,
 * or the array itself when it is frozen already (no one can change it; every kit result's shape
 * is, so results pass theirs on without a copy).
 */
export function checkShape(shape: unknown, where: string): readonly number[] {
  if (!Array.isArray(shape)) {
    throw new Error(
      `${where}: shape must be an array of non-negative integers, got ${describe(shape)}`,
    );
  }
  for (let axis = 0; axis < shape.length; axis++) {
    const side: unknown = shape[axis];
    if (typeof side !== "number" || !Number.isSafeInteger(side) || side < 0) {
      throw new Error(
        `${where}: shape[${axis}] must be a non-negative integer, got ${describe(side)} in shape ${describeShape(shape)}`,
      );
    }
  }
  if (Object.isFrozen(shape)) return shape as readonly number[];
  return Object.freeze([...(shape as number[])]);
}

/** Whether an axis appears twice among `axes` (each already in 0..ndim-1). */
export function repeatsAxis(axes: readonly number[], ndim: number): boolean {
  const seen = new Array<boolean>(ndim).fill(false);
  for (const axis of axes) {
    if (seen[axis]) return true;
    seen[axis] = true;
  }
  return false;
}

/** Resolves a possibly negative axis against `ndim`, naming the caller on failure. */
export function normalizeAxis(axis: unknown, ndim: number, where: string): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    throw new Error(`${where}: axis must be an integer, got ${describe(axis)}`);
  }
  if (axis < -ndim || axis >= ndim) {
    const range = ndim === 0 ? "a 0-d tensor has no axes" : `valid axes are ${-ndim}..${ndim - 1}`;
    throw new Error(
      `${where}: axis ${axis} is out of range for a tensor with ${ndim} dims (${range})`,
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `a ${name}` : "an object";
  }
  return `a ${typeof value}`;
}

function describeShape(shape: readonly unknown[]): string {
  return `[${shape.map((side) => (typeof side === "number" ? String(side) : describe(side))).join(", ")}]`;
}
