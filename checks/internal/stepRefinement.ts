import {
  agreesAtFineStep,
  centralRounding,
  exactRounding,
  FINE_STEP_RATIO,
  judgeLine,
  type LineJudgement,
  type LineVerdict,
  SAMPLE_OFFSETS,
} from "./kink.js";
import { isFiniteSample, type Sample } from "./sample.js";

/**
 * At most this many steps smaller than h, a few: each costs 2 evaluations when its central
 * difference agrees or is not finite, 6 when its samples are taken, 8 when it disagrees.
 */
export const MOST_SMALLER_STEPS = 4;

/**
 * Each smaller step is at least this many times smaller than the one before: curvature's error
 * then shrinks 256 times and a smooth phi's roughness a million times (kink.ts), so one smaller
 * step is mostly enough, while a kink inside the samples stays rough.
 */
const LEAST_RATIO = 16;

/**
 * The steps smaller than h that a line may be judged at (kink.ts, "Smaller steps"), as factors
 * of h, largest first: none below `floor`, the step of the relative rule (|x| times the relative
 * step), and at most MOST_SMALLER_STEPS, spread evenly between h and the floor, each at least
 * LEAST_RATIO times smaller than the one before. Powers of 2, so t h stays exact. Empty when even
 * h / LEAST_RATIO is below the floor: an input of size 1 or more, whose step is the relative
 * rule's already.
 *
 * None, either, at which an exact gradient's rounding (EXACT_ROUNDING times phi's scale at the
 * point, over 2h': kink.ts) would exceed `rounding.tolerance`: there a central difference within
 * the tolerance, or a fine look, could be the rounding's doing (f = 1000 + x^2 at x = 1e-4: at
 * the relative step, rounding moves N by 100 times A).
 */
export function smallerSteps(
  h: number,
  floor: number,
  rounding: { scale: number; tolerance: number },
): number[] {
  if (!(floor > 0 && h / LEAST_RATIO >= floor)) return [];
  const spread = Math.ceil(Math.log2(h / floor) / MOST_SMALLER_STEPS);
  const ratio = 2 ** Math.max(Math.log2(LEAST_RATIO), spread);
  const factors: number[] = [];
  for (let k = 1; k <= MOST_SMALLER_STEPS && h / ratio ** k >= floor; k++) {
    const step = h * ratio ** -k;
    if (!(exactRounding(rounding.scale, rounding.scale, step) <= rounding.tolerance)) break;
    factors.push(ratio ** -k);
  }
  return factors;
}

/** A line to judge at h and, if that does not decide it, at smaller steps. */
export interface SteppedLine {
  /** phi at t times h from the point (t = 0 is the point itself, never evaluated again). */
  at: (t: number) => Sample;
  h: number;
  analytic: number;
  /**
   * What a central difference N may differ from A by: atol + rtol |N| for an element, the
   * projected allowance for a direction.
   */
  tolerance: (numerical: number) => number;
  /** A direction agrees within its tolerance plus N's rounding (kink.ts); an element does not. */
  agreesWithinRounding: boolean;
  /** The steps it may take, as factors of h: 1 (h itself), then those of smallerSteps. */
  factors: readonly number[];
  /** The step it is known at (an index of `factors`), and phi at ± that step. */
  from: number;
  plus: Sample;
  minus: Sample;
  /**
   * The evaluations it may make (default: as many as it takes, at most 6 at the known step and
   * 8 at each smaller one). A step it cannot afford is not taken; the line is then left out as
   * what it was found to be so far, never failed for want of evaluations.
   */
  allowance?: number;
}

/** What a line was found to be: a kink.ts verdict, or "notFinite". */
export interface SteppedJudgement {
  /**
   * "notFinite": phi was not finite at a sample of every step tried, and at least one smaller
   * step was allowed, or the central difference itself was finite: left out. (A central
   * difference that is not finite where no smaller step is allowed "disagrees".)
   */
  verdict: LineVerdict | "notFinite";
  /**
   * The step of the verdict, as a factor of h: where the line agreed or disagreed, the smallest
   * smooth one for "imprecise", the first one judged for a kink (all its samples finite), the
   * one it was known at for values not finite.
   */
  factor: number;
  /** The central difference at that step, and phi at ± that step. */
  numerical: number;
  plus: Sample;
  minus: Sample;
  /** The judgement at that step, when its samples were taken. */
  judgement: LineJudgement | null;
  /**
   * It stopped for want of evaluations (`allowance`) with a step still to take: the verdict is
   * what it found so far, and a judgement with more evaluations may find otherwise.
   */
  unfinished: boolean;
  /** Evaluations made. */
  evaluations: number;
}

