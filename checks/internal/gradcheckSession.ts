/**
 * What gradcheck's steps share: the settings, the point and f along lines through it, and the
 * plan of an input's per-element check.
 */
import type { Rng, Tensor } from "../../reference/tensor/index.js";
import type { Tolerance } from "./compareTensors.js";
import type { DiagnoseContext } from "./diagnose.js";
import type { BlockResidual, ExplanationRoot } from "./explainWithinBudget.js";
import type { NumericalGradient, Sample } from "./sample.js";

/** The options after validation, with every default filled in. */
export interface Settings {
  wrt: number[];
  names: string[];
  tolerance: Tolerance;
  mode: "directional" | "full";
  probes: number;
  blockSize: number;
  seed: number | string;
  relativeStep: number;
  context: DiagnoseContext;
}

/** What the checks of all inputs share: the point, the settings and f along lines through it. */
export interface Session {
  inputs: readonly Tensor[];
  settings: Settings;
  /** Draws the directional probes' directions, input after input. */
  rng: Rng;
  /** <downstream, f> at the point itself. */
  base: Sample;
  /** <downstream, f> with input i's data replaced by `replacement`. */
  phi: (i: number, replacement: Float64Array) => Sample;
  /** <downstream, f> with several inputs' data replaced (null keeps an input). */
  phiTogether: (replacements: readonly (Float64Array | null)[]) => Sample;
  /** The per-element central differences of input i, computed once. */
  numericalFor: (i: number) => NumericalGradient;
}

/**
 * What an input's own look left to its per-element check: every element compared (mode "full",
 * or a gradient no probe can weigh: not a Tensor of the input's shape), or, in directional mode,
 * the probes that did not stand explained within the evaluations left (explainWithinBudget.ts).
 */
export type CheckPlan =
  | { kind: "full" }
  | {
      kind: "explain";
      /** The weights of block probes: the direction of the probe at the root, or ±1 signs. */
      weights: Float64Array;
      roots: ExplanationRoot[];
      /** Probes of blocks made already (the second stage's), by blockKey. */
      probed: Map<string, BlockResidual>;
      /** Halve blocks to find the elements; false for a gradient holding NaN or Infinity. */
      narrow: boolean;
    };
