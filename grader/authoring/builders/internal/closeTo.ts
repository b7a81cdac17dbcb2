import type { Tolerance } from "../../../../checks/index.js";
import type { Tensor } from "../../../../reference/tensor/index.js";
import { expectTensor } from "../../judge.js";

/** True when `actual` is a Tensor within the tolerance of `expected`. */
export function closeTo(actual: unknown, expected: Tensor, tolerance: Tolerance): boolean {
  return expectTensor(actual, expected, { name: "", tolerance }).pass;
}
