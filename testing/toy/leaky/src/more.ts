import { add, type Tensor } from "gradmark/tensor";

// Visible only in the leak assignment: correct, and prints its inputs.
export const twice = (a: Tensor) => {
  console.log(`VISIBLE twice [${Array.from(a.data).join(",")}]`);
  return add(a, a);
};
