import { Rng, Tensor } from "../reference/tensor/index.js";
import { sameShape } from "../reference/tensor/internal/shape.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP } from "./centralDifferences.js";
import {
  type Comparison,
  compareTensors,
  DEFAULT_TOLERANCE,
  type Tolerance,
} from "./compareTensors.js";
import type { DiagnoseContext, Hint } from "./diagnose.js";
import { checkTolerance, firstNonFinite, formatIndex, unravel } from "./internal/close.js";
import { describeDirectionalNonFinite } from "./internal/directional.js";
import { directionalProbe, gaussianDirection } from "./internal/directionalProbe.js";
import { leftOutElements } from "./internal/leftOutElements.js";
import type { TensorFunction } from "./internal/perturb.js";
import { type NumericalGradient, type Sample, sampleOf } from "./internal/sample.js";
import { secondStage } from "./internal/secondStage.js";
import { type NonFiniteOutput, WatchedFunction } from "./internal/watchedFunction.js";

/** Gradients of <downstream, f(inputs)> for every input, in input order (what a backward returns). */
export type GradientFunction = (downstream: Tensor, inputs: Tensor[]) => readonly unknown[];

/** Options of {@link gradcheck}; atol and rtol default to DEFAULT_TOLERANCE. */
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
  /**
   * Directional mode's second stage: when the first probes agree, but less closely than an
   * exact gradient does, every element is checked again in blocks of at most this many (2
   * evaluations per block): one wrong element then stands out against its block's allowance,
   * not the whole input's (default 256).
   */
  blockSize?: number;
  /** Seeds the default downstream gradient and the probes' directions (default 0). */
  seed?: number | string;
  /** The step of the central differences, relative to each element (see centralDifferences). */
  relativeStep?: number;
  /** What the hints of a failure may know (the batch size, other quantities). */
  context?: DiagnoseContext;
}

/**
 * "inconclusive": nothing disagreed but elements next to a kink or within the finite
 * difference's own error, which were left out; re-drawing the input decides.
 */
export type GradcheckStatus = "passed" | "failed" | "inconclusive";

/** What {@link gradcheck} found for one input's gradient. */
export interface InputReport {
  index: number;
  name: string;
  status: GradcheckStatus;
  /** Directional probes: numerical and analytic directional derivatives. */
  probes: { numerical: number; analytic: number; kink: boolean }[];
  /**
   * Second-stage probes (directional mode), run only when the first agreed but less closely than
   * an exact gradient does: one per block of at most `blockSize` elements, ±1 on the block. They
   * stop at the first that does not agree (then the per-element comparison decides).
   */
  blocks: { elements: number; numerical: number; analytic: number; kink: boolean }[];
  /** The per-element comparison, present when a full check ran (a failure, or mode "full"). */
  comparison: Comparison | null;
  /**
   * Flat positions found next to a kink (excluded from the verdict): the gradient differs from
   * the central difference there, and f is not smooth within two steps of the point.
   */
  kinks: number[];
  /**
   * Flat positions where the gradient differs from the central difference by more than the
   * tolerance, but by less than the central difference's own error there (rounding of f and
   * the bend of f within one step): excluded from the verdict, like kinks.
   */
  imprecise: number[];
  message: string;
}

