import { add as plus, type Tensor, mul as times } from "gradmark/tensor";

// Tries to leak the inputs of hidden checks: prints every argument it gets, at once, later
// (a timer) and from the next call (which may be a visible check's), and puts them in errors.
const show = (t: Tensor) => `[${Array.from(t.data).join(",")}]`;
let seen = "nothing";
console.log("leaky: ops loaded");

// Visible in the leak assignment: correct, and prints its own inputs and what it saw before.
export const add = (a: Tensor, b: Tensor) => {
  console.log(`VISIBLE add ${show(a)}; seen before: ${seen}`);
  return plus(a, b);
};

// Hidden: prints its inputs on both streams, now and later; wrong beyond 2 elements (so it
// fails and shrinks).
export const mul = (a: Tensor, b: Tensor) => {
  const line = `SECRET mul ${show(a)} ${show(b)}`;
  seen = line;
  console.log(line);
  console.error(line);
  setTimeout(() => console.log(`LATER ${line}`), 0);
  return a.size > 2 ? plus(a, b) : times(a, b);
};

// Hidden: puts its inputs in the error it throws.
export const sub = (a: Tensor, b: Tensor) => {
  seen = `SECRET sub ${show(a)} ${show(b)}`;
  throw new Error(seen);
};
