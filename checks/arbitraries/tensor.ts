import type fc from "fast-check";
import type { Tensor } from "../../reference/tensor/index.js";
import { cachedArbitrary } from "./internal/arbitraryCache.js";
import type { ShapeConstraints } from "./internal/shapes.js";
import { TENSOR_KEYS, tensorsCore } from "./internal/tensorCore.js";
import { checkKeys } from "./internal/validate.js";
import type { ValueConstraints } from "./internal/values.js";

/** Constraints of tensorArb: a shape (or shape constraints) and value constraints. */
export interface TensorConstraints extends ShapeConstraints, ValueConstraints {
  /**
   * A fixed shape, or an arbitrary of shapes (then the values are generated for each shape with
   * fc.chain, and shrink after the shape). Not together with minRank/maxRank/minSide/maxSide.
   */
  shape?: readonly number[] | fc.Arbitrary<readonly number[]>;
}

/**
 * Tensors of the kit with values in [min, max] (default [-3, 3]), optionally integers, with
 * exact 0, 1 and -1 mixed in (`specialValues`), at least `margin` away from `kinks`, and pairwise
 * at least `distinctBy` apart. Shrinks towards fewer dimensions, sides of 1 and values 0 (or the
 * simplest allowed value), and rounds failing values to integers where it can: a property that
 * fails when some value is > 1 shrinks to the scalar 2.
 */
export function tensorArb(constraints: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  const where = "tensorArb";
  const fields = checkKeys(where, constraints, TENSOR_KEYS);
  return cachedArbitrary(where, fields, () =>
    tensorsCore(where, fields, 1).map((tensors) => tensors[0]!),
  );
}
