import type { Tensor } from "../../reference/tensor/index.js";
import { stepFor } from "./centralDifferences.js";
import { isClose, type Tolerance } from "./close.js";
import type { NumericalGradient, Sample } from "./sample.js";
import { judgeWithSmallerSteps, type SteppedJudgement, smallerSteps } from "./stepRefinement.js";

/** What one element's judgement found (kink.ts, stepRefinement.ts). */
export type ElementVerdict = SteppedJudgement["verdict"];

/**
 * The elements that differ by more than the tolerance but cannot be blamed on the gradient
 * (see kink.ts for the error model), each judged by {@link judgeElement}: next to a kink, within
 * the finite difference's own error, or where f is not finite within the steps tried. `base` is
 * the sample at x, `phiAt` takes a sample at other data of the input. Elements decided at a
 * smaller step have that step's central difference in `numerical` afterwards.
 */
export function leftOutElements(
  gradient: Tensor,
  input: Tensor,
  numerical: NumericalGradient,
  settings: { tolerance: Tolerance; relativeStep: number },
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): { kinks: number[]; imprecise: number[]; notFiniteNearby: number[] } {
  const { atol, rtol } = settings.tolerance;
  const kinks: number[] = [];
  const imprecise: number[] = [];
  const notFiniteNearby: number[] = [];
  for (let j = 0; j < input.size; j++) {
    const g = gradient.data[j]!;
    // NaN and Infinity in the gradient are never excused, and close elements need no excuse. A
    // central difference that is not finite is judged: a smaller step may be within f's domain.
    if (!Number.isFinite(g) || isClose(g, numerical.expected.data[j]!, atol, rtol)) continue;
    const { verdict } = judgeElement(j, gradient, input, numerical, settings, base, phiAt);
    if (verdict === "kink") kinks.push(j);
    else if (verdict === "imprecise") imprecise.push(j);
    else if (verdict === "notFinite") notFiniteNearby.push(j);
  }
  return { kinks, imprecise, notFiniteNearby };
}

/**
 * The verdict on element j, whose central difference (in `numerical`) differs from the gradient
 * or is not finite: f sampled at x ± 2h and x ± h/2 along the element (x ± h and x itself are
 * known already), 4 evaluations, and 2 more at x ± h/4096 for one the samples cannot excuse
 * ({@link JUDGEMENT_COST}); then, while that does not decide it, at smaller steps down to the
 * relative rule's |x_j| relativeStep (stepRefinement.ts: up to 8 evaluations each, within
 * `allowance`, default all it takes; `unfinished` when it stopped for want of them). A verdict
 * taken at a smaller step writes that step's central difference, samples and step into
 * `numerical`: the comparison compares against it.
 */
export function judgeElement(
  j: number,
  gradient: Tensor,
  input: Tensor,
  numerical: NumericalGradient,
  settings: { tolerance: Tolerance; relativeStep: number },
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
  allowance?: number,
): { verdict: ElementVerdict; unfinished: boolean } {
  const h = numerical.steps[j]!;
  const value = input.data[j]!;
  const { atol, rtol } = settings.tolerance;
  const at = (t: number): Sample => {
    if (t === 0) return base;
    const x = input.data.slice();
    x[j] = value + t * h;
    return phiAt(x);
  };
  const judged = judgeWithSmallerSteps({
    at,
    h,
    analytic: gradient.data[j]!,
    tolerance: (n) => atol + rtol * Math.abs(n),
    agreesWithinRounding: false,
    factors: [
      1,
      ...smallerSteps(h, stepFor(value, settings.relativeStep, "relative"), {
        scale: base.scale,
        tolerance: atol + rtol * Math.abs(gradient.data[j]!),
      }),
    ],
    from: 0,
    plus: numerical.plus[j]!,
    minus: numerical.minus[j]!,
    ...(allowance === undefined ? {} : { allowance }),
  });
  if (judged.factor !== 1) {
    numerical.expected.data[j] = judged.numerical;
    numerical.plus[j] = judged.plus;
    numerical.minus[j] = judged.minus;
    numerical.steps[j] = h * judged.factor;
  }
  return { verdict: judged.verdict, unfinished: judged.unfinished };
}

/**
 * The evaluations kept back for one element's judgement until the check has failed: its 4
 * samples and the fine step, enough to tell a failure from a kink at h. Smaller steps (up to 8
 * evaluations each) are taken with whatever the budget has left beyond that: where it has
 * nothing left, the element is left out as what h found (next to a kink, within its own error),
 * never failed.
 */
export const JUDGEMENT_COST = 6;
