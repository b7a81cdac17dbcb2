import type { Tensor } from "../../reference/tensor/index.js";
import { isClose, type Tolerance } from "./close.js";
import { directionalProbe } from "./directionalProbe.js";
import { ElementDifferences } from "./elementDifferences.js";
import { exactRounding } from "./kink.js";
import { type ElementVerdict, JUDGEMENT_COST, judgeElement } from "./leftOutElements.js";
import type { Sample } from "./sample.js";
import { halves } from "./secondStage.js";

/**
 * A probe of a block of elements taken as an equation on the gradient: N - A along the block's
 * weights, and the bound an exact gradient keeps it within (probeLine's `residual`, `bound`).
 */
export interface BlockResidual {
  residual: number;
  bound: number;
}

/** Where the explanation starts: a block, and its probe when one was made. */
export interface ExplanationRoot {
  elements: number[];
  known: BlockResidual | null;
}

export interface ExplanationSetup {
  gradient: Tensor;
  input: Tensor;
  tolerance: Tolerance;
  relativeStep: number;
  /** The sample at the point, and f with the input's data replaced. */
  base: Sample;
  phiAt: (x: Float64Array) => Sample;
  /**
   * Each element's weight in a block's probe, at least 1 in size: the direction of the root's
   * probe, so that a block's equation and its half's give the other half's by difference.
   */
  weights: Float64Array;
  roots: readonly ExplanationRoot[];
  /** Probes made before (the second stage's), by their elements. */
  probed: (elements: readonly number[]) => BlockResidual | null;
  /** Halve blocks to locate the elements (false: measure them in the roots' order). */
  narrow: boolean;
  /** The evaluations of f it may make. */
  budget: number;
  /**
   * The check failed already (on another input): no evaluations are kept for a judgement, and
   * differing elements are judged only with what is left once all were measured.
   */
  decided: boolean;
  /**
   * Whether comparing these many elements one by one costs no more than looking for the wrong
   * ones among them would (then they are, when the budget allows: a complete comparison).
   */
  fewEnough: (elements: number) => boolean;
  /**
   * Elements to measure after the others of their blocks (1), so that those the budget leaves
   * out are these: gradcheck marks the diagonal of a square input's last two axes, whose absence
   * breaks no pair of a transposed gradient's hint.
   */
  measureLast: Uint8Array;
  /**
   * Elements to measure before the others (after located ones): gradcheck marks those another
   * input of this shape measured, so that a hint can compare the two (a swapped gradient).
   */
  measureFirst: Uint8Array;
  /** Every block probe it makes, for the report. */
  record: (elements: number, numerical: number, analytic: number) => void;
}

/** What the explanation found, element by element. */
export interface Explanation {
  /** The central differences it measured (2 evaluations each). */
  differences: ElementDifferences;
  /** 1 where the element agreed within a block probe as closely as an exact gradient does. */
  certified: Uint8Array;
  kinks: number[];
  imprecise: number[];
  /** Elements where f is not finite within the steps tried (stepRefinement.ts): left out. */
  notFiniteNearby: number[];
  /** Elements that differ and were judged not to be next to a kink: each fails the input. */
  disagreeing: number[];
  /** Elements that differ but were not judged: the budget ran out after a failure was certain. */
  unjudged: number[];
  /**
   * Elements neither measured nor certified, or measured where f is not finite at x ± h and not
   * judged at a smaller step: the budget ran out.
   */
  notCompared: number[];
}

/**
 * Explains a directional check that did not stand, within a budget of evaluations: which
 * elements differ from their central differences, which of those are next to a kink (kink.ts),
 * and which fail the input. torch's slow mode, the bar of issue 17, pays 2 evaluations per
 * element; so does comparing every element, and the kink test of even one (up to JUDGEMENT_COST
 * more) would overrun it. So the elements are not all compared one by one:
 *
 * - Blocks are split in halves: the first half probed along the weights (2 evaluations; a half
 *   of one element is that element's central difference), the second one's residual taken as
 *   the block's minus the first half's, with the sum of their bounds. A half within the bound
 *   of an exact gradient is certified: its elements stand, as a gradient stands on exact probes
 *   (a wrong element moves the sum by its whole error times a weight of at least 1).
 * - Until a failure is found, the search follows the most suspicious block down to the element
 *   behind it (about log2(n) probes for one wrong element among n), which is measured and
 *   judged at once. Where both halves are suspicious, one element of the more suspicious half
 *   is measured: if it differs, the errors are spread over the block (or it holds kinks, or f
 *   bends), and its elements are compared one by one; if it agrees, the search goes on.
 * - Once an input failed, halving goes on where it certifies the most for its cost, and blocks
 *   whose halves both are suspicious are compared one by one.
 * - What is left is measured as far as the budget goes (few enough elements, all of them). While
 *   nothing failed, a judgement's worth of evaluations is always kept, so that a failure can be
 *   told from a kink; after, differing elements are judged, worst first, with what is left. A
 *   judgement's smaller steps (stepRefinement.ts) take what the budget has left beyond that.
 *
 * No correct gradient fails for want of evaluations: an element fails the input only when its
 * judgement says so; what was not measured or not judged is reported as such (`notCompared`,
 * `unjudged`), and a wrong gradient may then end inconclusive, never passed. The budget gives
 * way only where nothing failed and no kink was seen when it ran out: every element that is
 * neither certified nor measured yet is then measured and judged, until one fails.
 */
