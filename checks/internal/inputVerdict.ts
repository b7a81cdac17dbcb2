/** An input's verdict from its per-element comparison, and the message that says it. */
import { Tensor } from "../../reference/tensor/index.js";
import { sameShape } from "../../reference/tensor/internal/shape.js";
import { type Comparison, compareTensors, type ExcludedElements } from "./compareTensors.js";
import type { DiagnoseContext } from "./diagnose.js";
import type { Session } from "./gradcheckSession.js";
import type { InputReport } from "./inputReport.js";
import { hintFromCompared, type PartlyKnown } from "./partialHints.js";

/** What a comparison compares, kept for a second one with the other inputs in view. */
export interface ComparisonBasis {
  name: string;
  actual: unknown;
  expected: Tensor;
  exclude: ExcludedElements[];
  /** 1 where the expected value is known (measured, or certified in a block); null: all are. */
  compared: Uint8Array | null;
  /** 1 where the central difference was measured. */
  measured: Uint8Array;
}

/** The report's verdict from its per-element comparison. */
export function settle(report: InputReport, comparison: Comparison, size: number): void {
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

export const KINK_REASON = "next to a kink";
export const NOT_FINITE_REASON = "where f is not finite within the step of the point";
export const IMPRECISE_REASON = "within the finite difference's own error (rounding, bend of f)";
export const UNTESTED_REASON =
  "differing but not tested for a kink (the evaluations allowed, 2n + 1, ran out once the check had failed)";
export const UNTESTED_COUNTED =
  "not tested for a kink (the check stops at 2n + 1 evaluations of f once it has failed)";
export const NOT_COMPARED_REASON =
  "not compared within the evaluations allowed (2n + 1, torch's slow mode)";

/**
 * The elements a report leaves out of its comparison, with the reasons: an element that differs
 * but was not tested for a kink is not counted as failing either (it may be next to one), unless
 * the input failed for sure on another (`failedForSure`): then it counts as differing, named as
 * not tested, after the worst elements that decided the failure.
 */
export function leftOut(report: InputReport, failedForSure = false): ExcludedElements[] {
  const untested = failedForSure
    ? { positions: report.untested, reason: UNTESTED_COUNTED, counted: true }
    : { positions: report.untested, reason: UNTESTED_REASON };
  return [
    { positions: report.kinks, reason: KINK_REASON },
    { positions: report.imprecise, reason: IMPRECISE_REASON },
    { positions: report.notFiniteNearby, reason: NOT_FINITE_REASON },
    untested,
    { positions: report.notCompared, reason: NOT_COMPARED_REASON },
  ];
}

/**
 * The per-element comparison of a basis, with `context` for the hints; in its message, before
 * the hint, how many elements were certified in blocks rather than compared one by one, and,
 * when elements were left out for want of evaluations, a hint from the compared ones.
 */
export function compareBasis(
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
export function hintFromOtherInputs(
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
export function describeInconclusive(report: InputReport, size: number): string {
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
