import { compileEinsum, type EinsumProgram } from "./internal/compileEinsum.js";
import { compileProduct } from "./internal/compileProduct.js";
import { parseEinsumSpec, planEinsum } from "./internal/einsumSpec.js";
import { LruCache } from "./internal/LruCache.js";
import { ProgramsByShape } from "./internal/ProgramsByShape.js";
import { describe } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/**
 * Compiled programs by spec, then by operand shapes: a course's code calls einsum with a handful
 * of specs over and over, and parsing and planning cost more than the arithmetic on small
 * tensors. Keyed by the spec string itself (usually a literal, whose hash the engine keeps), so
 * a call builds no key; up to 128 specs and 16 shape combinations each.
 */
const programs = new LruCache<string, ProgramsByShape<EinsumProgram>>(128);
const SHAPES_PER_SPEC = 16;

/**
 * Einstein summation with numpy's semantics: `einsum('ij,jk->ik', A, B)` is a matrix product,
 * `'ii->i'` a diagonal, `'ij->'` a total, and without `->` the output holds the indices that
 * appear once, in alphabetical order. `...` stands for broadcast dims; spaces are ignored; sides
 * of size 1 broadcast. Contractions run through a blocked matrix-product kernel. Throws an Error
 * naming the problem for a malformed spec, or operands whose ranks or sizes do not fit it.
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  const program = cached(spec, operands) ?? compile(spec, operands);
  return program(operands);
}

/**
 * The program compiled for this spec and these operands' shapes. Only specs and shapes that
 * passed every check were compiled, so a hit needs no checks; anything that is not even the
 * right type misses and gets its error from `compile`.
 */
function cached(spec: unknown, operands: readonly unknown[]): EinsumProgram | undefined {
  if (typeof spec !== "string") return undefined;
  for (let i = 0; i < operands.length; i++) {
    if (!(operands[i] instanceof Tensor)) return undefined;
  }
  return programs.get(spec)?.find(operands as readonly Tensor[]);
}

/** Parses, checks and plans the spec against the operands, compiles it, and caches it. */
function compile(spec: string, operands: readonly Tensor[]): EinsumProgram {
  const parsed = parseEinsumSpec(spec, operands.length);
  operands.forEach((operand, i) => {
    if (!(operand instanceof Tensor)) {
      throw new Error(`einsum: operand ${i} must be a Tensor, got ${describe(operand)}`);
    }
  });
  const shapes = operands.map((operand) => operand.shape);
  const plan = planEinsum(parsed, shapes);
  // Nothing summed (copies, diagonals, outer and element-wise products): one pass, no steps.
  const program = compileProduct(plan, shapes) ?? compileEinsum(plan, shapes);
  let byShape = programs.get(spec);
  if (byShape === undefined) {
    byShape = new ProgramsByShape<EinsumProgram>(SHAPES_PER_SPEC);
    programs.set(spec, byShape);
  }
  byShape.add(shapes, program);
  return program;
}