export function explainWithinBudget(setup: ExplanationSetup): Explanation {
  const { gradient, input, tolerance, weights } = setup;
  let spent = 0;
  const phiAt = (x: Float64Array): Sample => {
    spent++;
    return setup.phiAt(x);
  };
  const differences = new ElementDifferences(input, setup.relativeStep, phiAt);
  const certified = new Uint8Array(input.size);
  const kinks: number[] = [];
  const imprecise: number[] = [];
  const notFiniteNearby: number[] = [];
  const disagreeing: number[] = [];
  const deferred: number[] = [];
  const failed = () => setup.decided || disagreeing.length > 0;
  const reserve = () => (failed() ? 0 : JUDGEMENT_COST);
  const affordable = (cost: number) => spent + cost + reserve() <= setup.budget;
  // What a judgement may spend: the rest of the budget (at least the JUDGEMENT_COST kept for
  // it), or, past the budget, all it takes.
  let pastBudget = false;

  // Judgements that stopped for want of evaluations while nothing had failed, with what they
  // found so far: finished past the budget, where it gives way (below), else taken as found.
  // Finishing one starts from the step it had reached (judgeElement left it in `numerical`).
  const unfinished = new Map<number, ElementVerdict>();
  const classify = (j: number, verdict: ElementVerdict) => {
    if (verdict === "kink") kinks.push(j);
    else if (verdict === "imprecise") imprecise.push(j);
    else if (verdict === "notFinite") notFiniteNearby.push(j);
    else if (verdict === "disagrees") disagreeing.push(j);
  };
  const judge = (j: number) => {
    const { verdict, unfinished: stopped } = judgeElement(
      j,
      gradient,
      input,
      differences.numerical,
      setup,
      setup.base,
      phiAt,
      pastBudget ? undefined : Math.max(JUDGEMENT_COST, setup.budget - spent),
    );
    if (stopped && !failed()) unfinished.set(j, verdict);
    else classify(j, verdict);
  };
  const agrees = (j: number, numerical: number) =>
    isClose(gradient.data[j]!, numerical, tolerance.atol, tolerance.rtol);
  // The central difference of element j: at the step its judgement decided at, if it took one.
  const measure = (j: number): number => {
    const numerical = differences.measure(j);
    // NaN and Infinity in the gradient are never excused, so never judged.
    if (!Number.isFinite(gradient.data[j]!)) disagreeing.push(j);
    else if (!agrees(j, numerical)) {
      if (failed()) deferred.push(j);
      else judge(j);
    }
    return differences.numerical.expected.data[j]!;
  };

  // The probe of a block: of one element, its central difference (the same samples).
  const probe = (elements: readonly number[]): BlockResidual => {
    if (elements.length === 1) {
      const j = elements[0]!;
      const numerical = measure(j);
      const { plus, minus, steps } = differences.numerical;
      return {
        residual: weights[j]! * (numerical - gradient.data[j]!),
        bound: Math.abs(weights[j]!) * exactRounding(plus[j]!.scale, minus[j]!.scale, steps[j]!),
      };
    }
    const direction = new Float64Array(input.size);
    for (const j of elements) direction[j] = weights[j]!;
    // Its smaller steps, where f is not finite at the first, keep the element's measurement and
    // the judgement's reserve that follow it.
    const line = directionalProbe(gradient, input, setup, direction, setup.base, phiAt, {
      judge: false,
      refine: false,
      allowance: setup.budget - spent - reserve() - 2,
    });
    setup.record(elements.length, line.numerical, line.analytic);
    return { residual: line.residual, bound: line.bound };
  };

  const pending: Pending[] = [];
  const settle = (elements: number[], known: BlockResidual | null, spread: boolean) => {
    if (known !== null && isExact(known)) {
      for (const j of elements) certified[j] = 1;
    } else if (!(elements.length === 1 && differences.measured[elements[0]!] === 1)) {
      pending.push({ elements, known, spread });
    }
  };
  for (const root of setup.roots) {
    settle(root.elements, root.known ?? setup.probed(root.elements), false);
  }

  // Narrow down until the elements left are few enough to compare them all: before a failure,
  // the most suspicious block, down to the element behind it (measured and judged at once);
  // after one, the widest block (probing it, or its first half, settles the most).
  while (setup.narrow) {
    const left = pending.reduce((sum, block) => sum + block.elements.length, 0);
    if (setup.fewEnough(left) && affordable(2 * left)) break;
    const next = failed() ? widestToNarrow(pending) : mostSuspicious(pending);
    if (next === null) break;
    if (next.elements.length === 1) {
      if (!affordable(2)) break;
      pending.splice(pending.indexOf(next), 1);
      measure(next.elements[0]!);
      continue;
    }
    // A probe, and still an element's measurement (and its judgement) after it.
    if (!affordable(4)) break;
    pending.splice(pending.indexOf(next), 1);
    if (next.known === null) {
      settle(next.elements, setup.probed(next.elements) ?? probe(next.elements), false);
      continue;
    }
    // Of 3 elements, the first alone: its probe is its measurement, and it finds the element
    // behind the block as soon as halving would, or sooner.
    const [first, second] =
      next.elements.length === 3
        ? [next.elements.slice(0, 1), next.elements.slice(1)]
        : halves(next.elements);
    const knownFirst = setup.probed(first) ?? probe(first);
    const knownSecond = setup.probed(second) ?? difference(next.known, knownFirst);
    // Both halves not exact: errors spread over the block (or kinks, or the bend of f), where
    // comparing the elements costs less than halving further, or one wrong element in each.
    // Before a failure, an element of the more suspicious half tells: it differs (and is judged,
    // often the failure) when they are spread; when it agrees, the search goes on there.
    let spread = !isExact(knownFirst) && knownSecond !== null && !isExact(knownSecond);
    if (spread && !failed()) {
      const half = suspicionOf(knownFirst) >= suspicionOf(knownSecond!) ? first : second;
      const j = half.find((k) => setup.measureLast[k] === 0) ?? half[0]!;
      spread = differences.measured[j] === 0 && affordable(2) && !agrees(j, measure(j));
    }
    settle(first, knownFirst, spread);
    settle(second, knownSecond, spread);
  }

  // Measure what is left as far as the budget goes: located elements and those whose gradient
  // is not finite first, then those to measure first, then the blocks narrowing did not finish,
  // the most suspicious first, then the blocks of spread errors, where nothing is more
  // suspicious than anything else, in the order of the elements (inputs of one shape so compare
  // the same ones: a hint compares them), those to measure last at the end.
  const ranks: number[][] = [[], [], [], [], []];
  for (const block of pending.slice().sort(bySuspicion)) {
    for (const j of block.elements) {
      if (block.elements.length === 1 || !Number.isFinite(gradient.data[j]!)) ranks[0]!.push(j);
      else if (setup.measureFirst[j] === 1) ranks[1]!.push(j);
      else if (setup.measureLast[j] === 1) ranks[4]!.push(j);
      else ranks[block.spread ? 3 : 2]!.push(j);
    }
  }
  ranks[3]!.sort((a, b) => a - b);
  ranks[4]!.sort((a, b) => a - b);
  const ranked = ranks.flat();
  for (const j of ranked) {
    if (differences.measured[j] === 1) continue;
    if (!affordable(2)) break;
    measure(j);
  }
  // Past the budget while nothing failed and no kink was seen: the elements so far were all
  // within the finite difference's own error (a function whose rounding is large, exp near
  // 700), and a doubled gradient would otherwise end inconclusive where comparing the rest
  // finds the element that fails it. A kink ends the check inconclusive anyway, and re-drawing
  // the point (gradcheckProperty does) moves away from it, so it does not pay for the rest; so
  // does an element where f is not finite within the steps tried. A judgement the budget cut
  // short saw no kink yet: it is finished first. Judgements here take all the smaller steps
  // they need: a correct gradient at small inputs passes on them.
  pastBudget = true;
  const stopsPastBudget = () => failed() || kinks.length > 0 || notFiniteNearby.length > 0;
  for (const j of [...unfinished.keys()]) {
    if (stopsPastBudget()) break;
    unfinished.delete(j);
    judge(j);
  }
  for (const j of ranked) {
    if (stopsPastBudget()) break;
    if (differences.measured[j] === 0) measure(j);
  }
  pastBudget = false;
  for (const [j, verdict] of unfinished) classify(j, verdict);
  // Worst first; a central difference that is not finite last (its judgement takes smaller
  // steps, and it is no more a failure than the others).
  const errorOf = (j: number) => {
    const error = Math.abs(gradient.data[j]! - differences.numerical.expected.data[j]!);
    return Number.isFinite(error) ? error : -1;
  };
  deferred.sort((a, b) => errorOf(b) - errorOf(a));
  const unjudged: number[] = [];
  const notCompared: number[] = [];
  for (const j of deferred) {
    if (affordable(JUDGEMENT_COST)) judge(j);
    else if (Number.isFinite(differences.numerical.expected.data[j]!)) unjudged.push(j);
    else {
      // f not finite at x ± h, and no evaluations left for a smaller step: no central
      // difference at all, so not compared (its values decide nothing, and are forgiven).
      differences.numerical.plus[j]!.forgive?.();
      differences.numerical.minus[j]!.forgive?.();
      notCompared.push(j);
    }
  }
  for (let j = 0; j < input.size; j++) {
    if (certified[j] === 0 && differences.measured[j] === 0) notCompared.push(j);
  }
  notCompared.sort((a, b) => a - b);
  return {
    differences,
    certified,
    kinks,
    imprecise,
    notFiniteNearby,
    disagreeing,
    unjudged,
    notCompared,
  };
}

