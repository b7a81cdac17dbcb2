/**
 * gradcheck's per-element checks: every element in mode "full"; in directional mode, an
 * explanation of the probes that did not stand within 2n + 1 evaluations.
 */
import { Tensor } from "../../reference/tensor/index.js";
import { sameShape } from "../../reference/tensor/internal/shape.js";
import { blockKey, explainWithinBudget } from "./explainWithinBudget.js";
import type { CheckPlan, Session } from "./gradcheckSession.js";
import type { InputReport } from "./inputReport.js";
import { type ComparisonBasis, compareBasis, leftOut, settle } from "./inputVerdict.js";
import { JUDGEMENT_COST, leftOutElements } from "./leftOutElements.js";
import { diagonalOf } from "./partialHints.js";
import { comparedPerElement } from "./secondStage.js";

/**
 * The fewest evaluations a failing check is allowed in directional mode, whatever n: a failure
 * needs its element's central difference and its kink test (8 evaluations after the one at the
 * point), the probe that found it, and the halving that located the element. 2n + 1 covers that
 * from n = 10 on (a wrong element among 10 is located by 4 probes of blocks); below, a failing
 * check may cost this much.
 */
export const FEWEST_EVALUATIONS = 21;

/**
 * The per-element checks of the inputs their own looks did not settle. In directional mode
 * they share what is left of 2n + 1 evaluations in all (torch's slow mode, n the checked
 * elements; FEWEST_EVALUATIONS at least), each in proportion to its size, and an input that
 * needs less leaves the rest to the next; until one input failed, each gets at least enough for
 * a verdict (an element measured and judged: many small inputs can spend the 2n + 1 on their
 * probes alone). Returns what each comparison compared.
 */
export function checkPerElement(
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
export function checkAllElements(
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
export function explainInput(
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
  const basis = {
    name: report.name,
    actual: new Tensor(actual, input.shape),
    expected: new Tensor(expected, input.shape),
    exclude: leftOut(report, explanation.disagreeing.length > 0),
    compared: unknown.size > 0 ? compared : null,
    measured: differences.measured,
  };
  settle(report, compareBasis(session, report, basis), input.size);
  return basis;
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
