import fc from "fast-check";
import { Tensor } from "../../reference/tensor/index.js";
import { checkKeys, rangeField } from "./internal/validate.js";

/** Constraints of oneHotLabelsArb. */
export interface OneHotLabelsConstraints {
  /** Rows: a fixed number or { min, max } (default { min: 1, max: 4 }). */
  batch?: number | { min: number; max: number };
  /** Classes (columns): a fixed number or { min, max }, at least 1. */
  classes: number | { min: number; max: number };
}

/** The largest batch or number of classes oneHotLabelsArb accepts. */
const MAX_SIDE = 4096;

/**
 * One-hot label matrices of shape [B, C]: exactly one 1 per row, zeros elsewhere. Shrinks towards
 * fewer rows, fewer classes and class 0 in every row.
 */
export function oneHotLabelsArb(constraints: OneHotLabelsConstraints): fc.Arbitrary<Tensor> {
  const where = "oneHotLabelsArb";
  const c = checkKeys(where, constraints, ["batch", "classes"]);
  const batch = rangeField(where, "batch", c.batch, { min: 1, max: 4 }, 1);
  const classes = rangeField(where, "classes", c.classes, undefined, 1);
  if (batch.max > MAX_SIDE)
    throw new Error(`${where}: batch (${batch.max}) must be at most ${MAX_SIDE}`);
  if (classes.max > MAX_SIDE) {
    throw new Error(`${where}: classes (${classes.max}) must be at most ${MAX_SIDE}`);
  }
  return fc
    .tuple(
      fc.integer(batch),
      fc.integer(classes),
      fc.array(fc.nat(classes.max - 1), { minLength: batch.max, maxLength: batch.max }),
    )
    .map(([rows, columns, picks]) => {
      const data = new Float64Array(rows * columns);
      for (let row = 0; row < rows; row++) data[row * columns + (picks[row]! % columns)] = 1;
      return new Tensor(data, [rows, columns]);
    });
}
