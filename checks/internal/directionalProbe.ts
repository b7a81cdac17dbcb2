import type { Rng, Tensor } from "../../reference/tensor/index.js";
import { stepFor } from "./centralDifferences.js";
import type { Tolerance } from "./close.js";
import { type LineProbeOptions, type Probe, probeLine } from "./probeLine.js";
import type { Sample } from "./sample.js";

export type { Probe };

/**
 * The step of a probe along a random direction, relative to the one {@link directionalStep}
 * gives (its largest component moving by an element's step). Such a direction moves every
 * element at once, so f bends along it about n^(3/2) times as much as along one element: at the
 * full step the bend alone made correct gradients look less than exact at n in the thousands
 * (and sent them to the second stage). An eighth of it takes 512 times less bend against 8 times
 * the rounding allowance of an exact gradient (100 eps of f's scale over the step: about
 * 3e-8 of it, far below the default atol for f of order 1).
 */
export const RANDOM_PROBE_STEP = 1 / 8;

/** What a directional probe needs of gradcheck's settings. */
export interface ProbeSettings {
  relativeStep: number;
  tolerance: Tolerance;
}

/**
 * Compares <gradient, v> with the central difference of <downstream, f(x + t v)> at t = ±h,
 * for the input x = `input` and v = `direction` (see probeLine for the comparison). `base` is the
 * sample at x itself, `phiAt` takes a sample at other data of the input. 2 evaluations, and the
 * ones `options` asks for: 4 to 6 more to judge a disagreement (kink.ts), and up to 8 per smaller
 * step where that does not decide it (stepRefinement.ts), 2 to refine an agreement that is not
 * exact; 2 per smaller step where f is not finite at the first. `options.stepRatio` scales the
 * step (default 1: the step of {@link directionalStep}, which a block of one element shares with
 * the per-element difference).
 */
export function directionalProbe(
  gradient: Tensor,
  input: Tensor,
  settings: ProbeSettings,
  direction: Float64Array,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
  options: LineProbeOptions & { stepRatio?: number } = { judge: true, refine: false },
): Probe {
  const full = directionalStep(input, direction, settings.relativeStep);
  const h = full === null ? null : full * (options.stepRatio ?? 1);
  if (h === null) {
    return {
      numerical: 0,
      analytic: 0,
      kink: false,
      agrees: true,
      exact: true,
      suspicion: 0,
      residual: 0,
      bound: 0,
      beyondDomain: false,
      nonFinite: null,
      judgement: null,
    };
  }
  const floor = relativeFloor(input, direction, settings.relativeStep) * (options.stepRatio ?? 1);
  const n = input.size;
  const at = (t: number): Sample => {
    if (t === 0) return base;
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = input.data[j]! + t * h * direction[j]!;
    return phiAt(x);
  };
  return probeLine(
    { gradient: gradient.data, direction, h, floor, tolerance: settings.tolerance, at },
    options,
  );
}

/**
 * The smallest step along `direction` that moves no entry by less than the relative rule's step
 * (stepFor's "relative": |x_j| times the relative step, the relative step itself at 0), scaled
 * as directionalStep scales: the floor of the probe's smaller steps (stepRefinement.ts). Below
 * it, the rounding of x_j + t h v_j would be a part of the move itself, which the error model
 * does not count. Only a direction whose entries are all much smaller than 1 has smaller steps.
 */
function relativeFloor(input: Tensor, direction: Float64Array, relativeStep: number): number {
  let floor = 0;
  for (let j = 0; j < input.size; j++) {
    const v = Math.abs(direction[j]!);
    if (v === 0) continue;
    floor = Math.max(floor, stepFor(input.data[j]!, relativeStep, "relative") / v);
  }
  return floor;
}

/**
 * The step along `direction`, scaled so that its largest component moves by the step of the
 * largest input entry it moves at all; null when the direction is zero.
 */
export function directionalStep(
  input: Tensor,
  direction: Float64Array,
  relativeStep: number,
): number | null {
  let maxInput = 0;
  let maxDirection = 0;
  for (let j = 0; j < input.size; j++) {
    if (direction[j] === 0) continue;
    maxInput = Math.max(maxInput, Math.abs(input.data[j]!));
    maxDirection = Math.max(maxDirection, Math.abs(direction[j]!));
  }
  if (maxDirection === 0) return null;
  return (relativeStep * Math.max(1, maxInput)) / maxDirection;
}

/**
 * A random direction: each entry a random sign times a magnitude uniform in [1, 2). No entry is
 * near 0, so one wrong element moves every probe by at least its own error (a Gaussian entry can
 * be small enough to hide it), and the magnitudes are continuous, so errors of opposite signs do
 * not cancel as they would along ±1. One draw of `rng` seeds a splitmix32 stream for the
 * entries: an order of magnitude cheaper than n draws of `rng` (0.1 ms at n = 6144, as much as
 * an evaluation of a small network), and as deterministic.
 */
export function randomDirection(rng: Rng, n: number): Float64Array {
  const direction = new Float64Array(n);
  let state = rng.nextUint32() | 0;
  for (let j = 0; j < n; j++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    // The low bit is the sign, the other 31 the magnitude.
    const magnitude = 1 + (z >>> 1) / 2147483648;
    direction[j] = z & 1 ? -magnitude : magnitude;
  }
  return direction;
}
