import type { Comparison } from "./compareTensors.js";

/**
 * "inconclusive": nothing disagreed but elements next to a kink or within the finite
 * difference's own error, which were left out; re-drawing the input decides.
 */
export type GradcheckStatus = "passed" | "failed" | "inconclusive";

/** What {@link gradcheck} found for one input's gradient. */
export interface InputReport {
  index: number;
  name: string;
  status: GradcheckStatus;
  /**
   * Directional probes: numerical and analytic directional derivatives. Probes of several inputs
   * at once (directional mode, first) are listed under each of them, with their joint derivatives.
   */
  probes: { numerical: number; analytic: number; kink: boolean }[];
  /**
   * Probes of blocks of elements (directional mode). The second stage's, run only when the first
   * probes agreed but less closely than an exact gradient does: one per block of at most
   * `blockSize` elements, ±1 on the block, stopping at the first that does not agree. Then the
   * explanation's, which halve the blocks that were not exact to find the elements that differ.
   */
  blocks: { elements: number; numerical: number; analytic: number; kink: boolean }[];
  /**
   * The per-element comparison, present when a per-element check ran (to explain a probe that
   * did not stand, or mode "full"). In directional mode it compares the elements measured one by
   * one, and counts those certified in blocks (`inBlocks`) as agreeing.
   */
  comparison: Comparison | null;
  /**
   * Directional mode: elements that agreed within probes of blocks of elements as closely as an
   * exact gradient does (so they stand, as a gradient stands on exact probes), and were not
   * compared one by one.
   */
  inBlocks: number;
  /**
   * Directional mode: flat positions neither compared nor certified in a block, because the
   * evaluations a check may make (2n + 1 in all for n checked elements, torch's slow mode; 21 at
   * least) ran out. Left out of the verdict, like kinks: they never fail an input.
   */
  notCompared: number[];
  /**
   * Directional mode: flat positions that differ but were not tested for a kink, because the
   * evaluations ran out once another element had failed the check. Left out of the verdict, as
   * they may be next to a kink, and named as such.
   */
  untested: number[];
  /**
   * Flat positions found next to a kink (excluded from the verdict): the gradient differs from
   * the central difference there, and f is not smooth within two steps of the point.
   */
  kinks: number[];
  /**
   * Flat positions where the gradient differs from the central difference by more than the
   * tolerance, but by less than the central difference's own error there (rounding of f and
   * the bend of f within one step): excluded from the verdict, like kinks.
   */
  imprecise: number[];
  /**
   * Flat positions where f is finite at the point but not within the step of it, at the step
   * nor at the smaller ones tried (down to |x| times relativeStep, at most h / 16^4: x - h left
   * the domain of log or sqrt at x below the step): their central difference says nothing, and
   * they are excluded from the verdict, like kinks.
   */
  notFiniteNearby: number[];
  message: string;
}
