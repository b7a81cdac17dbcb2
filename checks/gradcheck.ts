import { Rng, Tensor } from "../reference/tensor/index.js";
import { sameShape } from "../reference/tensor/internal/shape.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP } from "./centralDifferences.js";
import { DEFAULT_TOLERANCE, type Tolerance } from "./compareTensors.js";
import type { DiagnoseContext, Hint } from "./diagnose.js";
import { checkTolerance, firstNonFinite, formatIndex, unravel } from "./internal/close.js";
import { describeDirectionalNonFinite } from "./internal/directional.js";
import {
  directionalProbe,
  type Probe,
  RANDOM_PROBE_STEP,
  randomDirection,
} from "./internal/directionalProbe.js";
import { type BlockResidual, blockKey } from "./internal/explainWithinBudget.js";
import type { CheckPlan, Session, Settings } from "./internal/gradcheckSession.js";
import type { GradcheckStatus, InputReport } from "./internal/inputReport.js";
import { hintFromOtherInputs } from "./internal/inputVerdict.js";
import { type JointMember, jointProbes } from "./internal/jointProbes.js";
import { checkPerElement } from "./internal/perElementCheck.js";
import type { TensorFunction } from "./internal/perturb.js";
import { type NumericalGradient, type Sample, sampleOf } from "./internal/sample.js";
import { comparedPerElement, firstLevel, secondStage } from "./internal/secondStage.js";
import { type NonFiniteOutput, WatchedFunction } from "./internal/watchedFunction.js";

