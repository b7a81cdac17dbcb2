/**
 * Problem 3: layers (HOMEWORK.md). Every layer's forward against the public reference forwards,
 * every backward against finite differences of them (and, separately, of the submission's own
 * forward), gradient shapes, immutability, finiteness, and networks of the submission's layers.
 * The forward and backward checks use every layer object twice (a second forward on another
 * input, its backward, and that backward once more), as training does; SoftMax and CrossEntropy
 * get rows near ±800 and label probabilities down to 1e-300 (issue 14).
 *
 * The layers' checks are built by the public layerChecks from the table in layers/layerInfos.ts
 * (their cases in layers/layerCases.ts), the networks' in
 * layers/networkChecks.ts; what they share with the other problems is in shared/.
 */
import type { ProblemDefinition } from "../../../authoring/types.js";
import { LAYER_CHECKS } from "./layers/layerInfos.js";
import { networkChecks } from "./layers/networkChecks.js";

/** Problem 3: the layers' checks, layer by layer, then the networks'. */
export const layersProblem: ProblemDefinition = {
  id: "3",
  title: "Layers (the simplified graph)",
  module: "layers",
  points: 30,
  checks: [...LAYER_CHECKS, ...networkChecks],
};
