import { add as plus, sub, type Tensor } from "gradmark/tensor";
// Wrong when the tensor has more than 2 elements: subtracts instead.
export const add = (a: Tensor, b: Tensor) => (a.size > 2 ? sub(a, b) : plus(a, b));
export const mul = () => {
  throw new Error("not implemented");
};
