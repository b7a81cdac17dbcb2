import type fc from "fast-check";
import { resolveShape, SHAPE_KEYS, type ShapeConstraints, shapeFrom } from "./internal/shapes.js";
import { checkKeys } from "./internal/validate.js";

export type { ShapeConstraints };

/**
 * Tensor shapes: `minRank..maxRank` dimensions (default 0..3), each side in `minSide..maxSide`
 * (default 1..4). Shrinks by dropping dimensions (down to minRank) and by shrinking sides to 1,
 * so a property that fails whenever some side is >= 3 shrinks to one side 3 and the others 1.
 * The constraints are checked here, when the arbitrary is built.
 */
export function shapeArb(constraints: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const where = "shapeArb";
  return shapeFrom(resolveShape(where, checkKeys(where, constraints, SHAPE_KEYS)));
}
