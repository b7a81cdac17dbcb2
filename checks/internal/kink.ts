/**
 * The error model of a central difference, shared by gradcheck's per-element comparison and its
 * directional probes: how far N = (phi(h) - phi(-h)) / 2h can be from a correct A = phi'(0), where
 * phi(t) = <downstream, f(x + t v)> (v one element, or a direction). The same numbers, the step h,
 * the tolerance T (atol + rtol |N| for one element, the projected allowance for a direction) and
 * the function's scale S (the sum of |downstream_k f_k| it adds up), decide both what
 * disagreement a kink can cause and what disagreement counts as a failure, so no error is too
 * large to pass and yet too small to be excused as a kink.
 *
 * Seven samples: phi at 0, ±h/2, ±h, ±2h (0 and ±h are already known; 4 more evaluations, only
 * for a line that disagrees). What can separate N from a correct A:
 *
 * - Rounding. Each value is trusted to u S (u = VALUE_ROUNDING), so N is off by at most
 *   rho = u (S(h) + S(-h)) / 2h.
 * - Curvature. For a smooth phi, N - A = h^2 phi''' / 6 + ..., while the bends (third differences
 *   over -2h..h and -h..2h, divided by h) are h^2 phi''' + ...: about B / 6, B the larger bend.
 * - One kink inside [-h, h]. A slope change s at t0 in [0, h] moves N by s (h - t0) / 2h and makes
 *   the bend over -2h..h exactly twice that: at most B / 2 (t0 in [-h, 0]: the other bend). A kink
 *   in [h, 2h] bends the samples and moves N not at all.
 * - Several kinks closer to x than the samples resolve. Two kinks at -e and +e with opposite slope
 *   changes s and -s move A by s but the samples by only about s e: no bound from the bends.
 *
 * The verdict of a line at one step (judgeLine):
 *
 * - |N - A| <= T: agrees (a direction also agrees within T + rho: it is internal, and the
 *   rounding of a sum over many outputs is no reason to fall back to every element).
 * - phi is not smooth over [-2h, 2h]: "next to a kink". Smooth means the two combinations of the
 *   seven samples that vanish on every polynomial of degree 4 are within the samples' rounding
 *   (u max S times the sum of their weights): a smooth phi gives about h^5 phi^(5) there, a kink
 *   with slope change s inside the samples about s h.
 * - |N - A| <= T + rho + B: "within the finite difference's own error": the most rounding and
 *   one kink or the curvature can move N (B is twice a single kink's worst case, for a kink and
 *   curvature at once).
 * - Otherwise it disagrees: further from N than the tolerance plus everything the samples allow
 *   the central difference to be off by.
 *
 * Smaller steps (stepRefinement.ts). A line next to a kink or within its own error at h is judged
 * again, by the same model, at smaller steps: at most four, each at least 16 times smaller than
 * the one before, none below the step of the relative rule (|x| times the relative step for an
 * element, so inputs of size 1 or more, whose step is that already, have none), and none where
 * an exact gradient's rounding would exceed the tolerance (agreement there could be chance). A kink is what
 * stays rough as the step shrinks; curvature goes away: the combinations shrink with h^5 on a
 * smooth phi and with h across a kink, the bend with h^2, while rho grows with 1/h, so each step
 * is judged as honestly as h. The line's verdict is that of the largest step at which it agrees
 * or disagrees, else "within its own error" at the smallest step at which it was smooth, else
 * "next to a kink". At 1/x for x in (1e-4, 1e-3), where h is up to 6% of x, the samples at h are
 * not smooth, and those at h/16 or h/256 are.
 *
 * Where phi is not finite at a sample (x - h below 0 for log or sqrt of x < h), that step says
 * nothing, and the next smaller one is tried. A line that is finite at none of its steps is left
 * out, "f is not finite within the step of the point"; a central difference that is not finite
 * fails only where no smaller step is allowed (the step is the relative rule's already), as f not
 * finite at the point itself does.
 *
 * Before a disagreement counts, a last look: the central difference at the much smaller step
 * h / 4096 (of the step that disagreed) agrees with A within T: "next to a kink". A smooth phi has
 * the same derivative at both steps (to within their rounding), so the slope changed between
 * them: kinks too close to x for the samples to see. 2 more evaluations. A wrong gradient
 * disagrees at both steps, unless its error beyond T is below the rounding at h / 4096 (a few
 * eps S / (h / 4096), about 1e-7 S): then it is left out, never passed.
 *
 * What this cannot see: kinks closer to x than h / 4096 whose combined effect on the samples is
 * below their rounding (slope changes that nearly cancel). The checks' own test places entries of
 * X W of softmax(relu(X W)) within 1e-7 of ReLU's kink, where the step is 6e-6, sometimes several
 * in a row or a column: none is failed.
 */

