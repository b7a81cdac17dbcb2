import { Tensor } from "../../reference/tensor/index.js";
import type { Tolerance } from "./close.js";
import { type DiagnoseContext, diagnose, type Hint } from "./diagnose.js";

/** Expected values of which only some are known (1 in `compared`; null: all are). */
export interface PartlyKnown {
  name: string;
  expected: Tensor;
  compared: Uint8Array | null;
}

/**
 * The hint of a comparison that left elements out for want of evaluations, from the elements
 * known on every side (`expected`'s and each of `others`'), taken flat: the mistakes that show
 * element by element (all zeros, sign, factor, another input's gradient) show there as they do
 * in the whole. (A transposed gradient shows in the whole comparison, where the elements left
 * out are 0 on both sides, when they lie on the diagonal: see {@link diagonalOf}.) Null when
 * nothing was left out or fewer than 2 elements are known everywhere; the tolerance is the one
 * compareTensors gives its hints.
 */
export function hintFromCompared(
  actual: Tensor,
  expected: PartlyKnown,
  others: readonly PartlyKnown[],
  context: DiagnoseContext,
  tolerance: Tolerance,
): Hint | null {
  const sides = [expected, ...others];
  const positions: number[] = [];
  for (let j = 0; j < actual.size; j++) {
    if (sides.every((side) => side.compared?.[j] !== 0)) positions.push(j);
  }
  if (positions.length < 2 || positions.length === actual.size) return null;
  const flat = (data: Float64Array) =>
    new Tensor(
      Float64Array.from(positions, (j) => data[j]!),
      [positions.length],
    );
  return diagnose(flat(actual.data), flat(expected.expected.data), {
    ...context,
    others: [
      ...(context.others ?? []),
      ...others.map((other) => ({ name: other.name, expected: flat(other.expected.data) })),
    ],
    atol: tolerance.atol,
    rtol: Math.max(tolerance.rtol, 1e-4),
  });
}

/**
 * 1 on the diagonal of the last two axes of a square tensor, all 0 otherwise: the elements a
 * transposed gradient leaves where they are, so a comparison can do without them (0 on both
 * sides) and still show the transpose. The explanation measures them last.
 */
export function diagonalOf(shape: readonly number[]): Uint8Array {
  const size = shape.reduce((product, side) => product * side, 1);
  const diagonal = new Uint8Array(size);
  const side = shape.at(-1);
  if (side === undefined || shape.length < 2 || side !== shape.at(-2)) return diagonal;
  for (let j = 0; j < size; j++) {
    if (Math.floor(j / side) % side === j % side) diagonal[j] = 1;
  }
  return diagonal;
}
