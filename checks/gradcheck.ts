import { Rng, Tensor } from "../reference/tensor/index.js";
import { sameShape } from "../reference/tensor/internal/shape.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP } from "./centralDifferences.js";
import {
  type Comparison,
  compareTensors,
  DEFAULT_TOLERANCE,
  type ExcludedElements,
  type Tolerance,
} from "./compareTensors.js";
import type { DiagnoseContext, Hint } from "./diagnose.js";
import { checkTolerance, firstNonFinite, formatIndex, unravel } from "./internal/close.js";
import { describeDirectionalNonFinite } from "./internal/directional.js";
import {
  directionalProbe,
  type Probe,
  RANDOM_PROBE_STEP,
  randomDirection,
} from "./internal/directionalProbe.js";
import {
  type BlockResidual,
  blockKey,
  type ExplanationRoot,
  explainWithinBudget,
} from "./internal/explainWithinBudget.js";
import { type JointMember, jointProbes } from "./internal/jointProbes.js";
import { JUDGEMENT_COST, leftOutElements } from "./internal/leftOutElements.js";
import { diagonalOf, hintFromCompared, type PartlyKnown } from "./internal/partialHints.js";
import type { TensorFunction } from "./internal/perturb.js";
import { type NumericalGradient, type Sample, sampleOf } from "./internal/sample.js";
import { comparedPerElement, firstLevel, secondStage } from "./internal/secondStage.js";
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
  /**
   * Directional probes: numerical and analytic directional derivatives. Probes of several inputs
   * at once (directional mode, first) are listed under each of them, with their joint derivatives.
   */
  probes: { numerical: number; analytic: number; kink: boolean }[];
  /**
   * Probes of blocks of elements (directional mode). The second stage's, run only when the first
   * probes agreed but less closely than an exact gradient does: one per block of at most
   * `blockSize` elements, ±1 on the block, stopping at the first that does not agree. Then the
   * explanation's, which halve the blocks that were not exact to find the elements that differ.
   */
  blocks: { elements: number; numerical: number; analytic: number; kink: boolean }[];
  /**
   * The per-element comparison, present when a per-element check ran (to explain a probe that
   * did not stand, or mode "full"). In directional mode it compares the elements measured one by
   * one, and counts those certified in blocks (`inBlocks`) as agreeing.
   */
  comparison: Comparison | null;
  /**
   * Directional mode: elements that agreed within probes of blocks of elements as closely as an
   * exact gradient does (so they stand, as a gradient stands on exact probes), and were not
   * compared one by one.
   */
  inBlocks: number;
  /**
   * Directional mode: flat positions neither compared nor certified in a block, because the
   * evaluations a check may make (2n + 1 in all for n checked elements, torch's slow mode; 21 at
   * least) ran out. Left out of the verdict, like kinks: they never fail an input.
   */
  notCompared: number[];
  /**
   * Directional mode: flat positions that differ but were not tested for a kink, because the
   * evaluations ran out once another element had failed the check. Left out of the verdict, as
   * they may be next to a kink, and named as such.
   */
  untested: number[];
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
  /**
   * Flat positions where f is finite at the point but not within the step of it, at the step
   * nor at the smaller ones tried (down to |x| times relativeStep, at most h / 16^4: x - h left
   * the domain of log or sqrt at x below the step): their central difference says nothing, and
   * they are excluded from the verdict, like kinks.
   */
  notFiniteNearby: number[];
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
  const analytic = gradients(downstream, inputs.slice());
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
  /** <downstream, f> with several inputs' data replaced (null keeps an input). */
  phiTogether: (replacements: readonly (Float64Array | null)[]) => Sample;
  /** The per-element central differences of input i, computed once. */
  numericalFor: (i: number) => NumericalGradient;
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
 * What an input's own look left to its per-element check: every element compared (mode "full",
 * or a gradient no probe can weigh: not a Tensor of the input's shape), or, in directional mode,
 * the probes that did not stand explained within the evaluations left (explainWithinBudget.ts).
 */
type CheckPlan =
  | { kind: "full" }
  | {
      kind: "explain";
      /** The weights of block probes: the direction of the probe at the root, or ±1 signs. */
      weights: Float64Array;
      roots: ExplanationRoot[];
      /** Probes of blocks made already (the second stage's), by blockKey. */
      probed: Map<string, BlockResidual>;
      /** Halve blocks to find the elements; false for a gradient holding NaN or Infinity. */
      narrow: boolean;
    };

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
 * The fewest evaluations a failing check is allowed in directional mode, whatever n: a failure
 * needs its element's central difference and its kink test (8 evaluations after the one at the
 * point), the probe that found it, and the halving that located the element. 2n + 1 covers that
 * from n = 10 on (a wrong element among 10 is located by 4 probes of blocks); below, a failing
 * check may cost this much.
 */