/** The result of {@link gradcheck}: the verdict, and a report per checked input. */
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
  const watched = new WatchedFunction(f);
  const output = watched.call(inputs);
  const downstream = downstreamFor(options.downstream, settings.seed, output);
  const analytic = gradients(downstream, inputs.slice());
  if (!Array.isArray(analytic)) {
    throw new Error(
      `gradcheck: gradients must return an array with one gradient per input, got ${typeof analytic}`,
    );
  }
  const phi = (i: number, replacement: Float64Array): Sample =>
    sampleOf(watched.moved(inputs, i, replacement), downstream);
  const numericalCache = new Map<number, NumericalGradient>();
  const session: Session = {
    inputs,
    settings,
    rng: new Rng(`${settings.seed}:directions`),
    // <downstream, f> at the point itself: the middle sample of every line, never re-evaluated.
    base: sampleOf(output, downstream),
    phi,
    numericalFor: (i) => {
      let numerical = numericalCache.get(i);
      if (!numerical) {
        numerical = numericalGradient(phi, i, inputs[i]!, settings.relativeStep);
        numericalCache.set(i, numerical);
      }
      return numerical;
    },
  };
  const reports = settings.wrt.map((i) => checkInput(session, i, analytic[i]));
  if (watched.nonFinite !== null) blameNonFinite(reports, watched.nonFinite, settings.names);
  blameInPlaceChange(reports, snapshots, inputs, settings.names);
  return summarize(reports, downstream, watched.evaluations);
}

/** The options after validation, with every default filled in. */
interface Settings {
  wrt: number[];
  names: string[];
  tolerance: Tolerance;
  mode: "directional" | "full";
  probes: number;
  blockSize: number;
  seed: number | string;
  relativeStep: number;
  context: DiagnoseContext;
}

/** Validates the inputs and options, throwing as gradcheck documents, in a fixed order. */
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
  const blockSize = options.blockSize ?? 256;
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new Error(`gradcheck: blockSize must be a positive integer, got ${blockSize}`);
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
    blockSize,
    seed: options.seed ?? 0,
    relativeStep,
    context: options.context ?? {},
  };
}

/** The downstream gradient: the caller's (checked against f's output) or drawn from the seed. */
function downstreamFor(given: Tensor | undefined, seed: number | string, output: Tensor): Tensor {
  const downstream = given ?? new Rng(seed).randn(output.shape);
  if (!sameShape(downstream.shape, output.shape)) {
    throw new Error(
      `gradcheck: downstream has shape [${downstream.shape.join(", ")}] but f returns shape [${output.shape.join(", ")}]`,
    );
  }
  const bad = firstNonFinite(downstream.data);
  if (bad !== -1) {
    throw new RangeError(
      `gradcheck: downstream holds ${downstream.data[bad]}${atIndex(bad, downstream.shape)}; it must be finite`,
    );
  }
  return downstream;
}

/** What the checks of all inputs share: the point, the settings and f along lines through it. */
interface Session {
  inputs: readonly Tensor[];
  settings: Settings;
  /** Draws the directional probes' directions, input after input. */
  rng: Rng;
  /** <downstream, f> at the point itself. */
  base: Sample;
  /** <downstream, f> with input i's data replaced by `replacement`. */
  phi: (i: number, replacement: Float64Array) => Sample;
  /** The per-element central differences of input i, computed once. */
  numericalFor: (i: number) => NumericalGradient;
}

/** " at [i, j]" (with a prefix such as "output ") for a flat position of `shape`; "" for 0-d. */
function atIndex(flat: number, shape: readonly number[], prefix = ""): string {
  return shape.length === 0 ? "" : ` at ${prefix}${formatIndex(unravel(flat, shape))}`;
}

/** Checks the gradient of input i: by directional probes first (in that mode), else per element. */
function checkInput(session: Session, i: number, gradient: unknown): InputReport {
  const { inputs, settings } = session;
  const input = inputs[i]!;
  const report: InputReport = {
    index: i,
    name: settings.names[i]!,
    status: "passed",
    probes: [],
    comparison: null,
    blocks: [],
    kinks: [],
    imprecise: [],
    message: "",
  };
  const phiAt = (x: Float64Array) => session.phi(i, x);
  const usable = gradient instanceof Tensor && sameShape(gradient.shape, input.shape);
  // A gradient holding NaN or Infinity goes straight to the per-element comparison, which names
  // the element (no probe can agree with it anyway).
  const finite = usable && firstNonFinite(gradient.data) === -1;
  if (finite && settings.mode === "directional") {
    if (probeDirections(session, report, gradient, phiAt)) return report;
  }
  // Per element: to explain a failure, or because the caller asked for the full check.
  const numerical = session.numericalFor(i);
  if (usable) {
    const left = leftOutElements(
      gradient,
      input,
      numerical,
      settings.tolerance,
      session.base,
      phiAt,
    );
    report.kinks = left.kinks;
    report.imprecise = left.imprecise;
  }
  const comparison = compareElements(session, report, gradient, numerical.expected, usable);
  report.comparison = comparison;
  if (comparison.passed) {
    if (comparison.excluded > 0) {
      report.status = "inconclusive";
      report.message = describeInconclusive(report, input.size);
    }
    return report;
  }
  report.status = "failed";
  report.message = comparison.message;
  return report;
}

