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
import {
  centralRounding,
  exactRounding,
  FINE_STEP_RATIO,
  judgeLine,
  type LineJudgement,
  SAMPLE_OFFSETS,
} from "./internal/kink.js";
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
  /**
   * Directional mode's second stage: when the first probes agree, but less closely than an
   * exact gradient does, every element is checked again in blocks of at most this many (2
   * evaluations per block): one wrong element then stands out against its block's allowance,
   * not the whole input's (default 256).
   */
  blockSize?: number;
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
  const project = (out: Tensor): Sample => {
    let value = 0;
    let scale = 0;
    for (let j = 0; j < out.size; j++) {
      const term = out.data[j]! * downstream.data[j]!;
      value += term;
      scale += Math.abs(term);
    }
    return { value, scale };
  };
  const phi = (i: number, replacement: Float64Array): Sample => {
    const args = inputs.slice();
    args[i] = new Tensor(replacement, inputs[i]!.shape);
    moving = i;
    const out = evaluate(...args);
    moving = null;
    return project(out);
  };
  // <downstream, f> at the point itself: the middle sample of every line, never re-evaluated.
  const base = project(output);

  const numericalCache = new Map<number, NumericalGradient>();
  const numericalFor = (i: number): NumericalGradient => {
    let numerical = numericalCache.get(i);
    if (!numerical) {
      numerical = numericalGradient(phi, i, inputs[i]!, settings.relativeStep);
      numericalCache.set(i, numerical);
    }
    return numerical;
  };

  const rng = new Rng(`${settings.seed}:directions`);
  const reports = settings.wrt.map((i) =>
    checkInput(i, analytic[i], inputs, settings, rng, base, phi, numericalFor),
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
  blockSize: number;
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

/** <downstream, f(x)> and its scale, sum_k |downstream_k f_k(x)| (what its rounding is relative to). */
interface Sample {
  value: number;
  scale: number;
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
  base: Sample,
  phi: (i: number, replacement: Float64Array) => Sample,
  numericalFor: (i: number) => NumericalGradient,
): InputReport {
  const input = inputs[i]!;
  const name = settings.names[i]!;
  const report: InputReport = {
    index: i,
    name,
    status: "passed",
    probes: [],
    comparison: null,
    blocks: [],
    kinks: [],
    imprecise: [],
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
    // Whether every probe agreed as closely as an exact gradient does.
    let exact = true;
    for (
      let attempt = 0;
      conclusive < settings.probes && attempt < settings.probes + 2;
      attempt++
    ) {
      const direction = gaussianDirection(rng, input.size);
      const probe = directionalProbe(gradient, input, settings, direction, base, (x) => phi(i, x));
      if (!probe.exact) exact = false;
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
    if (disagreements === 0 && conclusive === settings.probes) {
      if (exact) return report;
      // Agreement within the tolerance, but not as close as an exact gradient's: a few wrong
      // elements can hide in a projection whose allowance grows with sqrt(n). Look again, a
      // block of elements at a time.
      const settled = secondStage(report, gradient, input, settings, base, (x) => phi(i, x));
      if (settled) return report;
    }
  }
  // Per element: to explain a failure, or because the caller asked for the full check.
  const numerical = numericalFor(i);
  const expected = numerical.expected;
  if (usable) {
    const left = leftOutElements(gradient, input, numerical, settings, base, (x) => phi(i, x));
    report.kinks = left.kinks;
    report.imprecise = left.imprecise;
  }
  const exclude = [
    { positions: report.kinks, reason: KINK_REASON },
    { positions: report.imprecise, reason: IMPRECISE_REASON },
  ];
  const compare = (context: DiagnoseContext) =>
    compareTensors(gradient, expected, {
      ...settings.tolerance,
      name: `gradient of ${name}`,
      context,
      exclude,
    });
  let comparison = compare(settings.context);
  if (!comparison.passed && comparison.hint === null && usable) {
    // Only now pay for the other inputs' gradients, to see whether two were swapped.
    const others = settings.wrt
      .filter((j) => j !== i && sameShape(inputs[j]!.shape, input.shape))
      .map((j) => ({ name: settings.names[j]!, expected: numericalFor(j).expected }));
    if (others.length > 0) {
      comparison = compare({
        ...settings.context,
        others: [...(settings.context.others ?? []), ...others],
      });
    }
  }
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

const KINK_REASON = "next to a kink";
const IMPRECISE_REASON = "within the finite difference's own error (rounding, bend of f)";

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
 * The elements that differ by more than the tolerance but cannot be blamed on the gradient
 * (see internal/kink.ts for the error model): f sampled at x ± 2h and x ± h/2 along the element
 * (x ± h and x itself are known already), 4 evaluations per differing element, and 2 more at
 * x ± h/4096 for one the samples cannot excuse.
 */
function leftOutElements(
  gradient: Tensor,
  input: Tensor,
  numerical: NumericalGradient,
  settings: Settings,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): { kinks: number[]; imprecise: number[] } {
  const { atol, rtol } = settings.tolerance;
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

function directionalProbe(
  gradient: Tensor,
  input: Tensor,
  settings: Settings,
  direction: Float64Array,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): Probe {
  const n = input.size;
  let maxInput = 0;
  let maxDirection = 0;
  for (let j = 0; j < n; j++) {
    if (direction[j] === 0) continue;
    maxInput = Math.max(maxInput, Math.abs(input.data[j]!));
    maxDirection = Math.max(maxDirection, Math.abs(direction[j]!));
  }
  if (maxDirection === 0) {
    return {
      numerical: 0,
      analytic: 0,
      kink: false,
      agrees: true,
      exact: true,
      nonFinite: null,
      judgement: null,
    };
  }
  const h = (settings.relativeStep * Math.max(1, maxInput)) / maxDirection;
  const at = (t: number): Sample => {
    if (t === 0) return base;
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = input.data[j]! + t * h * direction[j]!;
    return phiAt(x);
  };
  const plus = at(1);
  const minus = at(-1);
  const probe = directionalAgreement({
    plus: plus.value,
    minus: minus.value,
    h,
    gradient: gradient.data,
    direction,
    tolerance: settings.tolerance,
  });
  const { numerical, analytic, nonFinite } = probe;
  if (nonFinite) {
    return {
      numerical,
      analytic,
      kink: false,
      agrees: false,
      exact: false,
      nonFinite,
      judgement: null,
    };
  }
  // The error model of internal/kink.ts: the projected allowance is the tolerance T, and a probe
  // agrees within T plus the rounding rho of its central difference (an element is compared as
  // numpy does, within T alone, and rho only excuses it; a probe is internal, and the rounding of
  // a sum over many outputs is no reason to fall back to the per-element comparison).
  const error = Math.abs(numerical - analytic);
  const rounding = centralRounding(plus.scale, minus.scale, h);
  if (error <= probe.allowance + rounding) {
    const exact = error <= exactRounding(plus.scale, minus.scale, h);
    return { numerical, analytic, kink: false, agrees: true, exact, nonFinite, judgement: null };
  }
  // A probe the samples cannot decide (a kink, or within its own error) is no disagreement: it
  // is replaced by another direction.
  const line = SAMPLE_OFFSETS.map((t) => (t === 1 ? plus : t === -1 ? minus : at(t)));
  const judgement = judgeLine({
    samples: line.map((sample) => sample.value),
    scales: line.map((sample) => sample.scale),
    h,
    analytic,
    tolerance: probe.allowance,
    fine: () => ({ plus: at(FINE_STEP_RATIO).value, minus: at(-FINE_STEP_RATIO).value }),
  });
  const kink = judgement.verdict === "kink" || judgement.verdict === "imprecise";
  return { numerical, analytic, kink, agrees: false, exact: false, nonFinite: null, judgement };
}

interface Probe {
  numerical: number;
  analytic: number;
  /** The samples cannot decide (a kink, or within the central difference's own error). */
  kink: boolean;
  agrees: boolean;
  /** Agrees as closely as an exact gradient does: within the rounding of float64 (see kink.ts). */
  exact: boolean;
  nonFinite: DirectionalNonFinite | null;
  judgement: LineJudgement | null;
}

/** A standard normal direction (n draws of `rng`, in order). */
function gaussianDirection(rng: Rng, n: number): Float64Array {
  const direction = new Float64Array(n);
  for (let j = 0; j < n; j++) direction[j] = rng.normal();
  return direction;
}

/** At most this many blocks are looked into at each level of the second stage. */
const SECOND_STAGE_WIDTH = 4;

/**
 * Directional mode's second stage, for probes that agreed within the tolerance but less closely
 * than an exact gradient does. The elements, in a seeded random order, are dealt into blocks of
 * at most `blockSize`; each block is probed along ±1 on its elements (0 elsewhere), so a wrong
 * element moves its block's projection by its whole error (no small v_j can hide it), against an
 * allowance that grows with the block, not the input. A block that agrees, but again less
 * closely than an exact gradient, is halved and its halves probed, down to single elements: a
 * single wrong element is followed down to its own tolerance in 2 log2(blockSize) more probes.
 * Errors spread everywhere (more than SECOND_STAGE_WIDTH suspicious blocks at one level) are
 * what the allowance is for: the stage ends there. Returns false when a probe disagrees or
 * cannot decide (the per-element comparison then decides), true when the gradient stands.
 * 2 evaluations per probe: about 2 n / blockSize + 4 log2(blockSize) SECOND_STAGE_WIDTH.
 */
function secondStage(
  report: InputReport,
  gradient: Tensor,
  input: Tensor,
  settings: Settings,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): boolean {
  const n = input.size;
  const rng = new Rng(`${settings.seed}:blocks:${report.index}`);
  const order = Array.from({ length: n }, (_, j) => j);
  for (let j = n - 1; j > 0; j--) {
    const k = rng.int(j + 1);
    [order[j], order[k]] = [order[k]!, order[j]!];
  }
  const count = Math.ceil(n / settings.blockSize);
  let level: number[][] = Array.from({ length: count }, () => []);
  order.forEach((element, at) => {
    level[at % count]!.push(element);
  });
  const sign = new Float64Array(n);
  for (let j = 0; j < n; j++) sign[j] = rng.uniform() < 0.5 ? -1 : 1;
  while (level.length > 0) {
    const next: number[][] = [];
    for (const block of level) {
      const direction = new Float64Array(n);
      for (const j of block) direction[j] = sign[j]!;
      const probe = directionalProbe(gradient, input, settings, direction, base, phiAt);
      report.blocks.push({
        elements: block.length,
        numerical: probe.numerical,
        analytic: probe.analytic,
        kink: probe.kink,
      });
      if (probe.nonFinite || probe.kink || !probe.agrees) return false;
      if (!probe.exact && block.length > 1) {
        const half = Math.ceil(block.length / 2);
        next.push(block.slice(0, half), block.slice(half));
      }
    }
    if (next.length > 2 * SECOND_STAGE_WIDTH) return true;
    level = next;
  }
  return true;
}

/** Central differences of every element, with the values they came from (for the kink test). */
interface NumericalGradient {
  expected: Tensor;
  /** <downstream, f> with the element moved by +h and by -h, and their scales. */
  plus: Float64Array;
  minus: Float64Array;
  plusScale: Float64Array;
  minusScale: Float64Array;
  /** The step h of each element. */
  steps: Float64Array;
}

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
  const probe = input.data.slice();
  for (let j = 0; j < n; j++) {
    const original = input.data[j]!;
    const h = stepFor(original, relativeStep);
    probe[j] = original + h;
    const up = phi(i, probe.slice());
    probe[j] = original - h;
    const down = phi(i, probe.slice());
    probe[j] = original;
    plus[j] = up.value;
    minus[j] = down.value;
    plusScale[j] = up.scale;
    minusScale[j] = down.scale;
    out[j] = (up.value - down.value) / (2 * h);
    steps[j] = h;
  }
  return { expected: new Tensor(out, input.shape), plus, minus, plusScale, minusScale, steps };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((side, axis) => side === b[axis]);
}

function sameData(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
