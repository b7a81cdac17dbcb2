import type fc from "fast-check";
import type { Tensor } from "../../reference/tensor/index.js";
import { cachedArbitrary } from "./internal/arbitraryCache.js";
import { TENSOR_KEYS, tensorsCore } from "./internal/tensorCore.js";
import { checkKeys, integerField } from "./internal/validate.js";
import type { TensorConstraints } from "./tensor.js";

/** Constraints of tensorsArb: how many tensors, plus everything tensorArb takes. */
export interface TensorsConstraints extends TensorConstraints {
  /** How many tensors (at least 1). */
  count: number;
}

/**
 * `count` tensors that all have the same shape (e.g. the inputs of an element-wise operation),
 * each with its own values under the same value constraints (`distinctBy` holds within each).
 */
export function tensorsArb(constraints: TensorsConstraints): fc.Arbitrary<Tensor[]> {
  const where = "tensorsArb";
  const fields = checkKeys(where, constraints, ["count", ...TENSOR_KEYS]);
  if (fields.count === undefined) throw new Error(`${where}: count is required`);
  const count = integerField(where, "count", fields.count, 1, { min: 1, max: 64 });
  const { count: _count, ...rest } = fields;
  return cachedArbitrary(`${where}:${count}`, rest, () => tensorsCore(where, rest, count));
}
