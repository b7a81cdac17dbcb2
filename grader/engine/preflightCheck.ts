import fc from "fast-check";
import type { Assignment, CheckDefinition } from "../authoring/types.js";
import { FloatPack } from "../sandbox/protocol/FloatPack.js";
import { toWirePayload } from "../sandbox/wireValues.js";
import { checkSeed } from "./checkSeed.js";
import { checkTolerance } from "./checkTolerance.js";
import { staffCode } from "./staffCode.js";

/**
 * Runs once, in the parent, the staff code of a check that needs no submission, as runCheck
 * would: the tolerance, one case drawn from the check's seed, that case's payload (made ready
 * for the child) and how the case is shown. A fault found here stops a grading before any child
 * starts (see gradeSubmission); one that shows only on some cases is still found by runCheck.
 */
export function preflightCheck(
  check: CheckDefinition,
  assignment: Assignment,
  options: { seed: number; revealHidden?: boolean },
): void {
  checkTolerance(check, assignment);
  const { staff, generationFault, show } = staffCode(check, assignment, options.revealHidden);
  let first: unknown[];
  try {
    first = fc.sample(check.cases, { seed: checkSeed(options.seed, check.id), numRuns: 1 });
  } catch (error) {
    throw generationFault(error, "generating");
  }
  for (const testCase of first) {
    staff("payload", () => toWirePayload(check.payload(testCase), new FloatPack()));
    show(testCase);
  }
}
