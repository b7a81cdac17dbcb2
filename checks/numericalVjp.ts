import { Tensor } from "../reference/tensor/index.js";
import {
  callWith,
  checkWrt,
  DEFAULT_RELATIVE_STEP,
  stepFor,
  type TensorFunction,
} from "./internal/perturb.js";
import type { FiniteDifferenceOptions } from "./numericalDerivative.js";

/**
 * The numerical gradient of the scalar <downstream, f(inputs)> with respect to input `wrt`:
 * D_x[f] contracted with `downstream`, shaped like the input. This is what a backward pass
 * given `downstream` must return. Costs two evaluations of f per element of the input.
 */
export function numericalVjp(
  f: TensorFunction,
  inputs: readonly Tensor[],
  downstream: Tensor,
  wrt = 0,
  options: FiniteDifferenceOptions = {},
): Tensor {
  const input = checkWrt(inputs, wrt, "numericalVjp");
  const relativeStep = options.relativeStep ?? DEFAULT_RELATIVE_STEP;
  const project = (out: Tensor): number => {
    if (out.size !== downstream.size) {
      throw new Error(
        `numericalVjp: f returned shape [${out.shape.join(", ")}] but the downstream gradient has shape [${downstream.shape.join(", ")}]`,
      );
    }
    let total = 0;
    for (let j = 0; j < out.size; j++) total += out.data[j]! * downstream.data[j]!;
    return total;
  };
  const result = new Float64Array(input.size);
  const probe = new Float64Array(input.data);
  for (let i = 0; i < input.size; i++) {
    const original = input.data[i]!;
    const h = stepFor(original, relativeStep);
    probe[i] = original + h;
    const plus = project(callWith(f, inputs, wrt, new Tensor(probe.slice(), input.shape)));
    probe[i] = original - h;
    const minus = project(callWith(f, inputs, wrt, new Tensor(probe.slice(), input.shape)));
    probe[i] = original;
    result[i] = (plus - minus) / (2 * h);
  }
  return new Tensor(result, input.shape);
}
