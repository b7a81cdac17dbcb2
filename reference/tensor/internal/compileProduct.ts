import { Tensor } from "../Tensor.js";
import type { EinsumProgram } from "./compileEinsum.js";
import type { EinsumPlan } from "./einsumSpec.js";
import { gatherStrided } from "./gatherStrided.js";
import { stridesOf } from "./shape.js";
import { stridedProduct } from "./stridedProduct.js";

/**
 * A program for an einsum that sums over nothing, with one or two operands: a copy, transpose
 * or diagonal (`ij->ji`, `ii->i`), an outer product (`i,j->ij`), an element-wise product with or
 * without broadcasting (`ij,ij->ij`, `ij,j->ij`). Each output entry is then one operand entry
 * (copied) or the product of two (plus 0, as a sum of one product), so the whole einsum is one
 * pass over the output reading each operand at fixed steps: no intermediate arrays, no
 * transposes, no matrix-product kernel. The results are the bits of the general path
 * (compileEinsum), which pays for its diagonal, broadcast, transpose and matrix-product steps
 * on every call.
 *
 * null when an index is summed over or there are more operands (the general path does those).
 */
export function compileProduct(
  plan: EinsumPlan,
  shapes: readonly (readonly number[])[],
): EinsumProgram | null {
  const { operandLabels, outputLabels, sizes } = plan;
  if (operandLabels.length === 0 || operandLabels.length > 2) return null;
  const outputAxis = new Map(outputLabels.map((label, axis) => [label, axis]));
  for (const labels of operandLabels) {
    for (const label of labels) if (!outputAxis.has(label)) return null;
  }
  const outputShape = Object.freeze(outputLabels.map((label) => sizes.get(label)!));
  const steps = operandLabels.map((labels, i) => {
    const shape = shapes[i]!;
    const strides = stridesOf(shape);
    const along = new Array<number>(outputShape.length).fill(0);
    labels.forEach((label, axis) => {
      // A repeated label walks all its axes at once (the diagonal): the sum of their strides.
      // A side of 1 stays at index 0 whatever the output's side (broadcast): step 0.
      if (shape[axis] !== 1) along[outputAxis.get(label)!]! += strides[axis]!;
    });
    return along;
  });
  const { sides, steps: collapsed } = collapseAxes(outputShape, steps);

  if (collapsed.length === 1) {
    const only = collapsed[0]!;
    const size = sides.reduce((total, side) => total * side, 1);
    // A copy in the operand's own order: one native copy (`ij->ij`, `...->...`).
    if (sides.length === 1 && only[0] === 1) {
      return (operands) => new Tensor(operands[0]!.data.slice(0, size), outputShape);
    }
    return (operands) => new Tensor(gatherStrided(operands[0]!.data, sides, only), outputShape);
  }
  const [aSteps, bSteps] = collapsed as [number[], number[]];
  return (operands) =>
    new Tensor(
      stridedProduct(operands[0]!.data, aSteps, operands[1]!.data, bSteps, sides),
      outputShape,
    );
}

/**
 * The same index space with fewer axes, for shorter loops: sides of 1 dropped (no operand moves
 * along them), and an axis merged into the one before it wherever, for every operand, the step
 * of the one before is this axis's step times its side (the two axes then walk the data as one).
 * A contiguous copy or same-shape product becomes one axis; `i,j->ij` stays two (its steps are
 * [1, 0] and [0, 1]).
 */
function collapseAxes(
  shape: readonly number[],
  steps: readonly (readonly number[])[],
): { sides: number[]; steps: number[][] } {
  const sides: number[] = [];
  const out = steps.map((): number[] => []);
  shape.forEach((side, axis) => {
    if (side === 1) return;
    const last = sides.length - 1;
    if (last >= 0 && steps.every((own, i) => out[i]![last] === own[axis]! * side)) {
      sides[last]! *= side;
      steps.forEach((own, i) => {
        out[i]![last] = own[axis]!;
      });
      return;
    }
    sides.push(side);
    steps.forEach((own, i) => {
      out[i]!.push(own[axis]!);
    });
  });
  return { sides, steps: out };
}
