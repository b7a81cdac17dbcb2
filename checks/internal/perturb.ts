import { Tensor } from "../../reference/tensor/index.js";

/** A function of tensors, as the checks see it. */
export type TensorFunction = (...inputs: Tensor[]) => Tensor;

/** Calls f with input `wrt` replaced; the other inputs are passed through untouched. */
export function callWith(
  f: TensorFunction,
  inputs: readonly Tensor[],
  wrt: number,
  replacement: Tensor,
): Tensor {
  const args = inputs.slice();
  args[wrt] = replacement;
  const out = f(...args);
  if (!(out instanceof Tensor)) {
    throw new Error(`finite differences: the function must return a Tensor, got ${typeof out}`);
  }
  return out;
}

/** The input `wrt` names; throws (naming `where`) when it is no index of a Tensor input. */
export function checkWrt(inputs: readonly Tensor[], wrt: number, where: string): Tensor {
  if (!Number.isInteger(wrt) || wrt < 0 || wrt >= inputs.length) {
    throw new Error(`${where}: wrt must be an input index in 0..${inputs.length - 1}, got ${wrt}`);
  }
  const input = inputs[wrt]!;
  if (!(input instanceof Tensor)) throw new Error(`${where}: input ${wrt} is not a Tensor`);
  return input;
}
