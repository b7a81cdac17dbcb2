import { Tensor } from "../../tensor/index.js";

/**
 * `t`'s numbers under another shape of the same size, without the copy `reshape` makes. Only for
 * tensors nobody writes into afterwards: the contractions feed these to matmul, which reads its
 * operands, and return a view of matmul's fresh result. The grader evaluates them thousands of
 * times per grading (finite differences), where reshape's three copies showed in profiles.
 */
export function viewAs(t: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(t.data, shape);
}
