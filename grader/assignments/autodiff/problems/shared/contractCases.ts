import fc from "fast-check";
import {
  type ContractionPair,
  contractionPairArb,
  shapeArb,
  tensorArb,
} from "../../../../../checks/index.js";

/** Values from the checks' default range [-3, 3], with exact 0, 1 and -1 mixed in. */
const VALUES = { specialValues: true } as const;

/**
 * Pairs where k is the full rank of A, of B, or of both (a scalar result): `shared` is the
 * contracted shape, the other operand gets 1 or 2 free dims (sides 2..3) in front (A) or
 * behind (B).
 */
const fullRankPairArb: fc.Arbitrary<ContractionPair> = fc
  .tuple(
    shapeArb({ minRank: 1, maxRank: 3, maxSide: 3 }),
    shapeArb({ minRank: 1, maxRank: 2, minSide: 2, maxSide: 3 }),
    fc.constantFrom("A", "B", "both"),
  )
  .chain(([shared, free, which]) => {
    const aShape = which === "B" ? [...free, ...shared] : shared;
    const bShape = which === "A" ? [...shared, ...free] : shared;
    return fc.record({
      a: tensorArb({ shape: aShape, ...VALUES }),
      b: tensorArb({ shape: bShape, ...VALUES }),
      k: fc.constant(shared.length),
    });
  });

/** Outer products (k = 0) of two tensors with at least 2 elements each, so order matters. */
const wideOuterPairArb: fc.Arbitrary<ContractionPair> = fc
  .tuple(
    shapeArb({ minRank: 1, maxRank: 2, minSide: 2, maxSide: 3 }),
    shapeArb({ minRank: 1, maxRank: 2, minSide: 2, maxSide: 3 }),
  )
  .chain(([aShape, bShape]) =>
    fc.record({
      a: tensorArb({ shape: aShape, ...VALUES }),
      b: tensorArb({ shape: bShape, ...VALUES }),
      k: fc.constant(0),
    }),
  );

/**
 * The cases of contract(A, B, k), shared with problem 4's TensorDot (whose forwardCall is a
 * contraction): a general stratum with any k, outer products, full-rank contractions, and a
 * forced stratum with k = 2 or 3 and every side >= 2, where pairing the contracted dims in any
 * other order than A's dim -k with B's dim 0, ... gives other values (or shapes). That stratum
 * is 3 in 12 of the cases, and outer products of two tensors with 2 elements or more (where a
 * k = 0 that is treated as a special case shows) 2 in 12: 60 runs (problem 1's, and problem 4's
 * contraction checks) miss the one with a chance of about 1 in 30 million, the other 1 in
 * 50 000 (and the general stratum has both kinds too).
 */
export const contractCases: fc.Arbitrary<ContractionPair> = fc.oneof(
  // Any k in 0..3 (half of them k >= 2), free parts often empty.
  { arbitrary: contractionPairArb(VALUES), weight: 3 },
  // The outer product: with scalars and sides of 1, and with wider operands.
  { arbitrary: contractionPairArb({ k: 0, maxRank: 3, ...VALUES }), weight: 1 },
  { arbitrary: wideOuterPairArb, weight: 2 },
  { arbitrary: fullRankPairArb, weight: 3 },
  // Two or three contracted dims, every side >= 2, free dims on both sides or none (numpy's
  // tensordot(A, B, 2)): the order in which contracted dims pair matters.
  {
    arbitrary: contractionPairArb({ minK: 2, maxK: 3, maxRank: 3, minSide: 2, ...VALUES }),
    weight: 3,
  },
);