export type { GradcheckStatus, InputReport } from "./internal/inputReport.js";

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
  /**
   * Random directions per input in directional mode (default 2; 3 before issue 17). A probe
   * lets a gradient stand only when it agrees as closely as an exact gradient does, and every
   * entry of a direction is at least 1 in size, so one exact probe already rules out any single
   * wrong element above that closeness; the second guards against errors of several elements
   * that cancel along one direction. Inputs are probed together while their probes agree (2
   * evaluations per probe for all of them), each on its own after.
   */
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
 * at the point, or next to it where no smaller step is within its domain either (its finite
 * differences say nothing there), with a message naming the value and where it is. Where the
 * step is much larger than an input (it is at least relativeStep), f may be judged at smaller
 * steps (internal/kink.ts); an element where f is finite at none of them is left out, and the
 * input is inconclusive. Options and inputs that are not finite (a tolerance, the step, the
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
  // Which function wrote into an input first, for the message: f, unless only the gradients did.
  const changedByF = changedInput(snapshots, inputs) !== -1;
  const analytic = gradients(downstream, inputs.slice());
  const writer =
    !changedByF && changedInput(snapshots, inputs) !== -1 ? "the gradient function" : "f";
  if (!Array.isArray(analytic)) {
    throw new Error(
      `gradcheck: gradients must return an array with one gradient per input, got ${typeof analytic}`,
    );
  }
  // A value of f that is not finite fails the check at the end, unless the line it was taken on
  // forgives it (decided at a smaller step within f's domain, or left out).
  const phi = (i: number, replacement: Float64Array): Sample => {
    const { output: moved, nonFinite } = watched.moved(inputs, i, replacement);
    const sample = sampleOf(moved, downstream);
    return nonFinite === null ? sample : { ...sample, forgive: () => watched.forgive(nonFinite) };
  };
  const phiTogether = (replacements: readonly (Float64Array | null)[]): Sample =>
    sampleOf(watched.movedTogether(inputs, replacements), downstream);
  const numericalCache = new Map<number, NumericalGradient>();
  const session: Session = {
    inputs,
    settings,
    rng: new Rng(`${settings.seed}:directions`),
    // <downstream, f> at the point itself: the middle sample of every line, never re-evaluated.
    base: sampleOf(output, downstream),
    phi,
    phiTogether,
    numericalFor: (i) => {
      let numerical = numericalCache.get(i);
      if (!numerical) {
        numerical = numericalGradient(phi, i, inputs[i]!, settings.relativeStep);
        numericalCache.set(i, numerical);
      }
      return numerical;
    },
  };
  const reports = settings.wrt.map((i) => emptyReport(i, settings.names[i]!));
  const joint =
    settings.mode === "directional"
      ? probeTogether(session, reports, analytic)
      : reports.map(() => ({ member: false, exact: 0 }));
  // Every input's own look first, then the per-element checks of those it did not settle: these
  // share what is left of the evaluations (directional mode), and inputs that stand leave theirs.
  const unsettled: { report: InputReport; plan: CheckPlan }[] = [];
  const settled = (report: InputReport) =>
    report.status === "passed" && !unsettled.some((u) => u.report === report);
  reports.forEach((report, k) => {
    const { member, exact } = joint[k]!;
    if (exact >= settings.probes) return;
    // The joint probes found something, and every other input they moved stands: this one is
    // the suspect.
    const suspect =
      member &&
      reports.every((other, m) => m === k || !joint[m]!.member || (m < k && settled(other)));
    const plan = lookAtInput(session, report, analytic[report.index], { exact, suspect });
    if (plan !== null) unsettled.push({ report, plan });
  });
  const bases = checkPerElement(session, unsettled, analytic, () => watched.evaluations);
  for (const report of reports) {
    if (report.status === "failed") hintFromOtherInputs(session, report, reports, analytic, bases);
  }
  if (watched.nonFinite !== null) blameNonFinite(reports, watched.nonFinite, settings.names);
  blameInPlaceChange(reports, snapshots, inputs, settings.names, writer);
  return summarize(reports, downstream, watched.evaluations);
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
  const probes = options.probes ?? 2;
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

/** " at [i, j]" (with a prefix such as "output ") for a flat position of `shape`; "" for 0-d. */
function atIndex(flat: number, shape: readonly number[], prefix = ""): string {
  return shape.length === 0 ? "" : ` at ${prefix}${formatIndex(unravel(flat, shape))}`;
}

/** The report of input i before any check: passed, with nothing looked at yet. */
function emptyReport(i: number, name: string): InputReport {
  return {
    index: i,
    name,
    status: "passed",
    probes: [],
    comparison: null,
    blocks: [],
    kinks: [],
    imprecise: [],
    notFiniteNearby: [],
    inBlocks: 0,
    notCompared: [],
    untested: [],
    message: "",
  };
}

/** What the joint probes (probeTogether) left to an input's own check. */
interface JointOutcome {
  /** The input took part in them. */
  member: boolean;
  /** Exact joint probes, each as good as an exact probe of the input alone. */
  exact: number;
}

/**
 * Directional mode's first look, at every input with a finite gradient of the right shape at
 * once (internal/jointProbes.ts): 2 evaluations per probe whatever the number of inputs. Returns,
 * per report, whether the input took part and how many probes were exact (all `probes`: its
 * gradient stands). With one such input there is nothing to share: its own probes are the same.
 */
function probeTogether(
  session: Session,
  reports: InputReport[],
  analytic: readonly unknown[],
): JointOutcome[] {
  const { inputs, settings } = session;
  const members: { report: InputReport; member: JointMember }[] = [];
  for (const report of reports) {
    const gradient = analytic[report.index];
    const input = inputs[report.index]!;
    if (!(gradient instanceof Tensor) || !sameShape(gradient.shape, input.shape)) continue;
    if (input.size === 0 || firstNonFinite(gradient.data) !== -1) continue;
    members.push({ report, member: { index: report.index, input, gradient } });
  }
  if (members.length < 2) return reports.map(() => ({ member: false, exact: 0 }));
  // Refining an inexact probe pays where a second stage would follow, not where every input
  // is compared per element anyway.
  const refine = members.some(
    ({ member }) => !comparedPerElement(member.input.size, settings.blockSize),
  );
  const exact = jointProbes(
    members.map((m) => m.member),
    inputs.length,
    { ...settings, refine },
    session.rng,
    session.base,
    session.phiTogether,
    (probe) => {
      for (const { report } of members) {
        report.probes.push({ numerical: probe.numerical, analytic: probe.analytic, kink: false });
      }
    },
  );
  return reports.map((report) => {
    const member = members.some((m) => m.report === report);
    return { member, exact: member ? exact : 0 };
  });
}

/**
 * An input's own look (directional mode): its directional probes and second stage. Returns
 * null when that settles the input (the gradient stands, or a value that is not finite failed
 * it), else the plan of its per-element check.
 */
function lookAtInput(
  session: Session,
  report: InputReport,
  gradient: unknown,
  joint: { exact: number; suspect: boolean },
): CheckPlan | null {
  const input = session.inputs[report.index]!;
  const usable = gradient instanceof Tensor && sameShape(gradient.shape, input.shape);
  if (!usable || session.settings.mode === "full") return { kind: "full" };
  if (firstNonFinite(gradient.data) === -1)
    return probeDirections(session, report, gradient, joint);
  // A gradient holding NaN or Infinity is compared element by element, its bad elements first
  // (the message names them; no probe can agree with it anyway).
  const bad: number[] = [];
  const rest: number[] = [];
  for (let j = 0; j < input.size; j++) (Number.isFinite(gradient.data[j]!) ? rest : bad).push(j);
  return {
    kind: "explain",
    weights: new Float64Array(input.size).fill(1),
    roots: [{ elements: [...bad, ...rest], known: null }],
    probed: new Map(),
    narrow: false,
  };
}

/**
 * Directional mode, one input: random projections of the gradient against central differences
 * along the same directions, then, when one agreed but less closely than an exact gradient does,
 * the second stage (internal/secondStage.ts). Returns null when that settles the input (the
 * gradient stands, or a value that is not finite failed it), else the plan of its explanation,
 * rooted in what did not stand: the probe that was not exact, or the second stage's blocks. It
 * stops at the first probe that is not exact: the second stage looks at every element anyway,
 * and a disagreement is decided element by element.
 *
 * A small input, where the second stage would cost as much as comparing every element, is
 * explained from its probe directly, and a probe of it that disagrees is neither judged for a
 * kink nor taken at smaller steps where f is not finite (the elements are). A small input that
 * the joint probes suspect (`joint.suspect`) is explained at once: its own probes could only
 * confirm it. Exact joint probes (`joint.exact`) count as its own.
 */
function probeDirections(
  session: Session,
  report: InputReport,
  gradient: Tensor,
  joint: { exact: number; suspect: boolean },
): CheckPlan | null {
  const { settings, base } = session;
  const input = session.inputs[report.index]!;
  const phiAt = (x: Float64Array) => session.phi(report.index, x);
  const small = comparedPerElement(input.size, settings.blockSize);
  if (small && joint.suspect) return planFromBlocks(session, report.index, new Map());
  // Probes that straddle a kink say nothing; draw a couple more directions in their place.
  let conclusive = joint.exact;
  for (let attempt = 0; conclusive < settings.probes && attempt < settings.probes + 2; attempt++) {
    const direction = randomDirection(session.rng, input.size);
    const probe = directionalProbe(gradient, input, settings, direction, base, phiAt, {
      judge: !small,
      refine: true,
      withSmallerSteps: !small,
      stepRatio: RANDOM_PROBE_STEP,
    });
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
      return null;
    }
    // f not finite along the probe, at its step and the smaller ones: the elements are compared
    // one by one, each with its own smaller steps (another direction moves them all again).
    if (probe.beyondDomain) return planFromBlocks(session, report.index, new Map());
    if (probe.kink) continue;
    if (!probe.agrees) return planFromProbe(input.size, direction, probe);
    if (!probe.exact) {
      // Agreement within the tolerance, but not as close as an exact gradient's: a few wrong
      // elements can hide in a projection whose allowance grows with sqrt(n). Look again, a
      // block of elements at a time.
      if (small) return planFromProbe(input.size, direction, probe);
      const probed = new Map<string, BlockResidual>();
      const stands = secondStage(
        report.index,
        report.blocks,
        gradient,
        input,
        settings,
        base,
        phiAt,
        (elements, block) => probed.set(blockKey(elements), residualOf(block)),
      );
      return stands ? null : planFromBlocks(session, report.index, probed);
    }
    conclusive++;
  }
  return conclusive >= settings.probes ? null : planFromBlocks(session, report.index, new Map());
}

