import { showValue } from "../authoring/judge.js";
import type { Assignment, CheckDefinition, Verdict } from "../authoring/types.js";
import { AssignmentError, describeThrown } from "../common/AssignmentError.js";

/** A check's staff code, run so that what it throws is charged to the assignment. */
export interface StaffCode {
  /** The AssignmentError, naming the check, of a fault described by `what`. */
  fault: (what: string) => AssignmentError;
  /** Runs `run`, one `part` of the staff code ("payload", "judge"...). */
  staff: <T>(part: string, run: () => T) => T;
  /** The AssignmentError of what the check's arbitrary threw while `when`. */
  generationFault: (error: unknown, when: string) => AssignmentError;
  /** The case as reports print it (the check's `show`, else showValue). */
  show: (testCase: unknown) => string;
  /** The check's judge, whose answer must be a verdict. */
  judge: CheckDefinition["judge"];
}

/** Runs the parts of a check's staff code; what they throw is the assignment's fault. */
export function staffCode(
  check: CheckDefinition,
  assignment: Assignment,
  revealHidden = false,
): StaffCode {
  const withhold = (check.hidden ?? false) && !revealHidden;
  const fault = (what: string) => new AssignmentError(assignment, check.id, what);
  const staff = <T>(part: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof AssignmentError) throw error;
      throw fault(`its ${part} threw ${describeThrown(error, { withhold })}`);
    }
  };
  const generationFault = (error: unknown, when: string) =>
    error instanceof AssignmentError
      ? error
      : fault(
          `its cases (the fast-check arbitrary) threw while ${when}: ${describeThrown(error, { withhold })}`,
        );
  const show = (testCase: unknown) => staff("show", () => (check.show ?? showValue)(testCase));
  const judge: CheckDefinition["judge"] = (testCase, result, context) =>
    staff("judge", () => {
      const verdict = check.judge(testCase, result, context) as unknown;
      const pass = (verdict as { pass?: unknown } | null)?.pass;
      if (
        pass === true ||
        (pass === false && typeof (verdict as { message?: unknown }).message === "string")
      )
        return verdict as Verdict;
      throw fault(
        `its judge returned ${describeVerdict(verdict)}, not a verdict ({ pass: true } or { pass: false, message })`,
      );
    });
  return { fault, staff, generationFault, show, judge };
}

/** What a judge returned instead of a verdict, in a few words. */
function describeVerdict(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return `the ${typeof value} ${String(value).slice(0, 40)}`;
  return `an object with pass ${JSON.stringify((value as { pass?: unknown }).pass) ?? "undefined"}`;
}
