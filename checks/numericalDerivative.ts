import { Tensor } from "../reference/tensor/index.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP } from "./centralDifferences.js";
import { callWith, checkWrt, type TensorFunction } from "./internal/perturb.js";

/** Options of {@link numericalDerivative} and {@link numericalVjp}. */
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
  // Allocated at the first entry, when the output's shape is known.
  let outShape: readonly number[] | null = null;
  let result = new Float64Array(0);
  centralDifferences(
    input,
    (moved) => callWith(f, inputs, wrt, moved),
    (i, plus, minus, h) => {
      if (outShape === null) {
        outShape = plus.shape;
        result = new Float64Array(input.size * plus.size);
      }
      const width = plus.size;
      for (let j = 0; j < width; j++) {
        result[i * width + j] = (plus.data[j]! - minus.data[j]!) / (2 * h);
      }
    },
    { relativeStep: options.relativeStep ?? DEFAULT_RELATIVE_STEP },
  );
  if (outShape === null) {
    // An empty input: the derivative is empty too, with the output's shape appended.
    outShape = callWith(f, inputs, wrt, input).shape;
  }
  return new Tensor(result, [...input.shape, ...outShape]);
}