/**
 * Each value of phi = <downstream, f> is trusted to VALUE_ROUNDING times its scale S, the sum of
 * |downstream_k f_k| it adds up (for a scalar f, |phi|): the rounding of that sum and of each f_k
 * is relative to the terms, not to a total that may cancel. 2000 eps is a wide margin over what
 * exact gradients show (at most 20 eps measured, see EXACT_ROUNDING), and small enough that the
 * smoothness test sees kinks a few hundred times closer than the step. (The directional
 * comparison shared with the grader, directionalAgreement, keeps its own noise term.)
 */
export const VALUE_ROUNDING = 2000 * Number.EPSILON;

/**
 * How closely an exact float64 gradient agrees with a central difference: within EXACT_ROUNDING
 * times the scales, over 2h (measured: at most 20 eps on products, tanh layers and sums of
 * exponentials up to 10^4 elements). Agreement within the tolerance but not this close is not a
 * failure; it only asks gradcheck's directional mode to look closer (its second stage).
 */
export const EXACT_ROUNDING = 100 * Number.EPSILON;

/** The most an exact gradient's directional derivative differs from the central difference by. */
export function exactRounding(plusScale: number, minusScale: number, h: number): number {
  return (EXACT_ROUNDING * (Math.abs(plusScale) + Math.abs(minusScale))) / (2 * h);
}

/** Where the seven samples of one line are taken, in steps: phi(x + t h v) for t in this order. */
export const SAMPLE_OFFSETS = [-2, -1, -0.5, 0, 0.5, 1, 2] as const;

/** Rounding of the central difference (phi(h) - phi(-h)) / 2h, from the scales of both values. */
export function centralRounding(plusScale: number, minusScale: number, h: number): number {
  return (VALUE_ROUNDING * (Math.abs(plusScale) + Math.abs(minusScale))) / (2 * h);
}

// Weights of the two combinations of the samples at SAMPLE_OFFSETS that vanish on polynomials of
// degree 4 (odd: t and t^3 cancel; even: 1, t^2 and t^4 cancel). On a smooth phi they are
// about h^5 phi^(5) and h^6 phi^(6); a kink of slope change s inside the samples makes them
// about s h (a kink at the point itself: 14 s h in the even one).
const ODD = [-1, 10, -16, 0, 16, -10, 1];
const EVEN = [1, -20, 64, -90, 64, -20, 1];

/**
 * The step of the last look, relative to h: kinks closer to x than the seven samples resolve
 * (a few thousandths of h) mostly lie outside x ± h/4096. A power of 2, so h/4096 is exact.
 */
export const FINE_STEP_RATIO = 1 / 4096;

/**
 * The last look before a disagreement counts (see the model above): the central difference at
 * step h * FINE_STEP_RATIO, from phi there, within the tolerance of the analytic derivative.
 * Then phi's slope changes between that step and h: kinks too close to x to show in the samples,
 * not the gradient's fault.
 */
