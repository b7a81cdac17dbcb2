import { Rng, Tensor } from "../reference/tensor/index.js";
import {
  type Comparison,
  compareTensors,
  DEFAULT_TOLERANCE,
  type Tolerance,
} from "./compareTensors.js";
import type { DiagnoseContext, Hint } from "./diagnose.js";
import { checkTolerance, firstNonFinite, formatIndex, isClose, unravel } from "./internal/close.js";
import {
  type DirectionalNonFinite,
  describeDirectionalNonFinite,
  directionalAgreement,
} from "./internal/directional.js";
import { looksNonDifferentiable } from "./internal/kink.js";
import { DEFAULT_RELATIVE_STEP, stepFor, type TensorFunction } from "./internal/perturb.js";

/** Gradients of <downstream, f(inputs)> for every input, in input order (what a backward returns). */
export type GradientFunction = (downstream: Tensor, inputs: Tensor[]) => readonly unknown[];

export interface GradcheckOptions extends Partial<Tolerance> {
  /** The downstream gradient D_out[Z]; default: seeded standard normal of f's output shape. */
  downstream?: Tensor;
  /** Which inputs to check (default: all). */
  wrt?: readonly number[];
  /** Names of the inputs for messages (default "input 0", "input 1", ...). */
  names?: readonly string[];
  /** "directional": random projections first, per element only to explain a failure (default). */
  mode?: "directional" | "full";
  /** Random directions per input in directional mode (default 3). */
  probes?: number;
  seed?: number | string;
  relativeStep?: number;
  context?: DiagnoseContext;
}

export type GradcheckStatus = "passed" | "failed" | "inconclusive";

export interface InputReport {
  index: number;
  name: string;
  status: GradcheckStatus;
  /** Directional probes: numerical and analytic directional derivatives. */
  probes: { numerical: number; analytic: number; kink: boolean }[];
  /** The per-element comparison, present when a full check ran (a failure, or mode "full"). */
  comparison: Comparison | null;
  /** Flat positions found next to a kink (excluded from the verdict). */
  kinks: number[];
  message: string;
}

export interface GradcheckReport {
  passed: boolean;
  status: GradcheckStatus;
  inputs: InputReport[];
  downstream: Tensor;
  /** Evaluations of f used in all. */
  evaluations: number;
  /** The hint of the first failing input, if any. */
  hint: Hint | null;
  message: string;
}

/**
 * Checks analytic gradients against central finite differences of `f`.
 * `gradients(downstream, inputs)` returns the gradient of <downstream, f(inputs)> for every input.
 * Never throws for a wrong gradient: the report says what is wrong. Errors thrown by `f` or by
 * `gradients` propagate unchanged.
 *
 * NaN and Infinity never pass: a gradient holding one fails, and so does an `f` that returns one
 * at the point or next to it (its finite differences say nothing there), with a message naming
 * the value and where it is. Options and inputs that are not finite (a tolerance, the step, the
 * downstream gradient, an input) throw a RangeError.
 */