/**
 * Directional mode: random projections of the gradient against central differences along the
 * same directions, then, when they agreed but less closely than an exact gradient does, the
 * second stage (internal/secondStage.ts). Returns true when that settles the input (the
 * gradient stands, or a value that is not finite failed it), false when the per-element
 * comparison must decide.
 */
function probeDirections(
  session: Session,
  report: InputReport,
  gradient: Tensor,
  phiAt: (x: Float64Array) => Sample,
): boolean {
  const { settings, base } = session;
  const input = session.inputs[report.index]!;
  // Probes that straddle a kink say nothing; draw a couple more directions in their place.
  let conclusive = 0;
  let disagreements = 0;
  // Whether every probe agreed as closely as an exact gradient does.
  let exact = true;
  for (let attempt = 0; conclusive < settings.probes && attempt < settings.probes + 2; attempt++) {
    const direction = gaussianDirection(session.rng, input.size);
    const probe = directionalProbe(gradient, input, settings, direction, base, phiAt);
    if (!probe.exact) exact = false;
    report.probes.push({ numerical: probe.numerical, analytic: probe.analytic, kink: probe.kink });
    if (probe.nonFinite) {
      // Not a kink and not inconclusive: nothing non-finite ever passes.
      report.status = "failed";
      report.message = `gradient of ${report.name}: ${describeDirectionalNonFinite(
        probe.nonFinite,
        {
          gradientName: `the gradient of ${report.name}`,
          shape: input.shape,
          forward: "f",
        },
      )}`;
      return true;
    }
    if (probe.kink) continue;
    conclusive++;
    if (!probe.agrees) disagreements++;
  }
  if (disagreements > 0 || conclusive < settings.probes) return false;
  if (exact) return true;
  // Agreement within the tolerance, but not as close as an exact gradient's: a few wrong
  // elements can hide in a projection whose allowance grows with sqrt(n). Look again, a block
  // of elements at a time.
  return secondStage(report.index, report.blocks, gradient, input, settings, base, phiAt);
}

const KINK_REASON = "next to a kink";
const IMPRECISE_REASON = "within the finite difference's own error (rounding, bend of f)";

/**
 * The per-element comparison of `gradient` with its central differences `expected`, leaving out
 * the report's kinks and imprecise elements. A failure without a hint is compared again with
 * the other inputs' central differences in view, to see whether two gradients were swapped.
 */
function compareElements(
  session: Session,
  report: InputReport,
  gradient: unknown,
  expected: Tensor,
  usable: boolean,
): Comparison {
  const { inputs, settings } = session;
  const exclude = [
    { positions: report.kinks, reason: KINK_REASON },
    { positions: report.imprecise, reason: IMPRECISE_REASON },
  ];
  const compare = (context: DiagnoseContext) =>
    compareTensors(gradient, expected, {
      ...settings.tolerance,
      name: `gradient of ${report.name}`,
      context,
      exclude,
    });
  const comparison = compare(settings.context);
  if (comparison.passed || comparison.hint !== null || !usable) return comparison;
  // Only now pay for the other inputs' gradients.
  const shape = inputs[report.index]!.shape;
  const others = settings.wrt
    .filter((j) => j !== report.index && sameShape(inputs[j]!.shape, shape))
    .map((j) => ({ name: settings.names[j]!, expected: session.numericalFor(j).expected }));
  if (others.length === 0) return comparison;
  return compare({
    ...settings.context,
    others: [...(settings.context.others ?? []), ...others],
  });
}

