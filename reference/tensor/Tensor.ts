import { formatData } from "./internal/format.js";
import { permuteData } from "./internal/permute.js";
import {
  checkShape,
  describe,
  formatShape,
  normalizeAxis,
  repeatsAxis,
  shapeSize,
  stridesOf,
} from "./internal/shape.js";

/** A number, or arbitrarily nested arrays of numbers (what `toArray` returns). */
export type NestedArray = number | readonly NestedArray[];

/**
 * A dense float64 tensor stored row-major in `data`.
 *
 * Every kit operation returns a new tensor with its own `data`; nothing in the kit writes into a
 * tensor it was given, so a tensor behaves as a value unless its owner writes into `data`.
 */
export class Tensor {
  /** The side of every axis (frozen); [] for a 0-d tensor, which holds one number. */
  readonly shape: readonly number[];
  /** The elements in row-major order: the last axis varies fastest. */
  readonly data: Float64Array;
  /** The number of elements: the product of the shape (1 for a 0-d tensor). */
  readonly size: number;
  /** The number of axes (0 for a scalar). */
  readonly ndim: number;
  // Worked out on first use: most tensors (every intermediate result) never need them.
  #strides: readonly number[] | undefined = undefined;

  /**
   * Takes ownership of `data` (no copy). Prefer `tensor(...)`, which copies its input.
   * Throws if `data.length` does not equal the product of `shape`.
   */
  constructor(data: Float64Array, shape: readonly number[]) {
    if (!(data instanceof Float64Array)) {
      throw new Error(`new Tensor: data must be a Float64Array, got ${describe(data)}`);
    }
    this.shape = checkShape(shape, "new Tensor");
    this.size = shapeSize(this.shape);
    if (data.length !== this.size) {
      throw new Error(
        `new Tensor: data has ${data.length} elements but shape ${formatShape(this.shape)} needs ${this.size}`,
      );
    }
    this.data = data;
    this.ndim = this.shape.length;
  }

  /** Row-major strides in elements: `data[sum(index[i] * strides[i])]`. */
  get strides(): readonly number[] {
    this.#strides ??= Object.freeze(stridesOf(this.shape));
    return this.#strides;
  }

  /**
   * The element at a full multi-index (`t.get(i, j)`); negative indices count from the end.
   * Throws unless there is one integer index per axis, within its side.
   */
  get(...index: number[]): number {
    if (index.length !== this.ndim) {
      throw new Error(
        `get: a tensor of shape ${formatShape(this.shape)} needs ${this.ndim} indices, got ${index.length}`,
      );
    }
    let offset = 0;
    for (let axis = 0; axis < this.ndim; axis++) {
      const side = this.shape[axis]!;
      let i = index[axis]!;
      if (!Number.isInteger(i) || i < -side || i >= side) {
        throw new Error(
          `get: index ${describe(i)} is out of range for axis ${axis} of size ${side} (shape ${formatShape(this.shape)})`,
        );
      }
      if (i < 0) i += side;
      offset += i * this.strides[axis]!;
    }
    return this.data[offset]!;
  }

  /**
   * Same data in a new shape (copied), given as sides or one array; one side may be -1 and is
   * then inferred. Throws when the element counts differ or -1 cannot be inferred.
   */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const requested: readonly number[] = Array.isArray(shape[0])
      ? (shape[0] as readonly number[])
      : (shape as number[]);
    const sides = [...requested];
    const unknown = sides.indexOf(-1);
    if (unknown !== -1) {
      if (sides.indexOf(-1, unknown + 1) !== -1) {
        throw new Error(`reshape: only one side may be -1, got ${formatShape(sides)}`);
      }
      const known = shapeSize(sides.filter((_, axis) => axis !== unknown));
      if (known === 0 || this.size % known !== 0) {
        throw new Error(
          `reshape: cannot infer the -1 side of ${formatShape(sides)} for ${this.size} elements (shape ${formatShape(this.shape)})`,
        );
      }
      sides[unknown] = this.size / known;
    }
    const target = checkShape(sides, "reshape");
    if (shapeSize(target) !== this.size) {
      throw new Error(
        `reshape: cannot reshape shape ${formatShape(this.shape)} (${this.size} elements) into ${formatShape(target)} (${shapeSize(target)} elements)`,
      );
    }
    return new Tensor(this.data.slice(), target);
  }

  /**
   * Axes permuted by `perm` (default: reversed, so a matrix's transpose), with the data laid out
   * anew: axis i of the result is axis perm[i] of this one. Throws unless perm names every axis
   * once (negative axes count from the end).
   */
  transpose(perm?: readonly number[]): Tensor {
    const order = perm ?? this.shape.map((_, axis) => this.ndim - 1 - axis);
    if (!Array.isArray(order) || order.length !== this.ndim) {
      throw new Error(
        `transpose: perm must list all ${this.ndim} axes of shape ${formatShape(this.shape)}, got ${describe(order)}`,
      );
    }
    const axes = order.map((axis) => normalizeAxis(axis, this.ndim, "transpose"));
    if (repeatsAxis(axes, this.ndim)) {
      throw new Error(`transpose: perm ${formatShape(order)} repeats an axis`);
    }
    return new Tensor(
      permuteData(this.data, this.shape, axes),
      axes.map((axis) => this.shape[axis]!),
    );
  }

  /** The single value of a tensor with exactly one element (any shape); throws otherwise. */
  item(): number {
    if (this.size !== 1) {
      throw new Error(
        `item: only a tensor with one element has an item, this one has shape ${formatShape(this.shape)} (${this.size} elements)`,
      );
    }
    return this.data[0]!;
  }

  /** Nested arrays of numbers (a plain number for a 0-d tensor). */
  toArray(): NestedArray {
    if (this.ndim === 0) return this.data[0]!;
    const build = (axis: number, offset: number): NestedArray[] => {
      const out: NestedArray[] = [];
      const side = this.shape[axis]!;
      const stride = this.strides[axis]!;
      for (let i = 0; i < side; i++) {
        out.push(
          axis === this.ndim - 1 ? this.data[offset + i]! : build(axis + 1, offset + i * stride),
        );
      }
      return out;
    };
    return build(0, 0);
  }

  /** A copy with its own data. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** A readable rendering of the values and the shape, e.g. for `console.log`. */
  toString(): string {
    return `tensor(${formatData(this.data, this.shape).replace(/\n(?!\n)/g, "\n       ")}, shape=${formatShape(this.shape)})`;
  }
}
