import { centralDifferences } from "../../../../../checks/index.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import { dot } from "../../../../authoring/builders/internal/dot.js";

/**
 * The numerical VJP of `f` with respect to input `wrt` with a step of 6e-6 |x_k| for entry k
 * (6e-6 where x_k = 0), for inputs as small as 1e-300 that any absolute step would push below 0.
 */
export function relativeStepVjp(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  downstream: Tensor,
  wrt: number,
): Tensor {
  const x = inputs[wrt]!;
  const result = new Float64Array(x.size);
  const at = (moved: Tensor): number => {
    const args = inputs.slice();
    args[wrt] = moved;
    return dot(downstream.data, f(...args).data);
  };
  centralDifferences(
    x,
    at,
    (k, plus, minus, h) => {
      result[k] = (plus - minus) / (2 * h);
    },
    { scale: "relative" },
  );
  return new Tensor(result, x.shape);
}
