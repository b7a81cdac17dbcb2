import type { Tolerance } from "./close.js";
import { checkTolerance, firstNonFinite, formatIndex, unravel } from "./close.js";

/** What made a directional comparison impossible: the first value that is NaN or ±Infinity. */
export type DirectionalNonFinite =
  /** An element of the gradient under test. */
  | { kind: "gradient"; flat: number; value: number }
  /** <downstream, f(x + h v)> ("plus") or <downstream, f(x - h v)> ("minus"). */
  | { kind: "plus" | "minus"; value: number }
  /** The central difference, <gradient, v>, the allowance or the rounding noise overflowed. */
  | { kind: "numerical" | "analytic" | "allowance" | "noise"; value: number }
  /** The probe itself (the caller's step or direction) is not usable. */
  | { kind: "step"; value: number }
  | { kind: "direction"; flat: number; value: number };

export interface DirectionalAgreement {
  /** (plus - minus) / 2h: the rate of change of <downstream, f> along v by central differences. */
  numerical: number;
  /** <gradient, v>: the same rate as the gradient predicts it. */
  analytic: number;
  /**
   * The difference the tolerance allows: 3 sqrt(sum_j (atol + rtol |g_j|)^2 v_j^2), the size of a
   * projection of element errors that each sit at the tolerance. Computed with scaling, so it is
   * finite for every finite gradient (a huge entry cannot make it Infinity and so pass anything).
   */
  allowance: number;
  /** Rounding in plus and minus, divided by the step: 1e4 eps (|plus| + |minus|) / h. */
  noise: number;
  /** |numerical - analytic| <= allowance + noise, and everything finite. */
  agrees: boolean;
  /** The first non-finite value met (then `agrees` is false), or null. */
  nonFinite: DirectionalNonFinite | null;
}

/**
 * One directional probe of a gradient: compares <gradient, v> with the central difference of
 * phi(t) = <downstream, f(x + t v)> at t = ±h. Shared by gradcheck's directional mode and the
 * grader's self-consistency checks, so that the one comparison is audited in one place.
 *
 * Nothing non-finite ever agrees: NaN or Infinity in the gradient, in plus or minus, or an
 * overflow anywhere in the arithmetic makes `agrees` false and names the value in `nonFinite`
 * (a plain `<=` is true for Infinity <= Infinity and false for NaN, which let an Infinity planted
 * in a gradient pass every probe).
 */
export function directionalAgreement(probe: {
  plus: number;
  minus: number;
  h: number;
  gradient: ArrayLike<number>;
  direction: ArrayLike<number>;
  tolerance: Tolerance;
}): DirectionalAgreement {
  const { plus, minus, h, gradient, direction, tolerance } = probe;
  checkTolerance(tolerance, "directional gradient check");
  const result = (
    nonFinite: DirectionalNonFinite | null,
    values: Partial<DirectionalAgreement>,
  ) => ({
    numerical: Number.NaN,
    analytic: Number.NaN,
    allowance: Number.NaN,
    noise: Number.NaN,
    ...values,
    agrees: false,
    nonFinite,
  });
  const badGradient = firstNonFinite(gradient);
  if (badGradient !== -1) {
    return result({ kind: "gradient", flat: badGradient, value: gradient[badGradient]! }, {});
  }
  if (!Number.isFinite(plus)) return result({ kind: "plus", value: plus }, {});
  if (!Number.isFinite(minus)) return result({ kind: "minus", value: minus }, {});
  if (!(Number.isFinite(h) && h > 0)) return result({ kind: "step", value: h }, {});
  const badDirection = firstNonFinite(direction);
  if (badDirection !== -1) {
    return result({ kind: "direction", flat: badDirection, value: direction[badDirection]! }, {});
  }

  const numerical = (plus - minus) / (2 * h);
  let analytic = 0;
  for (let j = 0; j < gradient.length; j++) analytic += gradient[j]! * direction[j]!;
  const allowance = projectedAllowance(gradient, direction, tolerance);
  const noise =
    (1e4 * Number.EPSILON * Math.abs(plus)) / h + (1e4 * Number.EPSILON * Math.abs(minus)) / h;
  const values = { numerical, analytic, allowance, noise };
  for (const kind of ["numerical", "analytic", "allowance", "noise"] as const) {
    if (!Number.isFinite(values[kind])) return result({ kind, value: values[kind] }, values);
  }
  const agrees = Math.abs(numerical - analytic) <= allowance + noise;
  return { ...values, agrees, nonFinite: null };
}

/**
 * The difference the tolerance allows along v (DirectionalAgreement's `allowance`):
 * 3 sqrt(sum_j (atol + rtol |g_j|)^2 v_j^2), computed with scaling, so it is finite for every
 * finite gradient.
 */
export function projectedAllowance(
  gradient: ArrayLike<number>,
  direction: ArrayLike<number>,
  tolerance: Tolerance,
): number {
  // sqrt(sum (t_j v_j)^2) as scale * sqrt(sum (t_j v_j / scale)^2): no overflow of the squares.
  let scale = 0;
  for (let j = 0; j < gradient.length; j++) {
    const part = (tolerance.atol + tolerance.rtol * Math.abs(gradient[j]!)) * direction[j]!;
    scale = Math.max(scale, Math.abs(part));
  }
  let squares = 0;
  if (scale > 0) {
    for (let j = 0; j < gradient.length; j++) {
      const part =
        ((tolerance.atol + tolerance.rtol * Math.abs(gradient[j]!)) * direction[j]!) / scale;
      squares += part * part;
    }
  }
  return 3 * scale * Math.sqrt(squares);
}

/**
 * A sentence naming a non-finite value of a probe: `gradientName` names the gradient, `shape` is
 * its shape (for the multi-index), `forward` names the function whose values were projected.
 */
export function describeDirectionalNonFinite(
  nonFinite: DirectionalNonFinite,
  names: { gradientName: string; shape: readonly number[]; forward: string },
): string {
  const at = (flat: number) =>
    names.shape.length === 0 ? "" : ` at ${formatIndex(unravel(flat, names.shape))}`;
  const value = String(nonFinite.value);
  switch (nonFinite.kind) {
    case "gradient":
      return `${names.gradientName} holds ${value}${at(nonFinite.flat)}; NaN and Infinity never agree with finite differences`;
    case "plus":
    case "minus":
      return `${names.forward} is not finite next to the point: <downstream gradient, output> at x ${nonFinite.kind === "plus" ? "+" : "-"} h v is ${value}, so its finite differences say nothing there`;
    case "numerical":
      return `the central difference of ${names.forward} along v is ${value} (its values next to the point are too large to subtract)`;
    case "analytic":
      return `<${names.gradientName}, v> is ${value}: its entries are too large to be a gradient here`;
    case "allowance":
    case "noise":
      return `the difference the tolerance allows along v is ${value}`;
    case "step":
      return `the probe's step is ${value}, not a positive finite number`;
    case "direction":
      return `the probe's direction holds ${value}${at(nonFinite.flat)}`;
  }
}
