import type { Tensor } from "../../reference/tensor/index.js";
import { isClose, type Tolerance } from "./close.js";
import { FINE_STEP_RATIO, judgeLine, type LineVerdict, SAMPLE_OFFSETS } from "./kink.js";
import type { NumericalGradient, Sample } from "./sample.js";

/**
 * The elements that differ by more than the tolerance but cannot be blamed on the gradient
 * (see kink.ts for the error model), each judged by {@link judgeElement}. `base` is the sample
 * at x, `phiAt` takes a sample at other data of the input.
 */
export function leftOutElements(
  gradient: Tensor,
  input: Tensor,
  numerical: NumericalGradient,
  tolerance: Tolerance,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): { kinks: number[]; imprecise: number[] } {
  const { atol, rtol } = tolerance;
  const kinks: number[] = [];
  const imprecise: number[] = [];
  for (let j = 0; j < input.size; j++) {
    const g = gradient.data[j]!;
    const e = numerical.expected.data[j]!;
    // NaN and Infinity are never excused, and close elements need no excuse.
    if (!Number.isFinite(g) || !Number.isFinite(e) || isClose(g, e, atol, rtol)) continue;
    const verdict = judgeElement(j, gradient, input, numerical, tolerance, base, phiAt);
    if (verdict === "kink") kinks.push(j);
    else if (verdict === "imprecise") imprecise.push(j);
  }
  return { kinks, imprecise };
}

/**
 * The verdict on element j, whose central difference (in `numerical`) differs from the gradient:
 * f sampled at x ± 2h and x ± h/2 along the element (x ± h and x itself are known already),
 * 4 evaluations, and 2 more at x ± h/4096 for one the samples cannot excuse
 * ({@link JUDGEMENT_COST} at most).
 */
export function judgeElement(
  j: number,
  gradient: Tensor,
  input: Tensor,
  numerical: NumericalGradient,
  tolerance: Tolerance,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): LineVerdict {
  const h = numerical.steps[j]!;
  const at = (t: number): Sample => {
    if (t === 0) return base;
    if (t === 1) return { value: numerical.plus[j]!, scale: numerical.plusScale[j]! };
    if (t === -1) return { value: numerical.minus[j]!, scale: numerical.minusScale[j]! };
    const x = input.data.slice();
    x[j] = x[j]! + t * h;
    return phiAt(x);
  };
  const line = SAMPLE_OFFSETS.map(at);
  return judgeLine({
    samples: line.map((sample) => sample.value),
    scales: line.map((sample) => sample.scale),
    h,
    analytic: gradient.data[j]!,
    tolerance: tolerance.atol + tolerance.rtol * Math.abs(numerical.expected.data[j]!),
    fine: () => ({ plus: at(FINE_STEP_RATIO).value, minus: at(-FINE_STEP_RATIO).value }),
  }).verdict;
}

/** The most evaluations {@link judgeElement} makes: 4 samples, and 2 at the fine step. */
export const JUDGEMENT_COST = 6;
