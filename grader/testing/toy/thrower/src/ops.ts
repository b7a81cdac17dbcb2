import { type Tensor, mul as times } from "gradmark/tensor";

function check(a: Tensor): void {
  if (a.size >= 0) throw new RangeError("a helper of add failed");
}

// add throws from a helper; the report names both frames, in src/ and at their lines.
export const add = (a: Tensor, _b: Tensor) => {
  check(a);
  return a;
};
export const mul = (a: Tensor, b: Tensor) => times(a, b);
