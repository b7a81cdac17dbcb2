/**
 * Public reference forward of problem 5 (HOMEWORK.md, "Problem 5: differentiable einsum"):
 * `EinSum(spec).forwardCall` must equal the kit's `einsum`, so the kit's einsum is the reference.
 * Expected gradients are finite differences of it.
 */
import { einsum, type Tensor } from "../tensor/index.js";

export { einsum };

/** The forward of `new EinSum(spec)` as a function of its operands. */
export function einsumForward(spec: string): (...operands: Tensor[]) => Tensor {
  return (...operands) => einsum(spec, ...operands);
}

/** The operands' and the output's subscripts of an explicit spec without spaces or `...`. */
export function einsumTerms(spec: string): { inputs: string[]; output: string } {
  const arrow = spec.indexOf("->");
  if (arrow === -1 || /[^a-zA-Z,>-]/.test(spec)) {
    throw new Error(`einsumTerms: expected an explicit spec such as 'ij,jk->ik', got '${spec}'`);
  }
  return { inputs: spec.slice(0, arrow).split(","), output: spec.slice(arrow + 2) };
}
