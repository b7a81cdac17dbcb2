import { sanitize } from "../common/sanitize.js";
import type { CheckResult, GradeResult, ProblemResult } from "../model/results.js";
import { statusWord } from "../model/statusWord.js";
import type { Reporter, ReportOptions } from "./Reporter.js";
import { replayCommand } from "./terminalReporter.js";
import {
  detailsWithheld,
  formatPoints,
  outputWithheld,
  plural,
  WITHHELD_OUTPUT_NOTE,
} from "./text.js";

/**
 * Gradescope's `results.json` ("Autograder Specifications", gradescope-autograders.readthedocs.io
 * /en/latest/specs/). Only documented fields are written; see README.md next to this file.
 */

/** When students see a test, as Gradescope names it. */
export type GradescopeVisibility = "hidden" | "after_due_date" | "after_published" | "visible";

/** The visibilities a hidden gradmark check may get (`visible` would not hide it). */
export const HIDDEN_VISIBILITIES = ["hidden", "after_due_date", "after_published"] as const;
export type HiddenVisibility = (typeof HIDDEN_VISIBILITIES)[number];

/** Hidden checks are shown to students when the instructor publishes the grades. */
export const DEFAULT_HIDDEN_VISIBILITY: HiddenVisibility = "after_published";

/** The environment variable that chooses the visibility of hidden checks (run_autograder sets it). */
export const HIDDEN_VISIBILITY_ENV = "GRADMARK_GRADESCOPE_HIDDEN";

export interface GradescopeTest {
  score: number;
  max_score: number;
  status: "passed" | "failed";
  name: string;
  number: string;
  output: string;
  tags: string[];
  visibility: GradescopeVisibility;
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  output_format: "text";
  test_output_format: "text";
  test_name_format: "text";
  extra_data: {
    gradmark: string;
    assignment: string;
    mode: "grade" | "check";
    seed: number | "secret";
  };
  tests: GradescopeTest[];
}

/**
 * The visibility of hidden checks: `GRADMARK_GRADESCOPE_HIDDEN` when set (and not empty), else
 * `after_published`. Any other value is an error, so a typo never shows hidden checks.
 */
export function hiddenVisibilityFromEnv(
  env: Record<string, string | undefined> = process.env,
): HiddenVisibility {
  const value = env[HIDDEN_VISIBILITY_ENV]?.trim();
  if (value === undefined || value === "") return DEFAULT_HIDDEN_VISIBILITY;
  if ((HIDDEN_VISIBILITIES as readonly string[]).includes(value)) return value as HiddenVisibility;
  throw new Error(
    `${HIDDEN_VISIBILITY_ENV} must be one of ${HIDDEN_VISIBILITIES.join(", ")}; got ${JSON.stringify(value)}`,
  );
}

