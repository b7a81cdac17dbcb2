/**
 * A case of layerChecks and what is derived from it the same way in the payload and in the
 * judge: the self-consistency probes, the driver's payload, the second round on the same layer
 * object, and the expected gradients of the reference.
 */
import fc from "fast-check";
import { numericalVjp, type Tolerance } from "../../../../../checks/index.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";
import type { LayerPayload } from "../../../../sandbox/child/standard/layerDriver.js";
import { downstreamArb, scalarDownstreamArb } from "../caseParts.js";
import { makeProbes, type Probe, type ProbeStep, probeInputs } from "../probes.js";

/** One run of a layer check: the layer's input and parameters, and the downstream gradient. */
export interface LayerCase {
  /** The input (X), then the parameters (given to the constructor first, differentiated). */
  inputs: Tensor[];
  /** Constructor arguments after the parameters, not differentiated (labels, a stride). */
  constants?: unknown[];
  downstream: Tensor;
  /** The seed of the self-consistency probes. */
  probeSeed: number;
  /** How the self-consistency probes step (makeProbes): entry by entry, unit or relative. */
  stepPerEntry?: ProbeStep;
  /**
   * A second round on the same layer object: forward(input), backward(downstream) and backward
   * (downstream) once more. The parameters and constants stay those of the case.
   */
  again?: { input: Tensor; downstream: Tensor };
}

/** Points per check of a layer; a check left out (consistent, shapes, immutable) is not made. */
export interface LayerPoints {
  forward: number;
  backward: number;
  consistent?: number;
  shapes?: number;
  immutable?: number;
}

/** What one layer's checks are built from: the spec, validated and with its defaults. */
export interface LayerPlan<C extends LayerCase> {
  id: string;
  module: string;
  exportName: string;
  inputName: string;
  parameterNames: string[];
  gradFields: string[];
  constantNames: string[];
  /** Names of the input's and each parameter's gradient in messages. */
  gradientNames: string[];
  reference: (...args: never[]) => Tensor;
  cases: fc.Arbitrary<C>;
  secondInput?: (shape: readonly number[]) => fc.Arbitrary<Tensor>;
  expectedGradient?: (c: C, inputs: readonly Tensor[], downstream: Tensor, i: number) => Tensor;
  points: LayerPoints;
  hidden?: boolean;
  runs?: number;
  tolerance?: Partial<Tolerance>;
}

/** The reference as a function of the differentiated inputs alone (the case's constants bound). */
export function referenceOf<C extends LayerCase>(
  plan: LayerPlan<C>,
  c: C,
): (...inputs: Tensor[]) => Tensor {
  const reference = plan.reference as (...args: unknown[]) => Tensor;
  const constants = c.constants ?? [];
  return (...inputs) => reference(...inputs, ...constants);
}

/** The self-consistency probes of a layer case (the same in the payload and the judge). */
export const layerProbes = (c: LayerCase): Probe[] =>
  makeProbes(c.inputs, c.probeSeed, undefined, c.stepPerEntry ?? false);

/**
 * The layer's cases, each with a second round on the same object (a layer is used many times):
 * another input of the same shape and another downstream gradient.
 */
export function casesWithAgain<C extends LayerCase>(plan: LayerPlan<C>): fc.Arbitrary<C> {
  const secondInput = plan.secondInput;
  if (!secondInput) return plan.cases;
  return plan.cases.chain((c) =>
    fc
      .record({
        input: secondInput(c.inputs[0]!.shape),
        downstream:
          c.downstream.ndim === 0 ? scalarDownstreamArb : downstreamArb(c.downstream.shape),
      })
      .map((again) => ({ ...c, again })),
  );
}

/** The driver's payload of a layer case: forward only or forward and backward, and extras. */
export function layerPayload<C extends LayerCase>(
  plan: LayerPlan<C>,
  c: C,
  mode: "forward" | "full",
  options: { probes?: boolean; again?: boolean } = {},
): LayerPayload {
  return {
    module: plan.module,
    exportName: plan.exportName,
    mode,
    inputs: c.inputs,
    constants: c.constants ?? [],
    gradFields: plan.gradFields,
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

/** The expected gradient of input i of the reference at `inputs` (see LayerPlan). */
export function referenceGradient<C extends LayerCase>(
  plan: LayerPlan<C>,
  c: C,
  inputs: readonly Tensor[],
  downstream: Tensor,
  i: number,
): Tensor {
  if (plan.expectedGradient) return plan.expectedGradient(c, inputs, downstream, i);
  return numericalVjp(referenceOf(plan, c), inputs, downstream, i);
}