export function agreesAtFineStep(line: {
  plus: number;
  minus: number;
  h: number;
  analytic: number;
  tolerance: number;
}): boolean {
  const step = line.h * FINE_STEP_RATIO;
  const numerical = (line.plus - line.minus) / (2 * step);
  return Number.isFinite(numerical) && Math.abs(numerical - line.analytic) <= line.tolerance;
}

export type LineVerdict =
  /** |N - A| <= tolerance. */
  | "agrees"
  /** Beyond the tolerance but within the central difference's own error: rounding, curvature. */
  | "imprecise"
  /** phi is not smooth within two steps of the point: no bound on the central difference holds. */
  | "kink"
  /** Further from N than the tolerance and every error the samples allow. */
  | "disagrees";

export interface LineJudgement {
  verdict: LineVerdict;
  /** N = (phi(h) - phi(-h)) / 2h. */
  numerical: number;
  /** |N - A|. */
  error: number;
  /** T, as given. */
  tolerance: number;
  /** rho: the rounding of N. */
  rounding: number;
  /** B, the larger bend: twice the most one kink inside [-h, h] moves N (curvature: B / 6). */
  bend: number;
  /** Whether a quartic fits the seven samples to within their rounding. */
  smooth: boolean;
  /**
   * The two combinations that vanish on quartics, each over its rounding allowance (smooth: both
   * at most 1). On a smooth phi they shrink with h^5 (odd) and h^6 (even), so they tell how much
   * smaller a step has to be for phi to look smooth; across a kink they shrink with h only.
   */
  roughness: { odd: number; even: number };
}

/**
 * Judges a central difference against an analytic derivative A at one step, given phi at
 * SAMPLE_OFFSETS (times h) and the scale of each value (what its rounding is relative to).
 * `tolerance` is what the comparison allows. Values that are not finite are never excused:
 * "disagrees". The look at the fine step and the smaller steps are stepRefinement.ts's.
 */
export function judgeLine(line: {
  samples: readonly number[];
  scales: readonly number[];
  h: number;
  analytic: number;
  tolerance: number;
}): LineJudgement {
  const { samples: p, scales, h, analytic, tolerance } = line;
  if (p.length !== SAMPLE_OFFSETS.length || scales.length !== SAMPLE_OFFSETS.length) {
    throw new Error(`judgeLine: expected ${SAMPLE_OFFSETS.length} samples and scales`);
  }
  const numerical = (p[5]! - p[1]!) / (2 * h);
  const error = Math.abs(numerical - analytic);
  const rounding = centralRounding(scales[5]!, scales[1]!, h);
  const bend1 = (p[5]! - 3 * p[3]! + 3 * p[1]! - p[0]!) / h;
  const bend2 = (p[6]! - 3 * p[5]! + 3 * p[3]! - p[1]!) / h;
  const bend = Math.max(Math.abs(bend1), Math.abs(bend2));
  const scale = Math.max(...scales.map(Math.abs));
  // A combination over the most rounding alone can make of it.
  const roughnessOf = (weights: readonly number[]) => {
    let total = 0;
    let weight = 0;
    weights.forEach((w, i) => {
      total += w * p[i]!;
      weight += Math.abs(w);
    });
    return total === 0 ? 0 : Math.abs(total) / (VALUE_ROUNDING * scale * weight);
  };
  const roughness = { odd: roughnessOf(ODD), even: roughnessOf(EVEN) };
  const smooth = roughness.odd <= 1 && roughness.even <= 1;
  const judgement = { numerical, error, tolerance, rounding, bend, smooth, roughness };
  const finite =
    [error, rounding, bend, tolerance, scale].every(Number.isFinite) && p.every(Number.isFinite);
  if (!finite) return { ...judgement, verdict: "disagrees", smooth: false };
  if (error <= tolerance) return { ...judgement, verdict: "agrees" };
  if (!smooth) return { ...judgement, verdict: "kink" };
  if (error <= tolerance + rounding + bend) return { ...judgement, verdict: "imprecise" };
  return { ...judgement, verdict: "disagrees" };
}