/** What Gradescope shows under a test: status, message, counterexample, replay command. */
function testOutput(result: GradeResult, check: CheckResult, options: ReportOptions): string {
  if (check.status === "passed") return "";
  const parts = [`Result: ${statusWord(check.status)}`];
  const message = sanitize(check.message).trim();
  if (message !== "") parts.push(message);
  if (check.counterexample !== null && check.counterexample.trim() !== "") {
    parts.push(`Counterexample:\n${indent(sanitize(check.counterexample).trimEnd())}`);
  }
  if (check.status !== "not-implemented" && !detailsWithheld(check)) {
    parts.push(`Replay: ${sanitize(replayCommand(result, check, options))}`);
  }
  return parts.join("\n\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : `  ${line}`))
    .join("\n");
}

function toTest(
  result: GradeResult,
  problem: ProblemResult,
  check: CheckResult,
  options: ReportOptions,
  hiddenVisibility: HiddenVisibility,
): GradescopeTest {
  return {
    score: check.score,
    max_score: check.maxScore,
    status: check.status === "passed" ? "passed" : "failed",
    name: `${sanitize(check.id)}: ${sanitize(check.title)}`,
    number: sanitize(check.id),
    output: testOutput(result, check, options),
    tags: [sanitize(problem.id), check.status],
    visibility: check.hidden ? hiddenVisibility : "visible",
  };
}

/** At most this many lines of each output stream in the summary, each cut at OUTPUT_LINE_CHARS. */
const OUTPUT_LINES = 40;
const OUTPUT_LINE_CHARS = 300;

function submissionOutput(name: "stdout" | "stderr", text: string): string[] {
  const all = text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
  const shown = all
    .slice(0, OUTPUT_LINES)
    .map((line) =>
      line.length > OUTPUT_LINE_CHARS
        ? `${sanitize(line.slice(0, OUTPUT_LINE_CHARS))} [line cut]`
        : sanitize(line),
    );
  const lines = [
    `--- output of your submission (${name}), captured while grading, not part of the grade ---`,
    ...shown.map((line) => `| ${line}`.trimEnd()),
  ];
  if (all.length > shown.length) {
    lines.push(`| [${plural(all.length - shown.length, "more line")} not shown]`);
  }
  lines.push(`--- end of submission ${name} ---`);
  return lines;
}

function visibilityPhrase(visibility: HiddenVisibility): string {
  switch (visibility) {
    case "after_published":
      return "their results appear when the grades are published";
    case "after_due_date":
      return "their results appear after the due date";
    case "hidden":
      return "their results are not shown to students";
  }
}

/**
 * The text above the tests. It shows only what a student may see: with hidden checks among the
 * tests it counts visible checks and visible points only, never the total (which would reveal
 * the hidden results), and it never says that everything passed.
 */
function summary(
  result: GradeResult,
  ran: CheckResult[],
  options: ReportOptions,
  hiddenVisibility: HiddenVisibility,
): string {
  const seed = options.redactSeed ? "secret" : String(result.seed);
  const lines = [
    `gradmark ${sanitize(result.graderVersion)} · ${sanitize(result.assignment.title)} (${sanitize(result.assignment.id)}) · ${result.mode} · seed ${seed}`,
    "",
  ];
  const hiddenRan = ran.filter((c) => c.hidden);
  const visible = ran.filter((c) => !c.hidden);
  const sum = (checks: CheckResult[], pick: (c: CheckResult) => number) =>
    checks.reduce((total, c) => total + pick(c), 0);
  const points = (checks: CheckResult[]) =>
    `${formatPoints(sum(checks, (c) => c.score))}/${formatPoints(sum(checks, (c) => c.maxScore))}`;

  for (const problem of result.problems) {
    const run = problem.checks.filter((c) => c.status !== "skipped");
    if (run.length === 0) continue;
    const shown = run.filter((c) => !c.hidden);
    const hidden = run.length - shown.length;
    const passed = shown.filter((c) => c.status === "passed").length;
    const label = `${sanitize(problem.title)} (problem ${sanitize(problem.id)})`;
    if (hiddenRan.length === 0) {
      lines.push(`${label}: ${points(shown)} points, ${passed} of ${shown.length} checks passed`);
    } else {
      const extra = hidden > 0 ? ` (+ ${plural(hidden, "hidden check")})` : "";
      lines.push(
        `${label}: visible ${points(shown)} points, ${passed} of ${shown.length} visible checks passed${extra}`,
      );
    }
  }

  const visiblePassed = visible.filter((c) => c.status === "passed").length;
  lines.push("");
  if (hiddenRan.length === 0) {
    lines.push(
      `Score: ${formatPoints(result.score)}/${formatPoints(result.maxScore)} points; ${visiblePassed} of ${plural(visible.length, "check")} passed.`,
    );
  } else {
    lines.push(
      `Visible checks: ${visiblePassed} of ${visible.length} passed, ${points(visible)} points.`,
      `${plural(hiddenRan.length, "hidden check")} (${formatPoints(sum(hiddenRan, (c) => c.maxScore))} points) also ${hiddenRan.length === 1 ? "counts" : "count"} towards the score; ${visibilityPhrase(hiddenVisibility)}.`,
    );
  }
  if (result.hiddenSkipped > 0) {
    lines.push(
      `${plural(result.hiddenSkipped, "hidden check")} did not run (check mode); they count only when graded.`,
    );
  }
  const unselected = result.problems
    .flatMap((p) => p.checks)
    .filter((c) => c.status === "skipped").length;
  const notSelected = unselected - (result.mode === "check" ? result.hiddenSkipped : 0);
  if (notSelected > 0) lines.push(`${plural(notSelected, "check")} not selected by --only.`);

  if (options.showOutput ?? true) {
    for (const name of ["stdout", "stderr"] as const) {
      if (result.output[name] !== "")
        lines.push("", ...submissionOutput(name, result.output[name]));
    }
    if (outputWithheld(result)) lines.push("", WITHHELD_OUTPUT_NOTE);
  }
  return lines.join("\n");
}

/**
 * The Gradescope results object for a grading result. Checks that did not run (skipped) are left
 * out; hidden checks get `hiddenVisibility`, every other test `visible`.
 */
export function toGradescopeResults(
  result: GradeResult,
  options: ReportOptions,
  // The assignment's choice first, then the autograder's environment, then the default.
  hiddenVisibility: HiddenVisibility = options.hiddenVisibility ?? hiddenVisibilityFromEnv(),
): GradescopeResults {
  const tests: GradescopeTest[] = [];
  const ran: CheckResult[] = [];
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status === "skipped") continue;
      ran.push(check);
      tests.push(toTest(result, problem, check, options, hiddenVisibility));
    }
  }
  return {
    score: result.score,
    execution_time: Math.max(0, Math.round(result.durationMs / 1000)),
    output: summary(result, ran, options, hiddenVisibility),
    output_format: "text",
    test_output_format: "text",
    test_name_format: "text",
    extra_data: {
      gradmark: result.graderVersion,
      assignment: result.assignment.id,
      mode: result.mode,
      seed: options.redactSeed ? "secret" : result.seed,
    },
    tests,
  };
}