const FEWEST_EVALUATIONS = 21;

/** What a comparison compares, kept for a second one with the other inputs in view. */
interface ComparisonBasis {
  name: string;
  actual: unknown;
  expected: Tensor;
  exclude: ExcludedElements[];
  /** 1 where the expected value is known (measured, or certified in a block); null: all are. */
  compared: Uint8Array | null;
  /** 1 where the central difference was measured. */
  measured: Uint8Array;
  /**
   * Elements that differ, were not tested for a kink, and count as differing all the same: the
   * input failed on an element that was tested, so its verdict stands whatever they are.
   */
  countedUntested?: number;
}

/**
 * The per-element checks of the inputs their own looks did not settle. In directional mode
 * they share what is left of 2n + 1 evaluations in all (torch's slow mode, n the checked
 * elements; FEWEST_EVALUATIONS at least), each in proportion to its size, and an input that
 * needs less leaves the rest to the next; until one input failed, each gets at least enough for
 * a verdict (an element measured and judged: many small inputs can spend the 2n + 1 on their
 * probes alone). Returns what each comparison compared.
 */
function checkPerElement(
  session: Session,
  unsettled: readonly { report: InputReport; plan: CheckPlan }[],
  analytic: readonly unknown[],
  evaluations: () => number,
): Map<InputReport, ComparisonBasis> {
  const { inputs, settings } = session;
  const bases = new Map<InputReport, ComparisonBasis>();
  const sizeOf = (report: InputReport) => inputs[report.index]!.size;
  const checked = settings.wrt.reduce((sum, i) => sum + inputs[i]!.size, 0);
  const cap = Math.max(2 * checked + 1, FEWEST_EVALUATIONS);
  // Full comparisons take what they take: first, so the shares see it.
  for (const { report, plan } of unsettled) {
    if (plan.kind === "full") bases.set(report, checkAllElements(session, report, analytic));
  }
  let sizeLeft = 0;
  for (const { report, plan } of unsettled) if (plan.kind === "explain") sizeLeft += sizeOf(report);
  for (const { report, plan } of unsettled) {
    if (plan.kind !== "explain") continue;
    const size = sizeOf(report);
    // Once an input failed, the check has: the next need keep nothing for a judgement, and
    // until then the input explained gets the judgement's evaluations on top of its share.
    const decided = unsettled.some((u) => u.report.status === "failed");
    const reserve = decided ? 0 : JUDGEMENT_COST;
    const share = Math.floor(((cap - evaluations() - reserve) * size) / sizeLeft) + reserve;
    sizeLeft -= size;
    // Enough for a verdict, whatever the probes spent: one element measured and judged.
    const budget = Math.max(share, decided ? 0 : 2 + JUDGEMENT_COST);
    const gradient = analytic[report.index] as Tensor;
    // What inputs of this shape compared, this one compares first (for a swapped gradient's hint).
    const shape = inputs[report.index]!.shape;
    const measureFirst = new Uint8Array(size);
    for (const [other, basis] of bases) {
      if (!sameShape(inputs[other.index]!.shape, shape)) continue;
      basis.measured.forEach((measured, j) => {
        if (measured === 1) measureFirst[j] = 1;
      });
    }
    const limits = { budget, decided, measureFirst };
    bases.set(report, explainInput(session, report, gradient, plan, limits));
  }
  return bases;
}

/** Mode "full", or a gradient no probe can weigh: every element compared, kinks left out. */
function checkAllElements(
  session: Session,
  report: InputReport,
  analytic: readonly unknown[],
): ComparisonBasis {
  const { inputs, settings } = session;
  const i = report.index;
  const input = inputs[i]!;
  const gradient = analytic[i];
  const numerical = session.numericalFor(i);
  if (gradient instanceof Tensor && sameShape(gradient.shape, input.shape)) {
    const left = leftOutElements(gradient, input, numerical, settings, session.base, (x) =>
      session.phi(i, x),
    );
    report.kinks = left.kinks;
    report.imprecise = left.imprecise;
    report.notFiniteNearby = left.notFiniteNearby;
  }
  const known = withoutUnknown(gradient, numerical.expected, report.notFiniteNearby);
  const basis = {
    name: report.name,
    ...known,
    exclude: leftOut(report),
    compared: known.compared,
    measured: new Uint8Array(input.size).fill(1),
  };
  settle(report, compareBasis(session, report, basis), input.size);
  return basis;
}

