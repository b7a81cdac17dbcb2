/**
 * A case of problem 3's layer checks and what is derived from it the same way in the payload and
 * in the judge: the self-consistency probes, the driver's payload, the second round on the same
 * layer object, and the expected gradients of the reference layer.
 */
import fc from "fast-check";
import { numericalVjp } from "../../../../../checks/index.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";
import type { LayerName, LayerPayload } from "../../drivers/layers.js";
import { downstreamArb, scalarDownstreamArb } from "../shared/caseArbitraries.js";
import { makeProbes, type Probe, type ProbeStep, probeInputs } from "../shared/probes.js";
import { relativeStepVjp } from "../shared/relativeStepVjp.js";
import { shiftRows } from "../shared/softmaxRows.js";

/** One run of a layer check: the layer, its inputs and the downstream gradient. */
export interface LayerCase {
  layer: LayerName;
  /** X, then the parameter (Linear W, Bias b). */
  inputs: Tensor[];
  labels?: Tensor;
  downstream: Tensor;
  probeSeed: number;
  /** How the self-consistency probes step (makeProbes): entry by entry, unit or relative. */
  stepPerEntry?: ProbeStep;
  /**
   * How the expected gradients are taken, when plain finite differences of the reference cannot:
   * "shift-rows" at X minus each row's maximum (softmax does not change, its derivative neither),
   * "relative" with a step of 6e-6 |x_k| per entry (probabilities down to 1e-300).
   */
  finiteDifferences?: "shift-rows" | "relative";
  /**
   * A second round on the same layer object: forward(input), backward(downstream) and backward
   * (downstream) once more. The parameter (Linear, Bias) and the labels stay those of the case.
   */
  again?: { input: Tensor; downstream: Tensor };
}

/** What problem 3 grades of one layer: its reference, its cases and the points of each check. */
export interface LayerInfo {
  name: LayerName;
  /** Names of X and the parameter for messages. */
  names: string[];
  reference: (c: LayerCase) => (...inputs: Tensor[]) => Tensor;
  cases: fc.Arbitrary<LayerCase>;
  /** The input of the second round on the same layer object, for an input of `shape`. */
  againInput: (shape: readonly number[]) => fc.Arbitrary<Tensor>;
  points: {
    forward: number;
    backward: number;
    consistent: number;
    shapes: number;
    immutable: number;
  };
}

/** The self-consistency probes of a layer case (the same in the payload and the judge). */
export const layerProbes = (c: LayerCase): Probe[] =>
  makeProbes(c.inputs, c.probeSeed, undefined, c.stepPerEntry ?? false);

/**
 * The layer's cases, each with a second round on the same object (HOMEWORK: a layer is used many
 * times): another input of the same shape and another downstream gradient.
 */
export function casesWithAgain(info: LayerInfo): fc.Arbitrary<LayerCase> {
  return info.cases.chain((c) =>
    fc
      .record({
        input: info.againInput(c.inputs[0]!.shape),
        downstream:
          c.downstream.ndim === 0 ? scalarDownstreamArb : downstreamArb(c.downstream.shape),
      })
      .map((again) => ({ ...c, again })),
  );
}

/** The driver's payload of a layer case: forward only or forward and backward, and extras. */
export function layerPayload(
  c: LayerCase,
  mode: "forward" | "full",
  options: { probes?: boolean; again?: boolean } = {},
): LayerPayload {
  return {
    layer: c.layer,
    mode,
    inputs: c.inputs,
    labels: c.labels,
    downstream: mode === "full" ? c.downstream : undefined,
    probes: options.probes ? probeInputs(c.inputs, layerProbes(c)) : undefined,
    again:
      options.again && c.again
        ? {
            input: c.again.input,
            downstream: mode === "full" ? c.again.downstream : undefined,
          }
        : undefined,
  };
}

/** The expected gradient of input i of the reference layer at `inputs` (see LayerCase). */
export function referenceGradient(
  info: LayerInfo,
  c: LayerCase,
  inputs: readonly Tensor[],
  downstream: Tensor,
  i: number,
): Tensor {
  const f = info.reference(c);
  if (c.finiteDifferences === "shift-rows") {
    return numericalVjp(f, [shiftRows(inputs[0]!), ...inputs.slice(1)], downstream, i);
  }
  if (c.finiteDifferences === "relative") return relativeStepVjp(f, inputs, downstream, i);
  return numericalVjp(f, inputs, downstream, i);
}
