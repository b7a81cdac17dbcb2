import fc from "fast-check";
import type { Tensor } from "../../reference/tensor/index.js";
import { fitDims, range } from "./internal/fit.js";
import { MAX_RANK, sideArb } from "./internal/shapes.js";
import { buildTensor } from "./internal/tensorCore.js";
import { checkElementBudget, checkKeys, checkOrder, integerField } from "./internal/validate.js";
import { cellsArb, resolveValues, VALUE_KEYS, type ValueConstraints } from "./internal/values.js";

/** Constraints of contractionPairArb (plus value constraints for the elements of a and b). */
export interface ContractionPairConstraints extends ValueConstraints {
  /** A fixed number of contracted dimensions (instead of minK/maxK). */
  k?: number;
  /** Fewest contracted dimensions (default 0: the outer product). */
  minK?: number;
  /** Most contracted dimensions (default maxRank). */
  maxK?: number;
  /** Most dimensions of each operand (default 3). */
  maxRank?: number;
  /** Smallest side (default 1). */
  minSide?: number;
  /** Largest side (default 3). */
  maxSide?: number;
}

/** Two tensors whose last k dims (of a) equal the first k dims (of b). */
export interface ContractionPair {
  a: Tensor;
  b: Tensor;
  k: number;
}

/**
 * Operand pairs for the lecture's tensor contraction: `a.shape = [...freeA, ...shared]`,
 * `b.shape = [...shared, ...freeB]`, `shared.length = k`. Free parts are often empty, so
 * k = 0 (outer product), k = rank(a), k = rank(b) and both at once all occur in small samples.
 * Shrinks towards k = minK, fewer free dimensions, sides of 1 and simple values.
 */
export function contractionPairArb(
  constraints: ContractionPairConstraints = {},
): fc.Arbitrary<ContractionPair> {
  const where = "contractionPairArb";
  const c = checkKeys(where, constraints, [
    "k",
    "minK",
    "maxK",
    "maxRank",
    "minSide",
    "maxSide",
    ...VALUE_KEYS,
  ]);
  const maxRank = integerField(where, "maxRank", c.maxRank, 3, { min: 0, max: MAX_RANK });
  let minK: number;
  let maxK: number;
  if (c.k !== undefined) {
    if (c.minK !== undefined || c.maxK !== undefined) {
      throw new Error(`${where}: give either k or minK/maxK, not both`);
    }
    minK = integerField(where, "k", c.k, 0, { min: 0 });
    checkOrder(where, "k", minK, "maxRank", maxRank);
    maxK = minK;
  } else {
    minK = integerField(where, "minK", c.minK, 0, { min: 0 });
    maxK = integerField(where, "maxK", c.maxK, Math.max(maxRank, minK), { min: 0 });
    checkOrder(where, "minK", minK, "maxK", maxK);
    checkOrder(where, "maxK", maxK, "maxRank", maxRank);
  }
  const minSide = integerField(where, "minSide", c.minSide, 1, { min: 0 });
  const maxSide = integerField(where, "maxSide", c.maxSide, Math.max(3, minSide), { min: 0 });
  checkOrder(where, "minSide", minSide, "maxSide", maxSide);
  const maxLength = checkElementBudget(where, "maxSide", maxSide, "maxRank", maxRank);
  const minLength = minSide ** maxRank;
  const r = resolveValues(where, c, maxLength);

  const side = sideArb(minSide, maxSide);
  const free = fc.array(side, { maxLength: maxRank - minK, size: "max" });
  return fc
    .tuple(
      fc.integer({ min: minK, max: maxK }),
      free,
      fc.array(side, { minLength: maxK, maxLength: maxK }),
      free,
      cellsArb(r, minLength, maxLength),
      cellsArb(r, minLength, maxLength),
    )
    .map(([k, freeA, shared, freeB, cellsA, cellsB]) => {
      const fa = freeA.slice(0, maxRank - k);
      const fb = freeB.slice(0, maxRank - k);
      const plan = [...fa, ...shared.slice(0, k), ...fb];
      const axesA = range(fa.length + k);
      const axesB = range(k + fb.length).map((i) => fa.length + i);
      const dims = fitDims(plan, [axesA, axesB], [cellsA.length, cellsB.length], minSide);
      return {
        a: buildTensor(
          r,
          axesA.map((i) => dims[i]!),
          cellsA,
        ),
        b: buildTensor(
          r,
          axesB.map((i) => dims[i]!),
          cellsB,
        ),
        k,
      };
    });
}
