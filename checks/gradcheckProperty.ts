import fc from "fast-check";
import type { Tensor } from "../reference/tensor/index.js";
import { type GradcheckOptions, type GradientFunction, gradcheck } from "./gradcheck.js";
import type { TensorFunction } from "./internal/perturb.js";

/**
 * A fast-check property: the gradients agree with finite differences for every drawn input.
 * Inputs that land next to a kink (an inconclusive check) are re-drawn through fast-check's
 * preconditions instead of counting as failures; a failure throws the report's message, and
 * fast-check then shrinks the inputs to the smallest failing case.
 */
export function gradcheckProperty(
  f: TensorFunction,
  gradients: GradientFunction,
  inputs: fc.Arbitrary<Tensor[]>,
  options: GradcheckOptions = {},
): fc.IPropertyWithHooks<[Tensor[]]> {
  return fc.property(inputs, (drawn) => {
    const report = gradcheck(f, gradients, drawn, options);
    fc.pre(report.status !== "inconclusive");
    if (!report.passed) throw new Error(report.message);
  });
}
