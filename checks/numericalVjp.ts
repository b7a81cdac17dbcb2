import { Tensor } from "../reference/tensor/index.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP } from "./centralDifferences.js";
import { callWith, checkWrt, type TensorFunction } from "./internal/perturb.js";
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
  centralDifferences(
    input,
    (moved) => project(callWith(f, inputs, wrt, moved)),
    (i, plus, minus, h) => {
      result[i] = (plus - minus) / (2 * h);
    },
    { relativeStep },
  );
  return new Tensor(result, input.shape);
}

/**
 * `numericalVjp` for a function that acts element by element (out[k] depends on x[k] only):
 * every element moves at once, by `step` (absolute), and keeps its own difference. Two
 * evaluations in all, and an entry near e^700 never swamps its neighbours' differences, as it
 * would in the sum <downstream, f(x)> that `numericalVjp` differences.
 */
export function elementwiseVjp(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  downstream: Tensor,
  step = 1e-5,
): Tensor {
  if (!(step > 0) || !Number.isFinite(step)) {
    throw new Error(`elementwiseVjp: step must be a positive finite number, got ${step}`);
  }
  const plusX = new Float64Array(x.size);
  const minusX = new Float64Array(x.size);
  for (let k = 0; k < x.size; k++) {
    plusX[k] = x.data[k]! + step;
    minusX[k] = x.data[k]! - step;
  }
  const plus = f(new Tensor(plusX, x.shape));
  const minus = f(new Tensor(minusX, x.shape));
  if (plus.size !== x.size || minus.size !== x.size || downstream.size !== x.size) {
    throw new Error(
      `elementwiseVjp: f must keep the shape [${x.shape.join(", ")}], and the downstream gradient too`,
    );
  }
  const result = new Float64Array(x.size);
  for (let k = 0; k < x.size; k++) {
    // The step actually taken: near 700, x + 1e-5 is off by 1e-13, 1e-8 of the step.
    const taken = plusX[k]! - minusX[k]!;
    result[k] = (downstream.data[k]! * (plus.data[k]! - minus.data[k]!)) / taken;
  }
  return new Tensor(result, x.shape);
}
