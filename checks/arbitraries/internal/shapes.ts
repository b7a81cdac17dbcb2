/** Shape constraints and the side and shape arbitraries shared by the builders. */
import fc from "fast-check";
import { flexibleArray } from "./arrays.js";
import { checkOrder, integerField } from "./validate.js";

/** Constraints on generated shapes. */
export interface ShapeConstraints {
  /** Fewest dimensions (default 0: a scalar of shape []). */
  minRank?: number;
  /** Most dimensions (default 3). */
  maxRank?: number;
  /** Smallest side (default 1). With 0, shrinking still prefers sides of 1. */
  minSide?: number;
  /** Largest side (default 4). */
  maxSide?: number;
}

export const SHAPE_KEYS = ["minRank", "maxRank", "minSide", "maxSide"] as const;

export interface ResolvedShape {
  minRank: number;
  maxRank: number;
  minSide: number;
  maxSide: number;
}

export const SHAPE_DEFAULTS: ResolvedShape = { minRank: 0, maxRank: 3, minSide: 1, maxSide: 4 };

/** The most dimensions a generated shape may have. */
export const MAX_RANK = 16;

export function resolveShape(
  where: string,
  c: Record<string, unknown>,
  defaults: ResolvedShape = SHAPE_DEFAULTS,
): ResolvedShape {
  const minRank = integerField(where, "minRank", c.minRank, defaults.minRank, {
    min: 0,
    max: MAX_RANK,
  });
  const maxRank = integerField(where, "maxRank", c.maxRank, Math.max(defaults.maxRank, minRank), {
    min: 0,
    max: MAX_RANK,
  });
  checkOrder(where, "minRank", minRank, "maxRank", maxRank);
  const minSide = integerField(where, "minSide", c.minSide, defaults.minSide, { min: 0 });
  const maxSide = integerField(where, "maxSide", c.maxSide, Math.max(defaults.maxSide, minSide), {
    min: 0,
  });
  checkOrder(where, "minSide", minSide, "maxSide", maxSide);
  return { minRank, maxRank, minSide, maxSide };
}

/**
 * A side in [minSide, maxSide] that shrinks towards 1 (towards minSide when minSide > 1). With
 * minSide 0 the underlying integer's 0 and 1 are swapped, so 1 stays the simplest side.
 */
export function sideArb(minSide: number, maxSide: number): fc.Arbitrary<number> {
  const sides = fc.integer({ min: minSide, max: maxSide });
  if (minSide > 0 || maxSide < 1) return sides;
  return sides.map((k) => (k === 0 ? 1 : k === 1 ? 0 : k));
}

/** Shapes: arrays of sides, shrinking by dropping dimensions and by shrinking sides. */
export function shapeFrom(s: ResolvedShape): fc.Arbitrary<number[]> {
  return flexibleArray(sideArb(s.minSide, s.maxSide), s.minRank, s.maxRank);
}

/** Throws unless `shape` is an array of non-negative safe integers. */
export function checkShapeValue(where: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    throw new Error(
      `${where}: ${name} must be an array of non-negative integers, got ${String(shape)}`,
    );
  }
  shape.forEach((side: unknown, axis: number) => {
    if (typeof side !== "number" || !Number.isSafeInteger(side) || side < 0) {
      throw new Error(
        `${where}: ${name}[${axis}] (${String(side)}) must be a non-negative integer (${name} [${shape.join(", ")}])`,
      );
    }
  });
  return [...(shape as number[])];
}
