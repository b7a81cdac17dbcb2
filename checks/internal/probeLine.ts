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

/** What a probe does beyond its two evaluations, and when. */
export interface LineProbeOptions {
  /**
   * A disagreement is judged with more samples (kink.ts, 4 to 6 evaluations) to tell a kink
   * (then `kink`) from a wrong gradient. Off where the caller decides per element anyway.
   */
  judge: boolean;
  /**
   * An agreement that is not exact is looked at again at ±2h (2 evaluations): the Richardson
   * combination (4 N(h) - N(2h)) / 3 has no h^2 term, so the bend of a smooth f, which makes a
   * correct gradient look less than exact at large n, no longer does.
   */
  refine: boolean;
}

/** The outcome of one probe along a line. */
export interface Probe {
  numerical: number;
  analytic: number;
  /** The samples cannot decide (a kink, or within the central difference's own error). */
  kink: boolean;
  agrees: boolean;
  /** Agrees as closely as an exact gradient does: within the rounding of float64 (see kink.ts). */
  exact: boolean;
  /**
   * |N - A| over what an exact gradient's rounding allows (Richardson's N and bound when the probe
   * was refined): above 1 the probe is not exact, and the larger, the more suspicious.
   */
  suspicion: number;
  /**
   * N - A (Richardson's N when refined) and the bound an exact gradient keeps it within (its
   * rounding, or the measured one): the probe as an equation on the gradient, which the
   * explanation of a failure combines with others (explainWithinBudget.ts). Infinity and 0 when
   * something was not finite.
   */
  residual: number;
  bound: number;
  nonFinite: DirectionalNonFinite | null;
  judgement: LineJudgement | null;
}

/** A line through the point: phi(t) = <downstream, f(x + t h v)>, and the gradient's part. */
export interface Line {
  /** The gradient under test, flat, and the direction v along it (same length). */
  gradient: ArrayLike<number>;
  direction: ArrayLike<number>;
  h: number;
  tolerance: Tolerance;
  /** phi at t steps; t = 0 is the point itself (never re-evaluated by the callers' samplers). */
  at: (t: number) => Sample;
}

/**
 * Compares <gradient, v> with the central difference of phi at t = ±1 (2 evaluations), with the
 * error model of kink.ts: it agrees within the projected allowance T plus the rounding rho of its
 * central difference (an element is compared as numpy does, within T alone, and rho only excuses
 * it; a probe is internal, and the rounding of a sum over many outputs is no reason to fall back
 * to the per-element comparison). See {@link LineProbeOptions} for the optional samples.
 */
export function probeLine(line: Line, options: LineProbeOptions): Probe {
  const { h, at } = line;
  const plus = at(1);
  const minus = at(-1);
  const probe = directionalAgreement({
    plus: plus.value,
    minus: minus.value,
    h,
    gradient: line.gradient,
    direction: line.direction,
    tolerance: line.tolerance,
  });
  const { numerical, analytic, nonFinite } = probe;
  const outcome = { numerical, analytic, kink: false, nonFinite, judgement: null };
  if (nonFinite) return { ...outcome, ...NOT_FINITE, agrees: false };
  const residual = numerical - analytic;
  const error = Math.abs(residual);
  const exactBound = exactRounding(plus.scale, minus.scale, h);
  const measured = { residual, bound: exactBound };
  if (error <= probe.allowance + centralRounding(plus.scale, minus.scale, h)) {
    const suspicion = ratio(error, exactBound);
    if (suspicion <= 1 || !options.refine) {
      return { ...outcome, ...measured, agrees: true, exact: suspicion <= 1, suspicion };
    }
    return { ...outcome, agrees: true, ...refined(line, numerical, analytic, exactBound) };
  }
  const disagreement = {
    ...outcome,
    ...measured,
    agrees: false,
    exact: false,
    suspicion: Infinity,
  };
  if (!options.judge) return disagreement;
  // A probe the samples cannot decide (a kink, or within its own error) is no disagreement: the
  // caller replaces it by another direction.
  const samples = SAMPLE_OFFSETS.map((t) => (t === 1 ? plus : t === -1 ? minus : at(t)));
  const judgement = judgeLine({
    samples: samples.map((sample) => sample.value),
    scales: samples.map((sample) => sample.scale),
    h,
    analytic,
    tolerance: probe.allowance,
    fine: () => ({ plus: at(FINE_STEP_RATIO).value, minus: at(-FINE_STEP_RATIO).value }),
  });
  const kink = judgement.verdict === "kink" || judgement.verdict === "imprecise";
  return { ...disagreement, kink, judgement };
}

/** The equation part of a probe whose samples or arithmetic were not finite. */
const NOT_FINITE = { exact: false, suspicion: Infinity, residual: Infinity, bound: 0 };

/**
 * The step, relative to h, of the two samples that measure phi's own rounding (see refined):
 * small enough that phi's change there is known from the gradient to far below its rounding
 * (a wrong gradient's error shows 2^-15 as large), large enough that moving x by it is no
 * rounding of x itself.
 */
const NOISE_STEP = 2 ** -16;

/**
 * How many times the measured rounding of phi a refined probe may be off by and still count as
 * exact: one measurement can fall well below the typical size of the rounding (then the probe
 * is merely not exact, and looked at closer).
 */
const NOISE_MARGIN = 10;

/**
 * Exactness after Richardson extrapolation from the central differences at h and 2h: the h^2
 * term of a smooth phi cancels, and the rounding bound is the same combination of the two
 * bounds (4/3 of h's plus 1/3 of 2h's). When that is still not exact, phi's rounding is measured
 * rather than assumed (2 more evaluations): a scalar f, such as <D, softmax(Z)>, can be much
 * smaller than the terms it sums, and its rounding relative to those, which the scale of its
 * value (kink.ts) does not see. phi(±e) with e = h NOISE_STEP differ by 2 e A plus their
 * rounding, so |phi(e) - phi(-e) - 2 e A| / 2h is a draw of the rounding of one central
 * difference at h; the extrapolation has 3/2 of it.
 */
function refined(
  line: Line,
  numerical: number,
  analytic: number,
  exactBound: number,
): { exact: boolean; suspicion: number; residual: number; bound: number } {
  const plus2 = line.at(2);
  const minus2 = line.at(-2);
  const numerical2 = (plus2.value - minus2.value) / (4 * line.h);
  const residual = (4 * numerical - numerical2) / 3 - analytic;
  let bound = (4 * exactBound + exactRounding(plus2.scale, minus2.scale, 2 * line.h)) / 3;
  if (Math.abs(residual) > bound) {
    const noise = Math.abs(
      line.at(NOISE_STEP).value - line.at(-NOISE_STEP).value - 2 * NOISE_STEP * line.h * analytic,
    );
    bound = Math.max(bound, (NOISE_MARGIN * 1.5 * noise) / (2 * line.h));
  }
  const suspicion = ratio(Math.abs(residual), bound);
  // NaN (a sample that is not finite) is never exact.
  if (Number.isNaN(suspicion) || Number.isNaN(bound)) return NOT_FINITE;
  return { exact: suspicion <= 1, suspicion, residual, bound };
}

/** error / bound, 0 for no error (also under a zero bound). */
function ratio(error: number, bound: number): number {
  return error === 0 ? 0 : error / bound;
}
