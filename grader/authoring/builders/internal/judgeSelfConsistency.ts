import type { Tolerance } from "../../../../checks/index.js";
import { firstNonFinite, formatIndex, unravel } from "../../../../checks/internal/close.js";
import {
  describeDirectionalNonFinite,
  directionalAgreement,
} from "../../../../checks/internal/directional.js";
import { Tensor } from "../../../../reference/tensor/index.js";
import { formatNumber } from "../../../../reference/tensor/internal/format.js";
import { describeResult, fail, PASS } from "../../judge.js";
import type { Verdict } from "../../types.js";
import { dot } from "./dot.js";
import { type Probe, probeOutputPair } from "./probes.js";

/** What judgeSelfConsistency compares, and how its messages name things. */
export interface SelfConsistencyOptions {
  /** The unit under test, for messages ("Linear", "TensorDot"). */
  what: string;
  /** The inputs' names, for messages. */
  names: readonly string[];
  inputs: readonly Tensor[];
  downstream: Tensor;
  /** The student's gradient of every input (unknown values, checked here). */
  grads: readonly unknown[];
  probes: readonly Probe[];
  /** The driver's outputs of the student's forward at the probe points (probeInputs' order). */
  probeOutputs: unknown;
  tolerance: Tolerance;
  /** Whether the student's forward matches the reference (the failure says what to fix). */
  forwardMatches: boolean;
  /** The id of the check against the reference, to point to. */
  backwardCheck: string;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((side, i) => side === b[i]);

const fmt = (x: number): string =>
  Number.isFinite(x) ? Number(x.toPrecision(7)).toString() : String(x);

/** " at [i, j]" for flat position `flat` of a tensor of `shape` ("" for a 0-d tensor). */
const atIndex = (flat: number, shape: readonly number[]): string =>
  shape.length === 0 ? "" : ` at ${formatIndex(unravel(flat, shape))}`;

/**
 * The finite-difference check of a backward against the student's OWN forward: for every probe,
 * (<g, f(x + h v)> - <g, f(x - h v)>) / 2h must equal <gradient, v> within the tolerance of
 * gradmark/checks' directional mode (the same comparison, directionalAgreement). NaN or Infinity
 * in a gradient or in the forward at a probe point fails, naming the value and where it is.
 * Every probed gradient is checked before any probe point, so a gradient that cannot be compared
 * is named first.
 */
export function judgeSelfConsistency(options: SelfConsistencyOptions): Verdict {
  const { what, probes } = options;
  const outputs = options.probeOutputs;
  if (!Array.isArray(outputs) || outputs.length !== 2 * probes.length) {
    return fail(`${what}: the forward could not be evaluated at the probe points`);
  }
  for (const probe of probes) {
    const verdict = judgeProbedGradient(options, probe.input);
    if (!verdict.pass) return verdict;
  }
  for (let p = 0; p < probes.length; p++) {
    const verdict = judgeProbe(options, probes[p]!, probeOutputPair(outputs, p));
    if (!verdict.pass) return verdict;
  }
  return PASS;
}

/** Fails unless the gradient of input `input` is a finite Tensor of the input's shape. */
function judgeProbedGradient(options: SelfConsistencyOptions, input: number): Verdict {
  const { what, names, backwardCheck } = options;
  const grad = options.grads[input];
  const x = options.inputs[input]!;
  if (!(grad instanceof Tensor) || !sameShape(grad.shape, x.shape)) {
    return fail(
      `${what}: the gradient of ${names[input]} is ${describeResult(grad)}, not a Tensor of shape [${x.shape.join(", ")}], so it cannot be compared with your forward (see ${backwardCheck})`,
    );
  }
  // NaN and Infinity never agree with anything (a comparison with <= let Infinity through).
  const bad = firstNonFinite(grad.data);
  if (bad !== -1) {
    return fail(
      `${what}: the gradient of ${names[input]} holds ${formatNumber(grad.data[bad]!)}${atIndex(bad, grad.shape)}; NaN and Infinity never agree with finite differences of your forward (see ${backwardCheck})`,
    );
  }
  return PASS;
}

/** One probe: the forward's values at x ± h v usable, then their central difference agreeing. */
function judgeProbe(
  options: SelfConsistencyOptions,
  probe: Probe,
  [plusOut, minusOut]: [unknown, unknown],
): Verdict {
  const { what, names, downstream, backwardCheck } = options;
  const { input, direction, h } = probe;
  for (const [sign, out] of [
    ["+", plusOut],
    ["-", minusOut],
  ] as const) {
    const verdict = judgeProbeOutput(options, probe, sign, out);
    if (!verdict.pass) return verdict;
  }
  const grad = options.grads[input] as Tensor;
  const { numerical, analytic, agrees, nonFinite } = directionalAgreement({
    plus: dot(downstream.data, (plusOut as Tensor).data),
    minus: dot(downstream.data, (minusOut as Tensor).data),
    h,
    gradient: grad.data,
    direction: direction.data,
    tolerance: options.tolerance,
  });
  if (nonFinite) {
    return fail(
      `${what}: ${describeDirectionalNonFinite(nonFinite, {
        gradientName: `your gradient of ${names[input]}`,
        shape: grad.shape,
        forward: "your forward",
      })} (so it cannot agree with finite differences; see ${backwardCheck})`,
    );
  }
  if (!agrees) {
    const forward = options.forwardMatches
      ? "Your forward matches the reference here, so the backward is what needs fixing."
      : "Your forward also differs from the reference here; fix the forward first, then make the backward its derivative.";
    return fail(
      `${what}: your backward disagrees with your own forward. Along a random direction v of ${names[input]}, finite differences of your forward give the rate of change ${fmt(numerical)} of <downstream gradient, output>, but <your gradient of ${names[input]}, v> is ${fmt(analytic)}. ${forward}`,
    );
  }
  return PASS;
}

/** Fails unless the forward's value at x `sign` h v is a finite Tensor of the output's shape. */
function judgeProbeOutput(
  options: SelfConsistencyOptions,
  probe: Probe,
  sign: "+" | "-",
  out: unknown,
): Verdict {
  const { what, names, downstream } = options;
  if (!(out instanceof Tensor) || !sameShape(out.shape, downstream.shape)) {
    return fail(
      `${what}: your forward returned ${describeResult(out)} at a point next to the graded input; expected a Tensor of shape [${downstream.shape.join(", ")}]`,
    );
  }
  const bad = firstNonFinite(out.data);
  if (bad !== -1) {
    return fail(
      `${what}: your forward is not finite next to the graded input: with ${names[probe.input]} moved to x ${sign} ${fmt(probe.h)} v (a random direction v), it returned ${formatNumber(out.data[bad]!)}${atIndex(bad, out.shape)}, so its finite differences say nothing there; NaN and Infinity never pass`,
    );
  }
  return PASS;
}