/** One step of a line: its index among the factors, phi at ± the step, and its judgement. */
interface Step {
  level: number;
  plus: Sample;
  minus: Sample;
  judgement: LineJudgement | null;
}

/** The samples a smaller step takes to be judged: 4 besides ±1, and 2 at the fine step. */
const JUDGED_STEP_COST = 6;

/**
 * How much smaller than a rough step the next one is made: the fewest steps after which a smooth
 * phi's roughness would be below a quarter of its allowance (a kink's is not, and stays rough).
 */
const SMOOTH_MARGIN = 4;

/**
 * Judges a line (kink.ts's model) at its known step and, while that says "next to a kink" or
 * "within its own error", or its values are not finite, at smaller steps (kink.ts, "Smaller
 * steps"). Evaluations: 4 samples at the known step (its central difference is known), and at
 * each smaller step 2 for the central difference, which decides the line when it agrees, then 4
 * samples; 2 at the fine step (kink.ts) before a disagreement counts. A rough step is followed
 * by the one at which a smooth phi would look smooth (often skipping one). A step whose
 * roughness shrank less than the step squared since the last rough one, smooth or not (a step
 * that looks smooth only so is not trusted), is a kink's: the smallest step is tried next, as
 * only it may get past a kink near x, and the line is a kink if that one is like it.
 *
 * Values of phi that are not finite are forgiven (Sample.forgive): the verdict does not rest on
 * them, except a central difference that is not finite where no smaller step is allowed (the
 * relative rule's step, where f not finite next to the point fails the check, as it always has).
 */
