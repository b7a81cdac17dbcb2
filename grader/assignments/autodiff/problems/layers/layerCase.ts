/**
 * Problem 3's layer cases: the builders' LayerCase, with how the expected gradients are taken
 * where plain finite differences of the reference cannot.
 */
import { numericalVjp } from "../../../../../checks/index.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";
import type { LayerCase } from "../../../../authoring/builders/layerChecks.js";
import { relativeStepVjp } from "../shared/relativeStepVjp.js";
import { shiftRows } from "../shared/softmaxRows.js";

export interface ProblemLayerCase extends LayerCase {
  /**
   * How the expected gradients are taken, when plain finite differences of the reference cannot:
   * "shift-rows" at X minus each row's maximum (softmax does not change, its derivative neither),
   * "relative" with a step of 6e-6 |x_k| per entry (probabilities down to 1e-300).
   */
  finiteDifferences?: "shift-rows" | "relative";
}

/** The expected gradient of input i of `f` at `inputs`, as the case says to take it. */
export function expectedLayerGradient(
  f: (...inputs: Tensor[]) => Tensor,
  c: ProblemLayerCase,
  inputs: readonly Tensor[],
  downstream: Tensor,
  i: number,
): Tensor {
  if (c.finiteDifferences === "shift-rows") {
    return numericalVjp(f, [shiftRows(inputs[0]!), ...inputs.slice(1)], downstream, i);
  }
  if (c.finiteDifferences === "relative") return relativeStepVjp(f, inputs, downstream, i);
  return numericalVjp(f, inputs, downstream, i);
}