/**
 * A block's key among the probes of one input's blocks: its first element and its size (a block
 * and its first half share the first element, never the size).
 */
export function blockKey(elements: readonly number[]): string {
  return `${elements[0]}:${elements.length}`;
}

/** A block still to be explained: its probe's residual, if known. */
interface Pending {
  elements: number[];
  known: BlockResidual | null;
  /** Its sibling half was not exact either: compared element by element, not halved. */
  spread: boolean;
}

/** Within the bound of an exact gradient (nothing that is not finite is). */
function isExact(known: BlockResidual): boolean {
  return Math.abs(known.residual) <= known.bound;
}

/** The second half's equation: the block's minus the first half's; null when not finite. */
function difference(block: BlockResidual, first: BlockResidual): BlockResidual | null {
  const residual = block.residual - first.residual;
  const bound = block.bound + first.bound;
  return Number.isFinite(residual) && Number.isFinite(bound) ? { residual, bound } : null;
}

/**
 * The most suspicious block not known to hold spread errors (a single element among them:
 * located, to be measured), the widest among equals; null when none is left.
 */
function mostSuspicious(pending: readonly Pending[]): Pending | null {
  let best: Pending | null = null;
  for (const block of pending) {
    if (block.spread) continue;
    if (
      best === null ||
      suspicion(block) > suspicion(best) ||
      (suspicion(block) === suspicion(best) && block.elements.length > best.elements.length)
    ) {
      best = block;
    }
  }
  return best;
}

/** The widest block that can still be probed or halved (most suspicious among equals). */
function widestToNarrow(pending: readonly Pending[]): Pending | null {
  let best: Pending | null = null;
  for (const block of pending) {
    if (block.spread || block.elements.length < 2) continue;
    if (
      best === null ||
      block.elements.length > best.elements.length ||
      (block.elements.length === best.elements.length && suspicion(block) > suspicion(best))
    ) {
      best = block;
    }
  }
  return best;
}

/** Smallest first (a single element left is a located one), then by suspicion. */
function bySuspicion(a: Pending, b: Pending): number {
  return a.elements.length - b.elements.length || suspicion(b) - suspicion(a);
}

/** |residual| over the exact bound; -1 for a block not probed (nothing known against it). */
function suspicion(block: Pending): number {
  return block.known === null ? -1 : suspicionOf(block.known);
}

function suspicionOf({ residual, bound }: BlockResidual): number {
  if (!Number.isFinite(residual)) return Number.POSITIVE_INFINITY;
  return bound > 0 ? Math.abs(residual) / bound : Number.POSITIVE_INFINITY;
}