/** `--format gradescope`: the `results.json` Gradescope's autograder harness uploads. */
export const gradescopeReporter: Reporter = {
  name: "gradescope",
  description: `Gradescope results.json (hidden checks: $${HIDDEN_VISIBILITY_ENV}, default ${DEFAULT_HIDDEN_VISIBILITY})`,
  render(result, options) {
    return `${JSON.stringify(toGradescopeResults(result, options), null, 2)}\n`;
  },
};

const TOP_LEVEL_FIELDS = [
  "score",
  "execution_time",
  "output",
  "output_format",
  "test_output_format",
  "test_name_format",
  "visibility",
  "stdout_visibility",
  "extra_data",
  "tests",
  "leaderboard",
];
const TEST_FIELDS = [
  "score",
  "max_score",
  "status",
  "name",
  "name_format",
  "number",
  "output",
  "output_format",
  "tags",
  "visibility",
  "extra_data",
];
const FORMATS = ["text", "simple_format", "html", "md", "ansi"];
const VISIBILITIES = ["hidden", "after_due_date", "after_published", "visible"];

/**
 * What is wrong with `value` as a Gradescope results.json, checked against the documented fields
 * and their types ("Autograder Specifications"); an empty list when nothing is. For tests and
 * for checking a results file before it is handed to Gradescope.
 */
export function gradescopeResultsProblems(value: unknown): string[] {
  const problems: string[] = [];
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  const isNumber = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  if (!isObject(value)) return ["results must be a JSON object"];
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_FIELDS.includes(key)) problems.push(`unknown top-level field ${key}`);
  }
  if (value.score === undefined && !Array.isArray(value.tests)) {
    problems.push("a top-level score or tests is required");
  }
  if (value.score !== undefined && !isNumber(value.score)) problems.push("score must be a number");
  if (
    value.execution_time !== undefined &&
    !(isNumber(value.execution_time) && (value.execution_time as number) >= 0)
  ) {
    problems.push("execution_time must be a number of seconds");
  }
  if (value.output !== undefined && typeof value.output !== "string") {
    problems.push("output must be a string");
  }
  for (const key of ["output_format", "test_output_format", "test_name_format"]) {
    if (value[key] !== undefined && !FORMATS.includes(value[key] as string)) {
      problems.push(`${key} must be one of ${FORMATS.join(", ")}`);
    }
  }
  for (const key of ["visibility", "stdout_visibility"]) {
    if (value[key] !== undefined && !VISIBILITIES.includes(value[key] as string)) {
      problems.push(`${key} must be one of ${VISIBILITIES.join(", ")}`);
    }
  }
  if (value.extra_data !== undefined && !isObject(value.extra_data)) {
    problems.push("extra_data must be an object");
  }
  if (value.tests === undefined) return problems;
  if (!Array.isArray(value.tests)) return [...problems, "tests must be an array"];
  value.tests.forEach((test: unknown, i) => {
    const at = `tests[${i}]`;
    if (!isObject(test)) {
      problems.push(`${at} must be an object`);
      return;
    }
    for (const key of Object.keys(test)) {
      if (!TEST_FIELDS.includes(key)) problems.push(`${at}: unknown field ${key}`);
    }
    if (value.score === undefined && test.score === undefined) {
      problems.push(`${at}: score is required without a top-level score`);
    }
    for (const key of ["score", "max_score"]) {
      if (test[key] !== undefined && !isNumber(test[key]))
        problems.push(`${at}.${key} must be a number`);
    }
    if (test.status !== undefined && test.status !== "passed" && test.status !== "failed") {
      problems.push(`${at}.status must be "passed" or "failed"`);
    }
    for (const key of ["name", "number", "output"]) {
      if (test[key] !== undefined && typeof test[key] !== "string") {
        problems.push(`${at}.${key} must be a string`);
      }
    }
    for (const key of ["name_format", "output_format"]) {
      if (test[key] !== undefined && !FORMATS.includes(test[key] as string)) {
        problems.push(`${at}.${key} must be one of ${FORMATS.join(", ")}`);
      }
    }
    if (
      test.tags !== undefined &&
      !(Array.isArray(test.tags) && test.tags.every((tag) => typeof tag === "string"))
    ) {
      problems.push(`${at}.tags must be a list of strings`);
    }
    if (test.visibility !== undefined && !VISIBILITIES.includes(test.visibility as string)) {
      problems.push(`${at}.visibility must be one of ${VISIBILITIES.join(", ")}`);
    }
    if (test.extra_data !== undefined && !isObject(test.extra_data)) {
      problems.push(`${at}.extra_data must be an object`);
    }
  });
  return problems;
}