/**
 * Directional mode: the elements behind probes that did not stand, found within `budget`
 * evaluations (explainWithinBudget.ts). Elements certified in blocks are compared as agreeing
 * (their gradient stands in for their central difference); elements not compared are left out,
 * and set to 0 on both sides, so a hint is drawn from the compared elements only.
 */
function explainInput(
  session: Session,
  report: InputReport,
  gradient: Tensor,
  plan: Extract<CheckPlan, { kind: "explain" }>,
  limits: { budget: number; decided: boolean; measureFirst: Uint8Array },
): ComparisonBasis {
  const { settings } = session;
  const i = report.index;
  const input = session.inputs[i]!;
  const explanation = explainWithinBudget({
    gradient,
    input,
    tolerance: settings.tolerance,
    relativeStep: settings.relativeStep,
    base: session.base,
    phiAt: (x) => session.phi(i, x),
    weights: plan.weights,
    roots: plan.roots,
    probed: (elements) => plan.probed.get(blockKey(elements)) ?? null,
    narrow: plan.narrow,
    ...limits,
    fewEnough: (elements) => comparedPerElement(elements, settings.blockSize),
    measureLast: diagonalOf(input.shape),
    record: (elements, numerical, analytic) =>
      report.blocks.push({ elements, numerical, analytic, kink: false }),
  });
  const { differences, certified } = explanation;
  const actual = gradient.data.slice();
  const expected = new Float64Array(input.size);
  const compared = new Uint8Array(input.size).fill(1);
  // Elements with no central difference (f not finite within the steps taken): known on
  // neither side, as those not measured (and left out).
  const unknown = new Set([...explanation.notFiniteNearby, ...explanation.notCompared]);
  for (let j = 0; j < input.size; j++) {
    if (unknown.has(j)) {
      actual[j] = 0;
      compared[j] = 0;
    } else if (differences.measured[j] === 1) {
      expected[j] = differences.numerical.expected.data[j]!;
    } else if (certified[j] === 1) {
      expected[j] = actual[j]!;
      report.inBlocks++;
    } else {
      actual[j] = 0;
      compared[j] = 0;
    }
  }
  report.kinks = explanation.kinks;
  report.imprecise = explanation.imprecise;
  report.notFiniteNearby = explanation.notFiniteNearby;
  report.notCompared = explanation.notCompared;
  report.untested = explanation.unjudged;
  // Once an element failed for sure, the ones that differ but were not tested for a kink count
  // as differing (the verdict is failed whatever they are), with a line saying so: a student
  // reads "6 of 9 elements differ", not "1 of 4 differs" and 5 left out. Without a sure failure
  // they stay left out, as they may be next to a kink.
  const failedForSure = explanation.disagreeing.length > 0;
  const basis = {
    name: report.name,
    actual: new Tensor(actual, input.shape),
    expected: new Tensor(expected, input.shape),
    exclude: leftOut(report),
    compared: unknown.size > 0 ? compared : null,
    measured: differences.measured,
    countedUntested: failedForSure ? explanation.unjudged.length : 0,
  };
  settle(report, compareBasis(session, report, basis), input.size);
  return basis;
}

/**
 * Counts the untested elements of an input that failed for sure as differing, in `comparison`
 * and its `message` lines: the first line counts them among the elements that differ, and the
 * line that named them as left out names them as not tested for a kink. They stay out of the
 * worst elements, which lead with the ones that decided the failure.
 */