export function gradcheck(
  f: TensorFunction,
  gradients: GradientFunction,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const settings = resolveOptions(inputs, options);
  const snapshots = inputs.map((input) => input.data.slice());
  let evaluations = 0;
  // The first value of f that was not finite, and which input was being moved (null: none).
  let nonFiniteOutput: NonFiniteOutput | null = null;
  let moving: number | null = null;
  const evaluate: TensorFunction = (...args) => {
    evaluations++;
    const out = f(...args);
    if (!(out instanceof Tensor))
      throw new Error(`gradcheck: f must return a Tensor, got ${typeof out}`);
    const bad = firstNonFinite(out.data);
    if (bad !== -1 && nonFiniteOutput === null) {
      nonFiniteOutput = { flat: bad, value: out.data[bad]!, shape: out.shape, input: moving };
    }
    return out;
  };
  const output = evaluate(...inputs);
  const downstream = options.downstream ?? new Rng(settings.seed).randn(output.shape);
  if (!sameShape(downstream.shape, output.shape)) {
    throw new Error(
      `gradcheck: downstream has shape [${downstream.shape.join(", ")}] but f returns shape [${output.shape.join(", ")}]`,
    );
  }
  const badDownstream = firstNonFinite(downstream.data);
  if (badDownstream !== -1) {
    throw new RangeError(
      `gradcheck: downstream holds ${downstream.data[badDownstream]}${atIndex(badDownstream, downstream.shape)}; it must be finite`,
    );
  }
  const analytic = gradients(downstream, inputs.slice());
  if (!Array.isArray(analytic)) {
    throw new Error(
      `gradcheck: gradients must return an array with one gradient per input, got ${typeof analytic}`,
    );
  }
  const phi = (i: number, replacement: Float64Array): number => {
    const args = inputs.slice();
    args[i] = new Tensor(replacement, inputs[i]!.shape);
    moving = i;
    const out = evaluate(...args);
    moving = null;
    let total = 0;
    for (let j = 0; j < out.size; j++) total += out.data[j]! * downstream.data[j]!;
    return total;
  };

  const expectedCache = new Map<number, Tensor>();
  const expectedFor = (i: number): Tensor => {
    let expected = expectedCache.get(i);
    if (!expected) {
      expected = numericalGradient(phi, i, inputs[i]!, settings.relativeStep);
      expectedCache.set(i, expected);
    }
    return expected;
  };

  const rng = new Rng(`${settings.seed}:directions`);
  const reports = settings.wrt.map((i) =>
    checkInput(i, analytic[i], inputs, settings, rng, phi, expectedFor),
  );
  // f was not finite at the point or next to it: its finite differences say nothing there, so no
  // input passes (the first line names the value). Blamed on the input that was being moved (only
  // inputs in wrt are ever moved), or on every input when f was not finite at the point itself.
  const notFinite = nonFiniteOutput as NonFiniteOutput | null;
  if (notFinite !== null) {
    const moved = notFinite.input;
    const where =
      moved === null
        ? "at the checked point"
        : `next to the checked point (with ${settings.names[moved]} moved by a finite-difference step)`;
    const sentence = `f returned ${notFinite.value}${atIndex(notFinite.flat, notFinite.shape, "output ")} ${where}; finite differences need finite values near the point, and NaN and Infinity never pass`;
    for (const report of reports) {
      if (moved !== null && report.index !== moved) continue;
      report.status = "failed";
      report.message = report.message ? `${sentence}\n${report.message}` : sentence;
    }
  }
  const changed = snapshots.findIndex((snapshot, i) => !sameData(snapshot, inputs[i]!.data));
  if (changed !== -1) {
    const name = settings.names[changed]!;
    const report = reports.find((r) => r.index === changed) ?? reports[0];
    if (report) {
      report.status = "failed";
      report.message = `${name} was modified in place; functions must never change their inputs`;
    }
  }
  const status: GradcheckStatus = reports.some((r) => r.status === "failed")
    ? "failed"
    : reports.some((r) => r.status === "inconclusive")
      ? "inconclusive"
      : "passed";
  const firstFailure = reports.find((r) => r.status === "failed");
  return {
    passed: status === "passed",
    status,
    inputs: reports,
    downstream,
    evaluations,
    hint: firstFailure?.comparison?.hint ?? null,
    message: reports
      .filter((r) => r.status !== "passed")
      .map((r) => r.message)
      .join("\n"),
  };
}

interface Settings {
  wrt: number[];
  names: string[];
  tolerance: Tolerance;
  mode: "directional" | "full";
  probes: number;
  seed: number | string;
  relativeStep: number;
  context: DiagnoseContext;
}

