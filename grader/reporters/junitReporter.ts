import { sanitize } from "../common/sanitize.js";
import type { CheckResult, CheckStatus, GradeResult, ProblemResult } from "../model/results.js";
import type { Reporter, ReportOptions } from "./Reporter.js";
import { replayCommand } from "./terminalReporter.js";
import {
  detailsWithheld,
  formatPoints,
  outputWithheld,
  shownDurationMs,
  WITHHELD_OUTPUT_NOTE,
} from "./text.js";

/**
 * Characters XML 1.0 does not allow even as character references, left after `sanitize` (which
 * already writes C0/C1 controls as `\xNN`): lone surrogates and U+FFFE, U+FFFF.
 */
const NOT_XML =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g;

/** Format characters and combining marks: invisible, and ignored by some string comparisons. */
const INVISIBLE = "[\\p{Cf}\\p{Mn}\\p{Me}]";
/** A line whose first visible character is `:` (after spaces and invisible characters). */
const LINE_START_COLON = new RegExp(`^((?:\\s|${INVISIBLE})*):`, "gmu");

/**
 * Text from the result as XML character data. Control characters become visible escapes
 * (`\x1b`), characters XML 1.0 forbids become `\uFFFE`-style escapes, markup characters become
 * entities. Besides, every `#` and a `:` that starts a line are written as character references,
 * so the file contains no GitHub Actions workflow command (`::cmd::` at a line start, `##[cmd]`
 * anywhere) even when someone prints it in a CI log; XML parsers read the same text.
 */
export function xmlText(text: string): string {
  return sanitize(text)
    .replace(NOT_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/#/g, "&#35;")
    .replace(LINE_START_COLON, "$1&#58;");
}

/** An attribute value (without the quotes): xmlText on one line, line breaks and tabs kept. */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${xmlAttr(String(value))}"`)
    .join("");
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

type Kind = "passed" | "failure" | "error" | "skipped";

/** failed and not-implemented are failures; the ways a run can die are errors. */
const KIND: Record<CheckStatus, Kind> = {
  passed: "passed",
  failed: "failure",
  "not-implemented": "failure",
  error: "error",
  timeout: "error",
  "memory-limit": "error",
  crashed: "error",
  skipped: "skipped",
};

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(checks: CheckResult[]): Counts {
  const kinds = checks.map((c) => KIND[c.status]);
  return {
    tests: checks.length,
    failures: kinds.filter((k) => k === "failure").length,
    errors: kinds.filter((k) => k === "error").length,
    skipped: kinds.filter((k) => k === "skipped").length,
  };
}

function skipReason(result: GradeResult, check: CheckResult): string {
  return check.hidden && result.mode === "check"
    ? "hidden check: runs only when graded (gradmark grade)"
    : "not selected by --only";
}

/** What a CI page shows under a failed test case: message, counterexample, replay command. */
function details(result: GradeResult, check: CheckResult, options: ReportOptions): string {
  const parts = [check.message.replace(/\n+$/, "")];
  // A check not implemented yet has nothing to replay or explain.
  if (check.status !== "not-implemented") {
    if (check.counterexample !== null && check.counterexample.trim() !== "") {
      parts.push(`counterexample:\n${check.counterexample.replace(/\n+$/, "")}`);
    }
    if (!detailsWithheld(check)) parts.push(`replay: ${replayCommand(result, check, options)}`);
  }
  return parts.filter((part) => part !== "").join("\n\n");
}

function testcase(
  result: GradeResult,
  problem: ProblemResult,
  check: CheckResult,
  options: ReportOptions,
): string {
  const head = `    <testcase${attrs({
    name: `${check.id}: ${check.title}`,
    classname: `${result.assignment.id}.${problem.module}`,
    time: seconds(shownDurationMs(check)),
  })}`;
  const kind = KIND[check.status];
  if (kind === "passed") return `${head}/>`;
  if (kind === "skipped") {
    return `${head}>\n      <skipped${attrs({ message: skipReason(result, check) })}/>\n    </testcase>`;
  }
  const element = kind === "failure" ? "failure" : "error";
  const message = check.message.trim() === "" ? check.status : check.message.replace(/\n+$/, "");
  return [
    `${head}>`,
    `      <${element}${attrs({ message, type: check.status })}>${xmlText(
      details(result, check, options),
    )}</${element}>`,
    "    </testcase>",
  ].join("\n");
}

function properties(values: Record<string, string | number>, indent: string): string[] {
  return [
    `${indent}<properties>`,
    ...Object.entries(values).map(
      ([name, value]) => `${indent}  <property${attrs({ name, value: String(value) })}/>`,
    ),
    `${indent}</properties>`,
  ];
}

function testsuite(
  result: GradeResult,
  problem: ProblemResult,
  options: ReportOptions,
  output: boolean,
): string[] {
  const counts = count(problem.checks);
  const time = problem.checks.reduce((sum, c) => sum + Math.max(0, shownDurationMs(c)), 0);
  const lines = [
    `  <testsuite${attrs({
      name: `${problem.id}: ${problem.title}`,
      ...counts,
      time: seconds(time),
    })}>`,
    ...properties(
      {
        assignment: result.assignment.id,
        problem: problem.id,
        module: problem.module,
        score: formatPoints(problem.score),
        maxScore: formatPoints(problem.maxScore),
        mode: result.mode,
        seed: options.redactSeed ? "$GRADMARK_SEED" : String(result.seed),
        graderVersion: result.graderVersion,
      },
      "    ",
    ),
    ...problem.checks.map((check) => testcase(result, problem, check, options)),
  ];
  if (output) {
    const label = `[gradmark] what the submission printed while graded (all problems), not part of the grade${
      outputWithheld(result) ? `\n[gradmark] ${WITHHELD_OUTPUT_NOTE}` : ""
    }`;
    for (const [element, text] of [
      ["system-out", result.output.stdout],
      ["system-err", result.output.stderr],
    ] as const) {
      if (text !== "") lines.push(`    <${element}>${xmlText(`${label}\n${text}`)}</${element}>`);
    }
  }
  lines.push("  </testsuite>");
  return lines;
}

/**
 * JUnit XML, as Jenkins, GitLab, Azure and the JUnit test-report actions read it: one
 * `<testsuite>` per problem, one `<testcase>` per check. `failed` and `not-implemented` are
 * `<failure>`s, `error`/`timeout`/`memory-limit`/`crashed` are `<error>`s (the status in `type`),
 * checks not run are `<skipped/>`. Scores are `<properties>` of each suite. What the submission
 * printed goes, escaped, in the first suite's `<system-out>`/`<system-err>`.
 */
export const junitReporter: Reporter = {
  name: "junit",
  description: "JUnit XML: one testsuite per problem, one testcase per check",
  render(result: GradeResult, options: ReportOptions): string {
    const all = count(result.problems.flatMap((problem) => problem.checks));
    const showOutput = options.showOutput ?? true;
    const lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites${attrs({
        name: `gradmark ${result.mode}: ${result.assignment.title} (${result.assignment.id})`,
        ...all,
        time: seconds(result.durationMs),
      })}>`,
      ...result.problems.flatMap((problem, index) =>
        testsuite(result, problem, options, showOutput && index === 0),
      ),
      "</testsuites>",
    ];
    return `${lines.join("\n")}\n`;
  },
};