/** The explanation rooted in a probe that did not stand, its direction the blocks' weights. */
function planFromProbe(n: number, direction: Float64Array, probe: Probe): CheckPlan {
  return {
    kind: "explain",
    weights: direction,
    roots: [{ elements: Array.from({ length: n }, (_, j) => j), known: residualOf(probe) }],
    probed: new Map(),
    narrow: true,
  };
}

/** The explanation rooted in the second stage's first level of blocks (probed or not yet). */
function planFromBlocks(
  session: Session,
  i: number,
  probed: Map<string, BlockResidual>,
): CheckPlan {
  const { seed, blockSize } = session.settings;
  const { level, sign } = firstLevel(seed, i, session.inputs[i]!.size, blockSize);
  return {
    kind: "explain",
    weights: sign,
    roots: level.map((elements) => ({ elements, known: null })),
    probed,
    narrow: true,
  };
}

function residualOf(probe: Probe): BlockResidual {
  return { residual: probe.residual, bound: probe.bound };
}

/**
 * f was not finite at the point, or next to it where no smaller step was within its domain (a
 * value a smaller step made up for is forgiven: WatchedFunction): its finite differences say
 * nothing there, so no input passes (the first line names the value). Blamed on the input that
 * was being moved (only inputs in wrt are ever moved), or on every input when f was not finite
 * at the point itself.
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

/** The first input whose data differs from its snapshot, or -1. */
function changedInput(snapshots: readonly Float64Array[], inputs: readonly Tensor[]): number {
  return snapshots.findIndex((snapshot, i) => !sameData(snapshot, inputs[i]!.data));
}

/**
 * Fails the first input that f or the gradients wrote into (its report, or the first one),
 * naming `writer`, the function seen writing first.
 */
function blameInPlaceChange(
  reports: InputReport[],
  snapshots: readonly Float64Array[],
  inputs: readonly Tensor[],
  names: readonly string[],
  writer: string,
): void {
  const changed = changedInput(snapshots, inputs);
  if (changed === -1) return;
  const report = reports.find((r) => r.index === changed) ?? reports[0];
  if (report) {
    report.status = "failed";
    report.message = `${names[changed]!} was modified in place by ${writer}; functions must never change their inputs`;
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
  const plus: Sample[] = new Array(n);
  const minus: Sample[] = new Array(n);
  const steps = new Float64Array(n);
  centralDifferences(
    input,
    (moved) => phi(i, moved.data),
    (j, up, down, h) => {
      plus[j] = up;
      minus[j] = down;
      out[j] = (up.value - down.value) / (2 * h);
      steps[j] = h;
    },
    { relativeStep },
  );
  return { expected: new Tensor(out, input.shape), plus, minus, steps };
}

/** Equal element by element, NaN equal to NaN and -0 different from 0 (so any write shows). */
function sameData(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