export function judgeWithSmallerSteps(line: SteppedLine): SteppedJudgement {
  const { at, h, analytic, factors } = line;
  const allowance = line.allowance ?? Number.POSITIVE_INFINITY;
  let evaluations = 0;
  let unfinished = false;
  const affords = (cost: number) => {
    unfinished = allowance - evaluations < cost;
    return !unfinished;
  };
  const notFinite: Sample[] = [line.plus, line.minus].filter((s) => !isFiniteSample(s));
  const sample = (t: number): Sample => {
    evaluations++;
    const found = at(t);
    if (!isFiniteSample(found)) notFinite.push(found);
    return found;
  };
  const decided = (
    verdict: SteppedJudgement["verdict"],
    found: Step,
    blame = false,
  ): SteppedJudgement => {
    if (!blame) for (const value of notFinite) value.forgive?.();
    const factor = factors[found.level]!;
    return {
      verdict,
      factor,
      numerical: (found.plus.value - found.minus.value) / (2 * h * factor),
      plus: found.plus,
      minus: found.minus,
      judgement: found.judgement,
      unfinished,
      evaluations,
    };
  };

  const known: Step = { level: line.from, plus: line.plus, minus: line.minus, judgement: null };
  // The first step judged (all its samples finite): what a kink is reported at.
  let firstJudged: Step | null = null;
  let smallestSmooth: Step | null = null;
  let lastRough: { level: number; judgement: LineJudgement } | null = null;
  // The central difference of the step before was not finite: f's domain ends within it.
  let afterNotFinite = false;
  let level = line.from;
  let plus = line.plus;
  let minus = line.minus;
  for (;;) {
    const factor = factors[level]!;
    const step = h * factor;
    // A step with a value that is not finite says nothing: the next one.
    let next: number | null = level + 1;
    if (!(isFiniteSample(plus) && isFiniteSample(minus))) afterNotFinite = true;
    else {
      const numerical = (plus.value - minus.value) / (2 * step);
      const tolerance = line.tolerance(numerical);
      const slack = line.agreesWithinRounding ? centralRounding(plus.scale, minus.scale, step) : 0;
      if (Math.abs(numerical - analytic) <= tolerance + slack) {
        return decided("agrees", { level, plus, minus, judgement: null });
      }
      // The first finite step after one that was not is within a step ratio of the end of f's
      // domain, where f bends over that distance as over a kink (log, sqrt): its samples would
      // be rough. The next step's are taken instead, unless there is none.
      const nearEdge = afterNotFinite && level + 1 < factors.length;
      afterNotFinite = false;
      if (nearEdge) {
        if (!affords(2)) break;
        level++;
        plus = sample(factors[level]!);
        minus = sample(-factors[level]!);
        continue;
      }
      if (!affords(JUDGED_STEP_COST)) break;
      const samples = SAMPLE_OFFSETS.map((t) =>
        t === 0 ? at(0) : t === 1 ? plus : t === -1 ? minus : sample(t * factor),
      );
      // A sample not finite: f's domain ends within two steps, at least half a step away, so
      // the next step is judged (not skipped as next to the edge).
      if (samples.every(isFiniteSample)) {
        const judgement = judgeLine({
          samples: samples.map((s) => s.value),
          scales: samples.map((s) => s.scale),
          h: step,
          analytic,
          tolerance,
        });
        firstJudged ??= { level, plus, minus, judgement };
        // Rough, or smooth but with its roughness shrunk as a kink's does, not as curvature's
        // (kinks that nearly cancel, now all inside the middle samples, below their rounding:
        // kink.ts's blind spot). A kink near x: only the smallest step may get past it, and if
        // that one is like this too, the line is next to a kink.
        const kinkLike = staysRough(lastRough, { level, judgement }, factors);
        if (judgement.smooth && kinkLike) {
          next = level + 1 < factors.length ? factors.length - 1 : null;
        } else if (judgement.verdict === "agrees" || judgement.verdict === "disagrees") {
          const here = { level, plus, minus, judgement };
          if (judgement.verdict === "agrees") return decided("agrees", here);
          const fine = {
            plus: sample(FINE_STEP_RATIO * factor).value,
            minus: sample(-FINE_STEP_RATIO * factor).value,
          };
          if (agreesAtFineStep({ ...fine, h: step, analytic, tolerance })) {
            const excused = { ...judgement, verdict: "kink" as const, smooth: false };
            return decided("kink", { ...here, judgement: excused });
          }
          return decided("disagrees", here);
        } else if (judgement.smooth) {
          // Within its own error. A smaller step helps where the bend, which shrinks with the
          // step squared, excuses more than the rounding, which grows as the step shrinks.
          smallestSmooth = { level, plus, minus, judgement };
          const ratio = level + 1 < factors.length ? factor / factors[level + 1]! : 0;
          next = ratio > 0 && judgement.bend > ratio * judgement.rounding ? level + 1 : null;
        } else {
          next = kinkLike ? factors.length - 1 : level + stepsToSmooth(judgement, factors, level);
          lastRough = { level, judgement };
        }
      }
    }
    if (next === null) break;
    // Beyond the smallest step: that one, unless it was this one.
    next = Math.min(next, factors.length - 1);
    if (next <= level || !affords(2)) break;
    level = next;
    plus = sample(factors[level]!);
    minus = sample(-factors[level]!);
  }
  if (smallestSmooth !== null) return decided("imprecise", smallestSmooth);
  if (firstJudged !== null) return decided("kink", firstJudged);
  // Not finite at a sample of every step tried. Where no smaller step is allowed and the central
  // difference itself is not finite, f is not finite next to the point: that fails, unforgiven.
  const atRelativeStep = factors.length === 1;
  const centralFinite = isFiniteSample(line.plus) && isFiniteSample(line.minus);
  if (atRelativeStep && !centralFinite) return decided("disagrees", known, true);
  return decided("notFinite", known);
}

/**
 * Whether the roughness of a step shrank, from the rough step before, by less than the ratio of
 * the two steps squared: a smooth phi's shrinks with its fifth power at least, a kink's with the
 * ratio itself (or not at all, for kinks inside the middle samples). A kink, then: smaller steps
 * would stay rough, or look smooth only as its trace falls below the samples' rounding.
 */
function staysRough(
  before: { level: number; judgement: LineJudgement } | null,
  now: { level: number; judgement: LineJudgement },
  factors: readonly number[],
): boolean {
  if (before === null) return false;
  const ratio = factors[before.level]! / factors[now.level]!;
  const roughness = (j: LineJudgement) => Math.max(j.roughness.odd, j.roughness.even);
  return roughness(now.judgement) * ratio ** 2 > roughness(before.judgement);
}

/**
 * How many steps further down phi would look smooth, were it smooth: the first step at which its
 * odd roughness, times the step ratio to the fifth, and its even one, to the sixth, are below
 * 1 / SMOOTH_MARGIN; past the smallest step when none is (the caller stops at that one).
 */
function stepsToSmooth(
  judgement: LineJudgement,
  factors: readonly number[],
  level: number,
): number {
  const { odd, even } = judgement.roughness;
  for (let m = 1; level + m < factors.length; m++) {
    const shrink = factors[level + m]! / factors[level]!;
    if (SMOOTH_MARGIN * odd * shrink ** 5 <= 1 && SMOOTH_MARGIN * even * shrink ** 6 <= 1) return m;
  }
  return factors.length - level;
}