function resolveOptions(inputs: readonly Tensor[], options: GradcheckOptions): Settings {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new Error("gradcheck: inputs must be a non-empty array of Tensors");
  }
  inputs.forEach((input, i) => {
    if (!(input instanceof Tensor)) throw new Error(`gradcheck: input ${i} is not a Tensor`);
  });
  const wrt = [...(options.wrt ?? inputs.map((_, i) => i))];
  for (const i of wrt) {
    if (!Number.isInteger(i) || i < 0 || i >= inputs.length) {
      throw new Error(`gradcheck: wrt names input ${i}, but inputs are 0..${inputs.length - 1}`);
    }
  }
  const probes = options.probes ?? 3;
  if (!Number.isInteger(probes) || probes < 1) {
    throw new Error(`gradcheck: probes must be a positive integer, got ${probes}`);
  }
  const mode = options.mode ?? "directional";
  if (mode !== "directional" && mode !== "full") {
    throw new Error(`gradcheck: mode must be "directional" or "full", got ${String(mode)}`);
  }
  const tolerance = {
    atol: options.atol ?? DEFAULT_TOLERANCE.atol,
    rtol: options.rtol ?? DEFAULT_TOLERANCE.rtol,
  };
  checkTolerance(tolerance, "gradcheck");
  const relativeStep = options.relativeStep ?? DEFAULT_RELATIVE_STEP;
  if (!(typeof relativeStep === "number" && Number.isFinite(relativeStep) && relativeStep > 0)) {
    throw new RangeError(
      `gradcheck: relativeStep must be a positive finite number, got ${String(relativeStep)}`,
    );
  }
  inputs.forEach((input, i) => {
    const bad = firstNonFinite(input.data);
    if (bad !== -1) {
      throw new RangeError(
        `gradcheck: input ${i} holds ${input.data[bad]}${atIndex(bad, input.shape)}; gradients can only be checked at a finite point`,
      );
    }
  });
  return {
    wrt,
    names: inputs.map((_, i) => options.names?.[i] ?? `input ${i}`),
    tolerance,
    mode,
    probes,
    seed: options.seed ?? 0,
    relativeStep,
    context: options.context ?? {},
  };
}

/** A value of f that was not finite: where in f's output, and which input was moved (or none). */
interface NonFiniteOutput {
  flat: number;
  value: number;
  shape: readonly number[];
  input: number | null;
}

/** " at [i, j]" (with a prefix such as "output ") for a flat position of `shape`; "" for 0-d. */
function atIndex(flat: number, shape: readonly number[], prefix = ""): string {
  return shape.length === 0 ? "" : ` at ${prefix}${formatIndex(unravel(flat, shape))}`;
}

function checkInput(
  i: number,
  gradient: unknown,
  inputs: readonly Tensor[],
  settings: Settings,
  rng: Rng,
  phi: (i: number, replacement: Float64Array) => number,
  expectedFor: (i: number) => Tensor,
): InputReport {
  const input = inputs[i]!;
  const name = settings.names[i]!;
  const report: InputReport = {
    index: i,
    name,
    status: "passed",
    probes: [],
    comparison: null,
    kinks: [],
    message: "",
  };
  const usable = gradient instanceof Tensor && sameShape(gradient.shape, input.shape);
  // A gradient holding NaN or Infinity goes straight to the per-element comparison, which names
  // the element (no probe can agree with it anyway).
  const finite = usable && firstNonFinite(gradient.data) === -1;
  if (finite && settings.mode === "directional") {
    // Probes that straddle a kink say nothing; draw a couple more directions in their place.
    let conclusive = 0;
    let disagreements = 0;
    for (
      let attempt = 0;
      conclusive < settings.probes && attempt < settings.probes + 2;
      attempt++
    ) {
      const probe = directionalProbe(gradient, input, settings, rng, (x) => phi(i, x));
      report.probes.push({
        numerical: probe.numerical,
        analytic: probe.analytic,
        kink: probe.kink,
      });
      if (probe.nonFinite) {
        // Not a kink and not inconclusive: nothing non-finite ever passes.
        report.status = "failed";
        report.message = `gradient of ${name}: ${describeDirectionalNonFinite(probe.nonFinite, {
          gradientName: `the gradient of ${name}`,
          shape: input.shape,
          forward: "f",
        })}`;
        return report;
      }
      if (probe.kink) continue;
      conclusive++;
      if (!probe.agrees) disagreements++;
    }
    if (disagreements === 0 && conclusive === settings.probes) return report;
  }
  // Per element: to explain a failure, or because the caller asked for the full check.
  const expected = expectedFor(i);
  const compare = (context: DiagnoseContext) =>
    compareTensors(gradient, expected, {
      ...settings.tolerance,
      name: `gradient of ${name}`,
      context,
    });
  let comparison = compare(settings.context);
  if (!comparison.passed && comparison.hint === null && usable) {
    // Only now pay for the other inputs' gradients, to see whether two were swapped.
    const others = settings.wrt
      .filter((j) => j !== i && sameShape(inputs[j]!.shape, input.shape))
      .map((j) => ({ name: settings.names[j]!, expected: expectedFor(j) }));
    if (others.length > 0) {
      comparison = compare({
        ...settings.context,
        others: [...(settings.context.others ?? []), ...others],
      });
    }
  }
  report.comparison = comparison;
  if (comparison.passed) return report;
  if (comparison.outcome === "values") {
    // Elements next to a kink are not the function's fault; only the others count.
    const g = gradient as Tensor;
    const failing: number[] = [];
    for (let j = 0; j < input.size; j++) {
      if (!isClose(g.data[j]!, expected.data[j]!, settings.tolerance.atol, settings.tolerance.rtol))
        failing.push(j);
    }
    const kinks = failing.filter((j) =>
      elementHasKink(input, j, settings.relativeStep, (x) => phi(i, x)),
    );
    report.kinks = kinks;
    if (kinks.length === failing.length) {
      report.status = "inconclusive";
      report.message = `gradient of ${name}: inconclusive, ${kinks.length} element${kinks.length === 1 ? " lies" : "s lie"} next to a point where the function is not differentiable; re-draw the input`;
      return report;
    }
  }
  report.status = "failed";
  report.message = comparison.message;
  return report;
}

