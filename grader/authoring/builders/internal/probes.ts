/**
 * Directional probes of a submission's own forward: points x ± h v next to the graded input, at
 * which the driver evaluates the student's forward again, so that a judge can compare the
 * backward with central differences of that forward (no reference involved). Problems 3 and 4
 * draw seeded random directions with a step scaled to the input (makeProbes); problem 5 takes
 * the directions its cases drew and one fixed step (fixedStepProbes).
 */
import { DEFAULT_RELATIVE_STEP } from "../../../../checks/index.js";
import { Rng, Tensor } from "../../../../reference/tensor/index.js";

/** Random directions per differentiable input in the self-consistency checks. */
const PROBES_PER_INPUT = 2;

/** How probes scale their step: see makeProbes. */
export type ProbeStep = boolean | "unit" | "relative";

/** One directional probe of the student's own forward: input `input` moved by ±h v. */
export interface Probe {
  input: number;
  direction: Tensor;
  h: number;
}

/**
 * Seeded random directions for every input in `which` (all by default); the step is scaled like
 * gradmark/checks' directional mode, so no element moves by more than 6e-6 * max(1, max |x|)
 * (2e-5 for values up to 3), far less than the generators' distance from kinks (1e-3) and ties
 * (0.01).
 *
 * `stepPerEntry` scales the direction entry by entry instead, so that entry k moves by at most
 * 6e-6 * max(1, |x_k|): for inputs that mix entries of magnitude 750 with ordinary ones, the one
 * step for all would move the ordinary entries by 5e-3, where the finite difference's own
 * error (of order step^2) approaches the tolerance.
 *
 * `"unit"` moves every entry by at most 6e-6, whatever its magnitude: for smooth functions that
 * are not flat at large inputs (a softmax row of entries near 800, which only their differences
 * matter to), where a step of 5e-3 would make the finite difference's own error too large.
 * `"relative"` moves entry k by at most 6e-6 |x_k| (6e-6 where x_k = 0): for probabilities as
 * small as 1e-300, which any absolute step would push below zero.
 */
export function makeProbes(
  inputs: readonly Tensor[],
  seed: number,
  which: readonly number[] = inputs.map((_, i) => i),
  stepPerEntry: ProbeStep = false,
): Probe[] {
  const rng = new Rng(`probes/${seed}`);
  const probes: Probe[] = [];
  for (const i of which) {
    const x = inputs[i]!;
    for (let j = 0; j < PROBES_PER_INPUT; j++) {
      // Drawn even for a probe then skipped, so later directions do not depend on which were.
      const direction = rng.randn(x.shape);
      const maxDirection = direction.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (maxDirection === 0) continue;
      probes.push(scaledProbe(i, x, direction, maxDirection, stepPerEntry));
    }
  }
  return probes;
}

/** The probe along `direction` of input `input` (= x), its step scaled as makeProbes says. */
function scaledProbe(
  input: number,
  x: Tensor,
  direction: Tensor,
  maxDirection: number,
  stepPerEntry: ProbeStep,
): Probe {
  const h = DEFAULT_RELATIVE_STEP / maxDirection;
  if (stepPerEntry === "unit") return { input, direction, h };
  if (stepPerEntry === "relative") {
    const scaled = direction.data.map((v, k) => v * (x.data[k] === 0 ? 1 : Math.abs(x.data[k]!)));
    return { input, direction: new Tensor(scaled, x.shape), h };
  }
  if (stepPerEntry) {
    const scaled = direction.data.map((v, k) => v * Math.max(1, Math.abs(x.data[k]!)));
    return { input, direction: new Tensor(scaled, x.shape), h };
  }
  const maxInput = x.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return { input, direction, h: (DEFAULT_RELATIVE_STEP * Math.max(1, maxInput)) / maxDirection };
}

/**
 * One probe per input along the given direction (directions[i] for input i), all with the step
 * `h`: for functions that are linear in each input (einsum), where any step is exact and a large
 * one keeps rounding small.
 */
export function fixedStepProbes(directions: readonly Tensor[], h: number): Probe[] {
  return directions.map((direction, input) => ({ input, direction, h }));
}

/** For every probe, the input lists at x + h v and at x - h v (in that order). */
export function probeInputs(inputs: readonly Tensor[], probes: readonly Probe[]): Tensor[][] {
  return probes.flatMap(({ input, direction, h }) =>
    [1, -1].map((sign) => {
      const moved = inputs.slice();
      const x = inputs[input]!;
      const data = new Float64Array(x.size);
      for (let k = 0; k < x.size; k++) data[k] = x.data[k]! + sign * h * direction.data[k]!;
      moved[input] = new Tensor(data, x.shape);
      return moved;
    }),
  );
}

/**
 * The forward's values at probe `p`'s two points, x + h v then x - h v, from the driver's list
 * of outputs in probeInputs' order (undefined where the list has none).
 */
export function probeOutputPair(outputs: unknown, p: number): [plus: unknown, minus: unknown] {
  if (!Array.isArray(outputs)) return [undefined, undefined];
  return [outputs[2 * p], outputs[2 * p + 1]];
}
