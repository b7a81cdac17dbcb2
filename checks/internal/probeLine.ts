import type { Tolerance } from "./close.js";
import {
  type DirectionalNonFinite,
  directionalAgreement,
  projectedAllowance,
} from "./directional.js";
import { centralRounding, exactRounding, type LineJudgement } from "./kink.js";
import { isFiniteSample, type Sample } from "./sample.js";
import { judgeWithSmallerSteps, smallerSteps } from "./stepRefinement.js";

/** What a probe does beyond its two evaluations, and when. */
export interface LineProbeOptions {
  /**
   * A disagreement is judged with more samples (kink.ts, 4 to 6 evaluations, and smaller steps
   * while those do not decide it: stepRefinement.ts) to tell a kink (then `kink`) from a wrong
   * gradient. Off where the caller decides per element anyway.
   */
  judge: boolean;
  /**
   * An agreement that is not exact is looked at again at ±2h (2 evaluations): the Richardson
   * combination (4 N(h) - N(2h)) / 3 has no h^2 term, so the bend of a smooth f, which makes a
   * correct gradient look less than exact at large n, no longer does.
   */
  refine: boolean;
  /**
   * Smaller steps where f is not finite at ±h, or to judge (stepRefinement.ts; default true).
   * Off where a probe that does not stand has the elements compared one by one anyway, each
   * with its own smaller steps: those of the probe would only spend their evaluations.
   */
  withSmallerSteps?: boolean;
  /**
   * The most evaluations the probe may make (default: all it takes). A smaller step it cannot
   * afford is not taken: the probe is then beyond f's domain, or next to a kink.
   */
  allowance?: number;
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
  /**
   * f was not finite along the line at every step the probe took (x ± h v left its domain, and
   * so did the smaller steps: stepRefinement.ts), or not at the samples that would judge it. The
   * probe says nothing, and those values are forgiven: the elements, compared one by one, fail
   * the check where f is not finite next to the point and no smaller step helps.
   */
  beyondDomain: boolean;
  /** What made the comparison impossible other than f's values (the gradient, an overflow). */
  nonFinite: DirectionalNonFinite | null;
  judgement: LineJudgement | null;
}

/** A line through the point: phi(t) = <downstream, f(x + t h v)>, and the gradient's part. */
export interface Line {
  /** The gradient under test, flat, and the direction v along it (same length). */
  gradient: ArrayLike<number>;
  direction: ArrayLike<number>;
  h: number;
  /**
   * The smallest step the probe may take where f is not finite at h, or to judge it: the step
   * at which v moves no entry by less than the relative rule's step (stepRefinement.ts).
   */
  floor: number;
  tolerance: Tolerance;
  /** phi at t steps; t = 0 is the point itself (never re-evaluated by the callers' samplers). */
  at: (t: number) => Sample;
}

/**
 * Compares <gradient, v> with the central difference of phi at t = ±1 (2 evaluations), with the
 * error model of kink.ts: it agrees within the projected allowance T plus the rounding rho of its
 * central difference (an element is compared as numpy does, within T alone, and rho only excuses
 * it; a probe is internal, and the rounding of a sum over many outputs is no reason to fall back
 * to the per-element comparison). Where phi is not finite at ±1, the probe is made at the first
 * smaller step where it is (2 evaluations each, stepRefinement.ts). See {@link LineProbeOptions}
 * for the optional samples.
 */
