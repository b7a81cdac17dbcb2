/**
 * Parts of the builders' cases that every layer or function check draws the same way: downstream
 * gradients and the seed of the self-consistency probes.
 */
import fc from "fast-check";
import { tensorArb } from "../../../../checks/index.js";
import type { Tensor } from "../../../../reference/tensor/index.js";

/** A downstream gradient of `shape` with values in [-2, 2]: random, not all ones. */
export function downstreamArb(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return tensorArb({ shape, min: -2, max: 2 });
}

/** A downstream gradient of shape []: away from 0 and from 1 (a backward that ignores it fails). */
export const scalarDownstreamArb: fc.Arbitrary<Tensor> = tensorArb({
  shape: [],
  min: -3,
  max: 3,
  kinks: [0, 1],
  margin: 0.25,
});

/** The seed of a case's self-consistency probes (makeProbes). */
export const probeSeedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