function countUntested(
  comparison: Comparison,
  message: string[],
  report: InputReport,
  untested: number,
): void {
  const headline = /^(.*): (\d+) of (\d+) elements? differs? \(/.exec(message[0]!);
  const leftLine = message.findIndex((line) => line.includes(` ${UNTESTED_REASON} `));
  if (!headline || leftLine === -1) return;
  const differ = Number(headline[2]) + untested;
  const of = Number(headline[3]) + untested;
  message[0] = message[0]!.replace(
    headline[0],
    `${headline[1]}: ${differ} of ${of} element${of === 1 ? "" : "s"} differ${differ === 1 ? "s" : ""} (`,
  );
  const shape = comparison.expectedShape;
  const named = report.untested.slice(0, 3).map((flat) => formatIndex(unravel(flat, shape)));
  const where =
    shape.length === 0
      ? ""
      : `, at ${named.join(", ")}${report.untested.length > 3 ? ", ..." : ""},`;
  // Right after the worst elements, so "of them" reads as of the elements that differ.
  message.splice(leftLine, 1);
  let after = 1;
  while (after < message.length && /^ {2}(at \[|value: )/.test(message[after]!)) after++;
  message.splice(
    after,
    0,
    `  ${untested} of them${where} ${untested === 1 ? "was" : "were"} ${UNTESTED_COUNTED}`,
  );
  comparison.mismatched += untested;
  comparison.excluded -= untested;
}

/** The report's verdict from its per-element comparison. */
function settle(report: InputReport, comparison: Comparison, size: number): void {
  report.comparison = comparison;
  if (comparison.passed) {
    if (comparison.excluded > 0) {
      report.status = "inconclusive";
      report.message = describeInconclusive(report, size);
    }
    return;
  }
  report.status = "failed";
  report.message = comparison.message;
}

const KINK_REASON = "next to a kink";
const NOT_FINITE_REASON = "where f is not finite within the step of the point";
const IMPRECISE_REASON = "within the finite difference's own error (rounding, bend of f)";
const UNTESTED_REASON =
  "differing but not tested for a kink (the evaluations allowed, 2n + 1, ran out once the check had failed)";
const UNTESTED_COUNTED =
  "not tested for a kink (the check stops at 2n + 1 evaluations of f once it has failed)";
const NOT_COMPARED_REASON =
  "not compared within the evaluations allowed (2n + 1, torch's slow mode)";

/**
 * The elements a report leaves out of its comparison, with the reasons: an element that differs
 * but was not tested for a kink is not counted as failing either (it may be next to one).
 */
function leftOut(report: InputReport): ExcludedElements[] {
  return [
    { positions: report.kinks, reason: KINK_REASON },
    { positions: report.imprecise, reason: IMPRECISE_REASON },
    { positions: report.notFiniteNearby, reason: NOT_FINITE_REASON },
    { positions: report.untested, reason: UNTESTED_REASON },
    { positions: report.notCompared, reason: NOT_COMPARED_REASON },
  ];
}

/**
 * The per-element comparison of a basis, with `context` for the hints; in its message, before
 * the hint, how many elements were certified in blocks rather than compared one by one, and,
 * when elements were left out for want of evaluations, a hint from the compared ones.
 */
function compareBasis(
  session: Session,
  report: InputReport,
  basis: ComparisonBasis,
  context: DiagnoseContext = session.settings.context,
): Comparison {
  const comparison = compareTensors(basis.actual, basis.expected, {
    ...session.settings.tolerance,
    name: `gradient of ${report.name}`,
    context,
    exclude: basis.exclude,
  });
  if (comparison.passed) return comparison;
  const count = (n: number) => `${n} element${n === 1 ? "" : "s"}`;
  let message = comparison.message.split("\n");
  const untested = basis.countedUntested ?? 0;
  if (untested > 0) countUntested(comparison, message, report, untested);
  // One element compared fits any factor: no hint from fewer than two.
  const compared = basis.compared?.reduce((sum, known) => sum + known, 0) ?? Infinity;
  if (compared < 2) message = message.filter((line) => !line.startsWith("  hint: "));
  const hintAt = message.findIndex((line) => line.startsWith("  hint: "));
  if (report.inBlocks > 0) {
    message.splice(
      hintAt === -1 ? message.length : hintAt,
      0,
      `  ${count(report.inBlocks)} agreed in blocks probed together, as closely as an exact gradient does (not compared one by one)`,
    );
  }
  const own = compared < 2 ? null : comparison.hint;
  const hint =
    own ??
    (basis.actual instanceof Tensor
      ? hintFromCompared(basis.actual, basis, [], context, session.settings.tolerance)
      : null);
  if (hint !== own && hint !== null) message.push(`  hint: ${hint.message}`);
  return { ...comparison, hint, message: message.join("\n") };
}

/**
 * A failure without a hint, compared again with the other inputs' gradients of its shape in
 * view, to see whether two gradients were swapped (or one returned twice). Run once every input
 * was checked: an input whose gradient passed on its probes stands in with that gradient (it
 * agrees with its central differences), another with what its own comparison compared (over the
 * elements known on both sides, when either left some out). No evaluation of f is made.
 */
function hintFromOtherInputs(
  session: Session,
  report: InputReport,
  reports: readonly InputReport[],
  analytic: readonly unknown[],
  bases: ReadonlyMap<InputReport, ComparisonBasis>,
): void {
  const { inputs, settings } = session;
  const comparison = report.comparison;
  const basis = bases.get(report);
  const shape = inputs[report.index]!.shape;
  if (basis === undefined || comparison === null || comparison.passed) return;
  if (comparison.hint !== null) return;
  if (!(basis.actual instanceof Tensor) || !sameShape(basis.actual.shape, shape)) return;
  const others = reports
    .filter((other) => other !== report && sameShape(inputs[other.index]!.shape, shape))
    .flatMap((other): PartlyKnown[] => {
      if (other.status === "passed" && other.comparison === null) {
        return [{ name: other.name, expected: analytic[other.index] as Tensor, compared: null }];
      }
      const seen = bases.get(other);
      if (seen === undefined) return [];
      return [{ name: other.name, expected: seen.expected, compared: seen.compared }];
    });
  if (others.length === 0) return;
  if (basis.compared === null && others.every((other) => other.compared === null)) {
    const again = compareBasis(session, report, basis, {
      ...settings.context,
      others: [...(settings.context.others ?? []), ...others],
    });
    report.comparison = again;
    report.message = again.message;
    return;
  }
  const hint = hintFromCompared(basis.actual, basis, others, settings.context, settings.tolerance);
  if (hint === null) return;
  report.comparison = {
    ...comparison,
    hint,
    message: `${comparison.message}\n  hint: ${hint.message}`,
  };
  report.message = report.comparison.message;
}

/** The message of an input whose only disagreements were left out. */
function describeInconclusive(report: InputReport, size: number): string {
  const count = (n: number) => `${n} element${n === 1 ? "" : "s"}`;
  const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);
  const { kinks, imprecise, notFiniteNearby, untested, notCompared } = report;
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
  if (notFiniteNearby.length > 0) {
    parts.push(
      `${count(notFiniteNearby.length)} ${verb(notFiniteNearby.length, "lies", "lie")} where f is not finite within the step of the point (at smaller steps neither), so no finite difference says anything there`,
    );
  }
  if (untested.length > 0) {
    parts.push(
      `${count(untested.length)} ${verb(untested.length, "differs", "differ")} but ${verb(untested.length, "was", "were")} not tested for a kink (the evaluations allowed, 2n + 1, ran out once another input had failed the check)`,
    );
  }
  if (notCompared.length > 0) {
    parts.push(
      `${count(notCompared.length)} ${verb(notCompared.length, "was", "were")} not compared within the evaluations allowed (2n + 1, torch's slow mode)`,
    );
  }
  const others =
    size -
    kinks.length -
    imprecise.length -
    notFiniteNearby.length -
    untested.length -
    notCompared.length;
  const agree = others > 0 ? `; the other ${count(others)} ${verb(others, "agrees", "agree")}` : "";
  // Re-drawing the input moves it away from a kink or the edge of f's domain; mode "full"
  // compares what was left out for want of evaluations.
  const next =
    kinks.length + imprecise.length + notFiniteNearby.length > 0
      ? "re-draw the input"
      : 'mode "full" compares every element';
  return `gradient of ${report.name}: inconclusive, ${parts.join(" and ")}${agree}; ${next}`;
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

/**
 * The gradient and the central differences of a full comparison, with the elements whose central
 * difference is unknown (f not finite within the step) set to 0 on both sides, as explainInput
 * sets elements not compared, and `compared` marking the others; unchanged when there are none.
 */
function withoutUnknown(
  gradient: unknown,
  expected: Tensor,
  unknown: readonly number[],
): { actual: unknown; expected: Tensor; compared: Uint8Array | null } {
  if (unknown.length === 0 || !(gradient instanceof Tensor)) {
    return { actual: gradient, expected, compared: null };
  }
  const actual = gradient.data.slice();
  const known = expected.data.slice();
  const compared = new Uint8Array(expected.size).fill(1);
  for (const j of unknown) {
    actual[j] = 0;
    known[j] = 0;
    compared[j] = 0;
  }
  return {
    actual: new Tensor(actual, gradient.shape),
    expected: new Tensor(known, expected.shape),
    compared,
  };
}

/** Equal element by element, NaN equal to NaN and -0 different from 0 (so any write shows). */
function sameData(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
