import { type Tensor, mul as times } from "gradmark/tensor";

function check(a: Tensor): void {
  console.error(new Error("printed on the way").stack);
  if (a.size >= 0) throw new RangeError("a helper of add failed");
}

// add prints a stack and throws from a helper; both name src/ files at their lines.
export const add = (a: Tensor, _b: Tensor) => {
  check(a);
  return a;
};
export const mul = (a: Tensor, b: Tensor) => times(a, b);