export function probeLine(line: Line, options: LineProbeOptions): Probe {
  const allowance = options.allowance ?? Number.POSITIVE_INFINITY;
  let evaluations = 0;
  // Values of f that were not finite: a probe's verdict never rests on them (see beyondDomain).
  const notFinite: Sample[] = [];
  const at = (t: number): Sample => {
    if (t === 0) return line.at(0);
    evaluations++;
    const sample = line.at(t);
    if (!isFiniteSample(sample)) notFinite.push(sample);
    return sample;
  };
  const finished = (probe: Probe): Probe => {
    for (const value of notFinite) value.forgive?.();
    return probe;
  };
  const rounding = {
    scale: line.at(0).scale,
    tolerance: projectedAllowance(line.gradient, line.direction, line.tolerance),
  };
  const factors = [
    1,
    ...(options.withSmallerSteps === false ? [] : smallerSteps(line.h, line.floor, rounding)),
  ];
  let level = 0;
  let plus = at(1);
  let minus = at(-1);
  const finite = () => isFiniteSample(plus) && isFiniteSample(minus);
  while (!finite() && level + 1 < factors.length && allowance - evaluations >= 2) {
    level++;
    plus = at(factors[level]!);
    minus = at(-factors[level]!);
  }
  if (!finite()) return finished(beyondDomain(line));
  const first = compareAt(line, factors[level]!, plus, minus);
  const { numerical, analytic, nonFinite } = first;
  const outcome = {
    numerical,
    analytic,
    kink: false,
    beyondDomain: false,
    nonFinite,
    judgement: null,
  };
  if (nonFinite) return finished({ ...outcome, ...NOT_FINITE, agrees: false });
  if (first.agrees) return finished(agreement(options, at, first));
  // A disagreement at the step it was found at: its residual, and an exact gradient's bound there.
  const disagreement = (judgement: LineJudgement | null, found = first) => ({
    ...outcome,
    numerical: found.numerical,
    residual: found.numerical - analytic,
    bound: exactRounding(found.plus.scale, found.minus.scale, found.step),
    judgement,
    agrees: false,
    exact: false,
    suspicion: Number.POSITIVE_INFINITY,
  });
  if (!options.judge) return finished(disagreement(null));
  // A probe the samples cannot decide (a kink, or within its own error) is no disagreement: the
  // caller replaces it by another direction.
  const judged = judgeWithSmallerSteps({
    at,
    h: line.h,
    analytic,
    tolerance: () => first.allowance,
    agreesWithinRounding: true,
    factors,
    from: level,
    plus,
    minus,
    allowance: allowance - evaluations,
  });
  switch (judged.verdict) {
    case "agrees":
      return finished(
        agreement(options, at, compareAt(line, judged.factor, judged.plus, judged.minus)),
      );
    case "disagrees":
      return finished(
        disagreement(judged.judgement, compareAt(line, judged.factor, judged.plus, judged.minus)),
      );
    case "notFinite":
      return finished({ ...beyondDomain(line), judgement: judged.judgement });
    default:
      return finished({ ...disagreement(judged.judgement), kink: true });
  }
}

/** The comparison of a probe at step h * factor, from phi at ± that step. */
interface Comparison {
  factor: number;
  step: number;
  plus: Sample;
  minus: Sample;
  numerical: number;
  analytic: number;
  /** The projected allowance T. */
  allowance: number;
  /** Within T plus the central difference's rounding, everything finite. */
  agrees: boolean;
  nonFinite: DirectionalNonFinite | null;
}

function compareAt(line: Line, factor: number, plus: Sample, minus: Sample): Comparison {
  const step = line.h * factor;
  const probe = directionalAgreement({
    plus: plus.value,
    minus: minus.value,
    h: step,
    gradient: line.gradient,
    direction: line.direction,
    tolerance: line.tolerance,
  });
  const { numerical, analytic, allowance, nonFinite } = probe;
  const within =
    nonFinite === null &&
    Math.abs(numerical - analytic) <= allowance + centralRounding(plus.scale, minus.scale, step);
  return { factor, step, plus, minus, numerical, analytic, allowance, agrees: within, nonFinite };
}

/** A probe that agrees, at its step: exact, or not (then refined, if asked). */
function agreement(
  options: LineProbeOptions,
  at: (t: number) => Sample,
  compared: Comparison,
): Probe {
  const { numerical, analytic, step, factor } = compared;
  const residual = numerical - analytic;
  const exactBound = exactRounding(compared.plus.scale, compared.minus.scale, step);
  const outcome = {
    numerical,
    analytic,
    kink: false,
    beyondDomain: false,
    nonFinite: null,
    judgement: null,
    agrees: true,
  };
  const suspicion = ratio(Math.abs(residual), exactBound);
  if (suspicion <= 1 || !options.refine) {
    return { ...outcome, residual, bound: exactBound, exact: suspicion <= 1, suspicion };
  }
  const atStep = (t: number) => at(t * factor);
  return { ...outcome, ...refined(atStep, step, numerical, analytic, exactBound) };
}

/** A probe along which f is not finite at any step it took (see Probe.beyondDomain). */
function beyondDomain(line: Line): Probe {
  let analytic = 0;
  for (let j = 0; j < line.gradient.length; j++) analytic += line.gradient[j]! * line.direction[j]!;
  return {
    numerical: Number.NaN,
    analytic,
    kink: false,
    beyondDomain: true,
    agrees: false,
    nonFinite: null,
    judgement: null,
    ...NOT_FINITE,
  };
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
 * difference at h; the extrapolation has 3/2 of it. `at` takes t in steps of h.
 */
function refined(
  at: (t: number) => Sample,
  h: number,
  numerical: number,
  analytic: number,
  exactBound: number,
): { exact: boolean; suspicion: number; residual: number; bound: number } {
  const plus2 = at(2);
  const minus2 = at(-2);
  const numerical2 = (plus2.value - minus2.value) / (4 * h);
  const residual = (4 * numerical - numerical2) / 3 - analytic;
  let bound = (4 * exactBound + exactRounding(plus2.scale, minus2.scale, 2 * h)) / 3;
  if (Math.abs(residual) > bound) {
    const noise = Math.abs(
      at(NOISE_STEP).value - at(-NOISE_STEP).value - 2 * NOISE_STEP * h * analytic,
    );
    bound = Math.max(bound, (NOISE_MARGIN * 1.5 * noise) / (2 * h));
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
