import type { CheckDefinition, JudgeContext } from "../authoring/types.js";
import type { Outcome } from "../sandbox/protocol/messages.js";
import { fromWireResult } from "../sandbox/wireValues.js";
import { findNonFinite, nonFiniteFailure } from "./nonFiniteGuard.js";
import type { CheckRun } from "./runCheck.js";

/** A verdict on one case: how it ended, and the message for the student. */
export interface Judged {
  status: CheckRun["status"];
  message: string;
}

/** The verdict on a case that passed. */
export const PASSED: Judged = { status: "passed", message: "" };

/**
 * The verdict on one outcome of a batch that ran: the student's error as the student should
 * see it, or, for a result, what `judge` (the check's judge run as staff code, see staffCode)
 * says of it. A result holding NaN or Infinity fails whatever the judge says.
 */
export function judgeOutcome(
  check: CheckDefinition,
  testCase: unknown,
  outcome: Outcome,
  floats: Float64Array,
  context: JudgeContext,
  srcDir: string,
  mapStack: ((stack: string) => string) | undefined,
  judge: CheckDefinition["judge"],
): Judged {
  switch (outcome.kind) {
    case "not-implemented":
      return {
        status: "not-implemented",
        message: 'not implemented yet (it throws "not implemented")',
      };
    case "load-error":
      return { status: "error", message: `could not load ${outcome.message}` };
    case "threw": {
      const message = `threw ${outcome.name}: ${outcome.message}${studentFrames(mapStack ? mapStack(outcome.stack) : outcome.stack, srcDir)}`;
      let note: string | null = null;
      try {
        note = check.threwNote?.(message) ?? null;
      } catch {
        // A note is a courtesy: the grader's bug in one must not hide the student's error.
      }
      return { status: "error", message: note ? `${message}\n  ${note}` : message };
    }
    case "ok": {
      let result: unknown;
      try {
        result = fromWireResult(outcome.value, floats);
      } catch (error) {
        return {
          status: "error",
          message: `the grader could not judge this result: ${(error as Error).message}`,
        };
      }
      // No NaN or Infinity ever passes a judge: a result holding one fails, whatever the judge
      // says (its own message is kept when it failed too, since it knows the names).
      const nonFinite = findNonFinite(result);
      if (nonFinite !== null) {
        let judged: Parameters<typeof nonFiniteFailure>[1];
        try {
          judged = check.judge(testCase, result, context);
        } catch {
          // A judge may well choke on NaN or Infinity: the result fails all the same.
          judged = { threw: true };
        }
        return { status: "failed", message: nonFiniteFailure(nonFinite, judged) };
      }
      // A judge that throws is the assignment's fault, not the student's: `judge` throws an
      // AssignmentError then, which stops the grading.
      const verdict = judge(testCase, result, context);
      return verdict.pass ? PASSED : { status: "failed", message: verdict.message };
    }
  }
}

/** The stack frames that point into the submission's own files, as src/... paths. */
function studentFrames(stack: string, srcDir: string): string {
  const frames = stack
    .split("\n")
    .filter((line) => line.includes(srcDir))
    .slice(0, 3)
    .map((line) => `\n    ${line.trim().replaceAll(`${srcDir}/`, "src/").replace(/^at /, "at ")}`);
  return frames.join("");
}
