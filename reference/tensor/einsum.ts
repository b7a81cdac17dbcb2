import { compileEinsum, type EinsumProgram } from "./internal/compileEinsum.js";
import { parseEinsumSpec, planEinsum } from "./internal/einsumSpec.js";
import { LruCache } from "./internal/LruCache.js";
import { describe } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/**
 * Compiled programs by spec and operand shapes: a course's code calls einsum with a handful of
 * specs over and over, and parsing and planning cost more than the arithmetic on small tensors.
 */
const programs = new LruCache<string, EinsumProgram>(256);

/**
 * Einstein summation with numpy's semantics: `einsum('ij,jk->ik', A, B)` is a matrix product,
 * `'ii->i'` a diagonal, `'ij->'` a total, and without `->` the output holds the indices that
 * appear once, in alphabetical order. `...` stands for broadcast dims; spaces are ignored; sides
 * of size 1 broadcast. Contractions run through a blocked matrix-product kernel. Throws an Error
 * naming the problem for a malformed spec, or operands whose ranks or sizes do not fit it.
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  const key = programKey(spec, operands);
  let program = key === null ? undefined : programs.get(key);
  if (program === undefined) {
    const parsed = parseEinsumSpec(spec, operands.length);
    operands.forEach((operand, i) => {
      if (!(operand instanceof Tensor)) {
        throw new Error(`einsum: operand ${i} must be a Tensor, got ${describe(operand)}`);
      }
    });
    const shapes = operands.map((operand) => operand.shape);
    program = compileEinsum(planEinsum(parsed, shapes), shapes);
    // Only specs and shapes that passed every check get here, so a hit needs no checks.
    if (key !== null) programs.set(key, program);
  }
  return program(operands);
}

/** The spec and every operand's shape, or null when something is not even the right type. */
function programKey(spec: unknown, operands: readonly unknown[]): string | null {
  if (typeof spec !== "string") return null;
  let key = spec;
  for (let i = 0; i < operands.length; i++) {
    const operand = operands[i];
    if (!(operand instanceof Tensor)) return null;
    key += `|${operand.shape.join(",")}`;
  }
  return key;
}