function directionalProbe(
  gradient: Tensor,
  input: Tensor,
  settings: Settings,
  rng: Rng,
  phiAt: (x: Float64Array) => number,
): {
  numerical: number;
  analytic: number;
  kink: boolean;
  agrees: boolean;
  nonFinite: DirectionalNonFinite | null;
} {
  const n = input.size;
  const direction = new Float64Array(n);
  let maxInput = 0;
  let maxDirection = 0;
  for (let j = 0; j < n; j++) {
    direction[j] = rng.normal();
    maxInput = Math.max(maxInput, Math.abs(input.data[j]!));
    maxDirection = Math.max(maxDirection, Math.abs(direction[j]!));
  }
  if (maxDirection === 0) {
    return { numerical: 0, analytic: 0, kink: false, agrees: true, nonFinite: null };
  }
  const h = (settings.relativeStep * Math.max(1, maxInput)) / maxDirection;
  const at = (t: number) => {
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = input.data[j]! + t * h * direction[j]!;
    return phiAt(x);
  };
  const plus = at(1);
  const minus = at(-1);
  const probe = directionalAgreement({
    plus,
    minus,
    h,
    gradient: gradient.data,
    direction,
    tolerance: settings.tolerance,
  });
  const { numerical, analytic, agrees, nonFinite } = probe;
  if (agrees || nonFinite) return { numerical, analytic, kink: false, agrees, nonFinite };
  const kink = looksNonDifferentiable([at(-2), minus, at(0), plus, at(2)], h);
  return { numerical, analytic, kink, agrees, nonFinite: null };
}

function numericalGradient(
  phi: (i: number, replacement: Float64Array) => number,
  i: number,
  input: Tensor,
  relativeStep: number,
): Tensor {
  const out = new Float64Array(input.size);
  const probe = input.data.slice();
  for (let j = 0; j < input.size; j++) {
    const original = input.data[j]!;
    const h = stepFor(original, relativeStep);
    probe[j] = original + h;
    const plus = phi(i, probe.slice());
    probe[j] = original - h;
    const minus = phi(i, probe.slice());
    probe[j] = original;
    out[j] = (plus - minus) / (2 * h);
  }
  return new Tensor(out, input.shape);
}

function elementHasKink(
  input: Tensor,
  j: number,
  relativeStep: number,
  phiAt: (x: Float64Array) => number,
): boolean {
  const h = stepFor(input.data[j]!, relativeStep);
  const values = [-2, -1, 0, 1, 2].map((t) => {
    const x = input.data.slice();
    x[j] = x[j]! + t * h;
    return phiAt(x);
  });
  return looksNonDifferentiable(values, h);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((side, axis) => side === b[axis]);
}

function sameData(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
