import { add as plus, type Tensor, mul as times } from "gradmark/tensor";
export const add = (a: Tensor, b: Tensor) => plus(a, b);
export const mul = (a: Tensor, b: Tensor) => times(a, b);
