import type { Tensor } from "../../reference/tensor/index.js";
import { isClose, type Tolerance } from "./close.js";
import { FINE_STEP_RATIO, judgeLine, SAMPLE_OFFSETS } from "./kink.js";
import type { NumericalGradient, Sample } from "./sample.js";

/**
 * The elements that differ by more than the tolerance but cannot be blamed on the gradient
 * (see kink.ts for the error model): f sampled at x ± 2h and x ± h/2 along the element (x ± h
 * and x itself are known already), 4 evaluations per differing element, and 2 more at
 * x ± h/4096 for one the samples cannot excuse. `base` is the sample at x, `phiAt` takes a
 * sample at other data of the input.
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
    const judged = judgeLine({
      samples: line.map((sample) => sample.value),
      scales: line.map((sample) => sample.scale),
      h,
      analytic: g,
      tolerance: atol + rtol * Math.abs(e),
      fine: () => ({ plus: at(FINE_STEP_RATIO).value, minus: at(-FINE_STEP_RATIO).value }),
    });
    if (judged.verdict === "kink") kinks.push(j);
    else if (judged.verdict === "imprecise") imprecise.push(j);
  }
  return { kinks, imprecise };
}
