import { sanitize } from "../common/sanitize.js";
import type { CheckResult, GradeResult, ProblemResult } from "../model/results.js";
import type { Reporter, ReportOptions } from "./Reporter.js";
import { replayCommand } from "./terminalReporter.js";
import { detailsWithheld, formatPoints, shownDurationMs } from "./text.js";

/**
 * The runner result GitHub Classroom's `autograding-grading-reporter` reads: the JSON that the
 * official runners (autograding-io-grader, autograding-python-grader, ...) set, base64-encoded,
 * as their `result` output, and that the reporter takes from the `<ID>_RESULTS` environment
 * variable. The points Classroom records are the sum of `tests[].score` over `max_score`.
 * See README.md next to this file.
 */

export interface ClassroomTest {
  name: string;
  status: "pass" | "fail";
  score: number;
  /** null when passed (as the official runners do), else what went wrong. */
  message: string | null;
  test_code: string;
  filename: string;
  line_no: number;
  /** Milliseconds. */
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: "pass" | "fail";
  max_score: number;
  tests: ClassroomTest[];
}

/**
 * Keeps text from starting a line with `::`, which the Actions runner would read as a workflow
 * command when the reporter prints the message to the job log.
 */
function noWorkflowCommands(text: string): string {
  return text.replace(/^(\s*):(?=:)/gm, "$1: ");
}

function safe(text: string): string {
  return noWorkflowCommands(sanitize(text));
}

/** What went wrong, the counterexample and the replay command; null when passed. */
function message(result: GradeResult, check: CheckResult, options: ReportOptions): string | null {
  if (check.status === "passed") return null;
  const text = safe(check.message).trim();
  const parts = [text === "" ? check.status : text];
  if (check.counterexample !== null && check.counterexample.trim() !== "") {
    parts.push(`counterexample:\n${safe(check.counterexample).trimEnd()}`);
  }
  if (check.status !== "not-implemented" && !detailsWithheld(check)) {
    parts.push(`replay: ${safe(replayCommand(result, check, options))}`);
  }
  return parts.join("\n");
}

function toTest(
  result: GradeResult,
  problem: ProblemResult,
  check: CheckResult,
  options: ReportOptions,
): ClassroomTest {
  const points = `${formatPoints(check.score)}/${formatPoints(check.maxScore)} pts`;
  return {
    name: safe(`${check.id}: ${check.title} (${points})`),
    status: check.status === "passed" ? "pass" : "fail",
    score: check.score,
    message: message(result, check, options),
    test_code: safe(
      detailsWithheld(check) ? `hidden check ${check.id}` : replayCommand(result, check, options),
    ),
    filename: safe(`src/${problem.module}.ts`),
    line_no: 0,
    duration: shownDurationMs(check),
  };
}

/** The runner result for Classroom; checks that did not run (skipped) are left out. */
export function toClassroomResult(result: GradeResult, options: ReportOptions): ClassroomResult {
  const tests = result.problems.flatMap((problem) =>
    problem.checks
      .filter((check) => check.status !== "skipped")
      .map((check) => toTest(result, problem, check, options)),
  );
  return {
    version: 1,
    status: tests.every((test) => test.status === "pass") ? "pass" : "fail",
    max_score: result.maxScore,
    tests,
  };
}

/**
 * The value of the runner's `result` output (and so of `<ID>_RESULTS` for the reporter): the
 * compact JSON, base64-encoded as UTF-8.
 */
export function classroomOutput(
  result: GradeResult,
  options: ReportOptions = { color: false, command: "npx gradmark grade" },
): string {
  return Buffer.from(JSON.stringify(toClassroomResult(result, options)), "utf8").toString("base64");
}

/** Reads back what {@link classroomOutput} encodes, as the grading reporter does. */
export function parseClassroomOutput(encoded: string): ClassroomResult {
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as ClassroomResult;
}

/** `--format classroom`: the runner result JSON (base64 it into the step's `result` output). */
export const classroomReporter: Reporter = {
  name: "classroom",
  description: "GitHub Classroom runner result JSON (base64 it into the step's `result` output)",
  render(result, options) {
    return `${JSON.stringify(toClassroomResult(result, options), null, 2)}\n`;
  },
};
