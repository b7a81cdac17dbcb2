import { Tensor } from "../reference/tensor/index.js";
import {
  callWith,
  checkWrt,
  DEFAULT_RELATIVE_STEP,
  stepFor,
  type TensorFunction,
} from "./internal/perturb.js";

export interface FiniteDifferenceOptions {
  /** Step relative to each element's magnitude (absolute below 1). */
  relativeStep?: number;
}

/**
 * The numerical derivative D[f](x) of `f` with respect to input `wrt`, by central differences,
 * in the lecture's layout: shape `shape(x) ++ shape(f(x))`, entry [i..., j...] = d f_j / d x_i.
 * Costs two evaluations of f per element of the input.
 */
export function numericalDerivative(
  f: TensorFunction,
  inputs: readonly Tensor[],
  wrt = 0,
  options: FiniteDifferenceOptions = {},
): Tensor {
  const input = checkWrt(inputs, wrt, "numericalDerivative");
  const relativeStep = options.relativeStep ?? DEFAULT_RELATIVE_STEP;
  let outShape: readonly number[] | null = null;
  let result: Float64Array | null = null;
  const probe = new Float64Array(input.data);
  for (let i = 0; i < input.size; i++) {
    const original = input.data[i]!;
    const h = stepFor(original, relativeStep);
    probe[i] = original + h;
    const plus = callWith(f, inputs, wrt, new Tensor(probe.slice(), input.shape));
    probe[i] = original - h;
    const minus = callWith(f, inputs, wrt, new Tensor(probe.slice(), input.shape));
    probe[i] = original;
    if (outShape === null) {
      outShape = plus.shape;
      result = new Float64Array(input.size * plus.size);
    }
    const width = plus.size;
    for (let j = 0; j < width; j++) {
      result![i * width + j] = (plus.data[j]! - minus.data[j]!) / (2 * h);
    }
  }
  if (outShape === null) {
    // An empty input: the derivative is empty too, with the output's shape appended.
    outShape = callWith(f, inputs, wrt, input).shape;
    result = new Float64Array(0);
  }
  return new Tensor(result!, [...input.shape, ...outShape]);
}