/** The message of an input whose only disagreements were left out. */
function describeInconclusive(report: InputReport, size: number): string {
  const count = (n: number) => `${n} element${n === 1 ? "" : "s"}`;
  const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);
  const { kinks, imprecise } = report;
  const parts: string[] = [];
  if (kinks.length > 0) {
    parts.push(
      `${count(kinks.length)} ${verb(kinks.length, "lies", "lie")} next to a point where the function is not differentiable`,
    );
  }
  if (imprecise.length > 0) {
    parts.push(
      `${count(imprecise.length)} ${verb(imprecise.length, "differs", "differ")} by less than the finite difference's own error there (rounding, bend of f within a step)`,
    );
  }
  const others = size - kinks.length - imprecise.length;
  const agree = others > 0 ? `; the other ${count(others)} ${verb(others, "agrees", "agree")}` : "";
  return `gradient of ${report.name}: inconclusive, ${parts.join(" and ")}${agree}; re-draw the input`;
}

/**
 * f was not finite at the point or next to it: its finite differences say nothing there, so no
 * input passes (the first line names the value). Blamed on the input that was being moved (only
 * inputs in wrt are ever moved), or on every input when f was not finite at the point itself.
 */
function blameNonFinite(
  reports: InputReport[],
  notFinite: NonFiniteOutput,
  names: readonly string[],
): void {
  const moved = notFinite.input;
  const where =
    moved === null
      ? "at the checked point"
      : `next to the checked point (with ${names[moved]} moved by a finite-difference step)`;
  const sentence = `f returned ${notFinite.value}${atIndex(notFinite.flat, notFinite.shape, "output ")} ${where}; finite differences need finite values near the point, and NaN and Infinity never pass`;
  for (const report of reports) {
    if (moved !== null && report.index !== moved) continue;
    report.status = "failed";
    report.message = report.message ? `${sentence}\n${report.message}` : sentence;
  }
}

/** Fails the first input that f or the gradients wrote into (its report, or the first one). */
function blameInPlaceChange(
  reports: InputReport[],
  snapshots: readonly Float64Array[],
  inputs: readonly Tensor[],
  names: readonly string[],
): void {
  const changed = snapshots.findIndex((snapshot, i) => !sameData(snapshot, inputs[i]!.data));
  if (changed === -1) return;
  const report = reports.find((r) => r.index === changed) ?? reports[0];
  if (report) {
    report.status = "failed";
    report.message = `${names[changed]!} was modified in place; functions must never change their inputs`;
  }
}

/** The whole report: failed if any input failed, else inconclusive if any input was. */
function summarize(
  reports: InputReport[],
  downstream: Tensor,
  evaluations: number,
): GradcheckReport {
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

/**
 * The central differences of every element of input i (by `centralDifferences`), with the
 * samples they came from (for the kink test).
 */
function numericalGradient(
  phi: (i: number, replacement: Float64Array) => Sample,
  i: number,
  input: Tensor,
  relativeStep: number,
): NumericalGradient {
  const n = input.size;
  const out = new Float64Array(n);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  const plusScale = new Float64Array(n);
  const minusScale = new Float64Array(n);
  const steps = new Float64Array(n);
  centralDifferences(
    input,
    (moved) => phi(i, moved.data),
    (j, up, down, h) => {
      plus[j] = up.value;
      minus[j] = down.value;
      plusScale[j] = up.scale;
      minusScale[j] = down.scale;
      out[j] = (up.value - down.value) / (2 * h);
      steps[j] = h;
    },
    { relativeStep },
  );
  return { expected: new Tensor(out, input.shape), plus, minus, plusScale, minusScale, steps };
}

/** Equal element by element, NaN equal to NaN and -0 different from 0 (so any write shows). */
function sameData(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
