import type { Rng, Tensor } from "../../reference/tensor/index.js";
import type { Tolerance } from "./close.js";
import { type DirectionalNonFinite, directionalAgreement } from "./directional.js";
import {
  centralRounding,
  exactRounding,
  FINE_STEP_RATIO,
  judgeLine,
  type LineJudgement,
  SAMPLE_OFFSETS,
} from "./kink.js";
import type { Sample } from "./sample.js";

/** What a directional probe needs of gradcheck's settings. */
export interface ProbeSettings {
  relativeStep: number;
  tolerance: Tolerance;
}

/** The outcome of one directional probe. */
export interface Probe {
  numerical: number;
  analytic: number;
  /** The samples cannot decide (a kink, or within the central difference's own error). */
  kink: boolean;
  agrees: boolean;
  /** Agrees as closely as an exact gradient does: within the rounding of float64 (see kink.ts). */
  exact: boolean;
  nonFinite: DirectionalNonFinite | null;
  judgement: LineJudgement | null;
}

/**
 * Compares <gradient, v> with the central difference of <downstream, f(x + t v)> at t = ±h,
 * for the input x = `input` and v = `direction`. `base` is the sample at x itself, `phiAt` takes
 * a sample at other data of the input. 2 evaluations, and 4 to 6 more when the probe disagrees
 * (to tell a kink from a wrong gradient, see kink.ts).
 */
export function directionalProbe(
  gradient: Tensor,
  input: Tensor,
  settings: ProbeSettings,
  direction: Float64Array,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): Probe {
  const h = directionalStep(input, direction, settings.relativeStep);
  if (h === null) {
    return {
      numerical: 0,
      analytic: 0,
      kink: false,
      agrees: true,
      exact: true,
      nonFinite: null,
      judgement: null,
    };
  }
  const n = input.size;
  const at = (t: number): Sample => {
    if (t === 0) return base;
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = input.data[j]! + t * h * direction[j]!;
    return phiAt(x);
  };
  const plus = at(1);
  const minus = at(-1);
  const probe = directionalAgreement({
    plus: plus.value,
    minus: minus.value,
    h,
    gradient: gradient.data,
    direction,
    tolerance: settings.tolerance,
  });
  const { numerical, analytic, nonFinite } = probe;
  if (nonFinite) {
    return {
      numerical,
      analytic,
      kink: false,
      agrees: false,
      exact: false,
      nonFinite,
      judgement: null,
    };
  }
  // The error model of kink.ts: the projected allowance is the tolerance T, and a probe agrees
  // within T plus the rounding rho of its central difference (an element is compared as numpy
  // does, within T alone, and rho only excuses it; a probe is internal, and the rounding of a
  // sum over many outputs is no reason to fall back to the per-element comparison).
  const error = Math.abs(numerical - analytic);
  const rounding = centralRounding(plus.scale, minus.scale, h);
  if (error <= probe.allowance + rounding) {
    const exact = error <= exactRounding(plus.scale, minus.scale, h);
    return { numerical, analytic, kink: false, agrees: true, exact, nonFinite, judgement: null };
  }
  // A probe the samples cannot decide (a kink, or within its own error) is no disagreement: it
  // is replaced by another direction.
  const line = SAMPLE_OFFSETS.map((t) => (t === 1 ? plus : t === -1 ? minus : at(t)));
  const judgement = judgeLine({
    samples: line.map((sample) => sample.value),
    scales: line.map((sample) => sample.scale),
    h,
    analytic,
    tolerance: probe.allowance,
    fine: () => ({ plus: at(FINE_STEP_RATIO).value, minus: at(-FINE_STEP_RATIO).value }),
  });
  const kink = judgement.verdict === "kink" || judgement.verdict === "imprecise";
  return { numerical, analytic, kink, agrees: false, exact: false, nonFinite: null, judgement };
}

/**
 * The step along `direction`, scaled so that its largest component moves by the step of the
 * largest input entry it moves at all; null when the direction is zero.
 */
function directionalStep(
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

/** A standard normal direction (n draws of `rng`, in order). */
export function gaussianDirection(rng: Rng, n: number): Float64Array {
  const direction = new Float64Array(n);
  for (let j = 0; j < n; j++) direction[j] = rng.normal();
  return direction;
}
