/** Shared generation of one or several tensors of one shape (tensorArb, tensorsArb). */
import fc from "fast-check";
import { Tensor } from "../../../reference/tensor/index.js";
import { fitDims, range } from "./fit.js";
import { checkShapeValue, resolveShape, SHAPE_KEYS, shapeFrom } from "./shapes.js";
import { checkElementBudget, MAX_ELEMENTS } from "./validate.js";
import {
  type Cell,
  cellsArb,
  type ResolvedValues,
  resolveValues,
  VALUE_KEYS,
  valuesFromCells,
} from "./values.js";

/** The constraint names tensorArb and tensorsArb accept (besides tensorsArb's count). */
export const TENSOR_KEYS = ["shape", ...SHAPE_KEYS, ...VALUE_KEYS] as const;

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tensor of `shape` from the first cells. */
export function buildTensor(
  r: ResolvedValues,
  shape: readonly number[],
  cells: readonly Cell[],
): Tensor {
  return new Tensor(valuesFromCells(r, cells, product(shape)), [...shape]);
}

/** Exactly `count` tensors of one fixed shape. */
export function fixedShapeTensors(
  r: ResolvedValues,
  shape: readonly number[],
  count: number,
): fc.Arbitrary<Tensor[]> {
  const n = product(shape);
  return fc
    .tuple(...range(count).map(() => cellsArb(r, n, n)))
    .map((cells) => cells.map((c) => buildTensor(r, shape, c)));
}

/** `count` tensors of one shape, from `shape` (fixed or arbitrary) or from shape constraints. */
export function tensorsCore(
  where: string,
  c: Record<string, unknown>,
  count: number,
): fc.Arbitrary<Tensor[]> {
  if (c.shape !== undefined) {
    const also = SHAPE_KEYS.filter((key) => c[key] !== undefined);
    if (also.length > 0) {
      throw new Error(
        `${where}: give either shape or shape constraints, not both (got shape and ${also.join(", ")})`,
      );
    }
    if (c.shape instanceof fc.Arbitrary) {
      const r = resolveValues(where, c, undefined);
      return (c.shape as fc.Arbitrary<unknown>).chain((shape) => {
        const checked = checkShapeValue(where, "the generated shape", shape);
        if (product(checked) > MAX_ELEMENTS) {
          throw new Error(
            `${where}: the generated shape [${checked.join(", ")}] has more than ${MAX_ELEMENTS} elements`,
          );
        }
        return fixedShapeTensors(r, checked, count);
      });
    }
    const shape = checkShapeValue(where, "shape", c.shape);
    if (product(shape) > MAX_ELEMENTS) {
      throw new Error(
        `${where}: shape [${shape.join(", ")}] has ${product(shape)} elements, more than ${MAX_ELEMENTS}`,
      );
    }
    return fixedShapeTensors(resolveValues(where, c, product(shape)), shape, count);
  }
  const s = resolveShape(where, c);
  const maxLength = checkElementBudget(where, "maxSide", s.maxSide, "maxRank", s.maxRank);
  const minLength = s.minSide ** s.minRank;
  const r = resolveValues(where, c, maxLength);
  return fc
    .tuple(shapeFrom(s), fc.tuple(...range(count).map(() => cellsArb(r, minLength, maxLength))))
    .map(([plan, cells]) => {
      const capacities = cells.map((cs) => cs.length);
      // Drop trailing dims that cannot fit even at minSide (only when minSide > 1), then lower sides.
      let rank = plan.length;
      while (rank > s.minRank && s.minSide ** rank > Math.min(...capacities)) rank--;
      const axes = range(rank);
      const shape = fitDims(
        plan.slice(0, rank),
        cells.map(() => axes),
        capacities,
        s.minSide,
      );
      return cells.map((cs) => buildTensor(r, shape, cs));
    });
}
