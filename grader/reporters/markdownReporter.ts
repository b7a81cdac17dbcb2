import { sanitize } from "../common/sanitize.js";
import type { CheckResult, CheckStatus, GradeResult, ProblemResult } from "../model/results.js";
import { type KnockOnPlan, planKnockOns } from "./knockOns.js";
import type { Reporter, ReportOptions } from "./Reporter.js";
import { replayCommand } from "./terminalReporter.js";
import {
  detailsWithheld,
  formatPoints,
  outputWithheld,
  plural,
  WITHHELD_OUTPUT_NOTE,
} from "./text.js";

interface StatusStyle {
  emoji: string;
  word: string;
}

const STATUS: Record<CheckStatus, StatusStyle> = {
  passed: { emoji: "✅", word: "passed" },
  failed: { emoji: "❌", word: "failed" },
  "not-implemented": { emoji: "🚧", word: "not implemented" },
  error: { emoji: "💥", word: "error" },
  timeout: { emoji: "⏱️", word: "timeout" },
  "memory-limit": { emoji: "💾", word: "memory limit" },
  crashed: { emoji: "💀", word: "crashed" },
  skipped: { emoji: "⏭️", word: "not selected (--only)" },
};
const HIDDEN: StatusStyle = { emoji: "🙈", word: "hidden: runs at grading" };

/** Order of the status counts under the summary table. */
const COUNT_ORDER: CheckStatus[] = [
  "passed",
  "failed",
  "not-implemented",
  "error",
  "timeout",
  "memory-limit",
  "crashed",
];

/** At most this many lines of each output stream, each cut at OUTPUT_LINE_CHARS. */
const OUTPUT_LINES = 100;
const OUTPUT_LINE_CHARS = 300;

/**
 * Characters that mean something in Markdown or HTML, written as character references. A
 * reference is literal text in Markdown (it never starts emphasis, a link, code or a table cell)
 * and decodes normally inside HTML such as `<summary>`, so the same escaping is safe in both.
 */
const INLINE_SPECIAL = /[&<>"'`*_[\]\\|~#$]/g;
const NAMED: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/**
 * Text from the result as one line of inline Markdown/HTML: control characters escaped
 * (`sanitize`), line breaks folded to spaces, and every character that could start markup, a
 * table cell, code or a link written as a numeric character reference.
 */
export function mdInline(text: string): string {
  return sanitize(text)
    .replace(/\s*\n\s*/g, " ")
    .trim()
    .replace(INLINE_SPECIAL, (ch) => NAMED[ch] ?? `&#${ch.charCodeAt(0)};`);
}

/**
 * A fenced code block that `text` cannot close: the fence is one backtick longer than the
 * longest run of backticks inside (at least three). Inside a fence nothing is markup, HTML
 * included; control characters are escaped (`sanitize`).
 */
export function mdFence(text: string, lang = "text"): string {
  const body = sanitize(text).replace(/\n+$/, "");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

const code = (text: string) => `<code>${mdInline(text)}</code>`;

function isHiddenSkip(result: GradeResult, check: CheckResult): boolean {
  return check.status === "skipped" && check.hidden && result.mode === "check";
}

function style(result: GradeResult, check: CheckResult): StatusStyle {
  return isHiddenSkip(result, check) ? HIDDEN : STATUS[check.status];
}

function points(score: number, maxScore: number): string {
  return `${formatPoints(score)}/${formatPoints(maxScore)}`;
}

/** No check of the problem ran, and not because they are hidden: --only left it out. */
function isUnselected(result: GradeResult, problem: ProblemResult): boolean {
  return (
    problem.checks.length > 0 &&
    problem.checks.every((c) => c.status === "skipped") &&
    problem.checks.some((c) => !isHiddenSkip(result, c))
  );
}

function problemEmoji(result: GradeResult, problem: ProblemResult): string {
  if (isUnselected(result, problem)) return STATUS.skipped.emoji;
  const run = problem.checks.filter((c) => c.status !== "skipped");
  if (run.length === 0) return HIDDEN.emoji;
  if (run.every((c) => c.status === "passed")) return "✅";
  return problem.score > 0 ? "🟡" : "❌";
}

function summaryTable(result: GradeResult): string[] {
  const lines = ["| | Problem | Score |", "| :-: | :-- | --: |"];
  for (const problem of result.problems) {
    const score = isUnselected(result, problem)
      ? "not selected"
      : points(problem.score, problem.maxScore);
    lines.push(
      `| ${problemEmoji(result, problem)} | ${mdInline(problem.title)} ${code(problem.id)} | ${score} |`,
    );
  }
  lines.push(`| | **Total** | **${points(result.score, result.maxScore)}** |`);
  return lines;
}

function countsLine(result: GradeResult): string {
  const checks = result.problems.flatMap((problem) => problem.checks);
  const parts: string[] = [];
  for (const status of COUNT_ORDER) {
    const n = checks.filter((c) => c.status === status).length;
    if (n > 0) parts.push(`${STATUS[status].emoji} ${n} ${STATUS[status].word}`);
  }
  const unselected = checks.filter((c) => c.status === "skipped" && !isHiddenSkip(result, c));
  if (unselected.length > 0)
    parts.push(`${STATUS.skipped.emoji} ${unselected.length} not selected`);
  if (result.hiddenSkipped > 0) {
    parts.push(`${HIDDEN.emoji} ${plural(result.hiddenSkipped, "hidden check")} run at grading`);
  }
  return parts.length > 0 ? parts.join(" · ") : "no checks";
}

function checksTable(result: GradeResult, problem: ProblemResult, plan: KnockOnPlan): string[] {
  const lines = ["| | Check | Status | Points |", "| :-: | :-- | :-- | --: |"];
  for (const check of problem.checks) {
    const s = style(result, check);
    const pts =
      check.status === "skipped"
        ? `–/${formatPoints(check.maxScore)}`
        : points(check.score, check.maxScore);
    const needs = plan.isKnockOn(check)
      ? ` (needs ${plan.rootsOf(check).map(code).join(", ")})`
      : "";
    lines.push(
      `| ${s.emoji} | ${code(check.id)} ${mdInline(check.title)} | ${s.word}${needs} | ${pts} |`,
    );
  }
  return lines;
}

/** Whether a check gets a details block: it ran and did not pass, and says more than "not implemented". */
function explained(check: CheckResult): boolean {
  return (
    check.status !== "passed" && check.status !== "skipped" && check.status !== "not-implemented"
  );
}

/** The line in a details block that lists the knock-ons the failure also costs; none without any. */
function alsoCostsLines(check: CheckResult, plan: KnockOnPlan): string[] {
  const costs = plan.costs(check);
  if (costs.length === 0) return [];
  const listed = costs.map(({ check: knockOn, alsoNeeds }) => {
    const more = alsoNeeds.length > 0 ? `, also needs ${alsoNeeds.map(code).join(", ")}` : "";
    return `${code(knockOn.id)} (${formatPoints(knockOn.maxScore)}${more})`;
  });
  const why =
    costs.length === 1
      ? "it passes on its own but counts only with this check"
      : "they pass on their own but count only with this check";
  return [`Also costs: ${listed.join(", ")} — ${why}.`, ""];
}

/**
 * One line for a knock-on whose check has no details block (not implemented, not selected):
 * what it needs and how that check did.
 */
function orphanLine(
  result: GradeResult,
  problem: ProblemResult,
  check: CheckResult,
  plan: KnockOnPlan,
): string {
  const s = style(result, check);
  const roots = plan.rootsOf(check).map((id) => {
    const root = problem.checks.find((c) => c.id === id);
    return root === undefined ? code(id) : `${code(id)} (${style(result, root).word})`;
  });
  return `${s.emoji} ${code(check.id)} ${s.word}: passes on its own, but counts only with ${roots.join(", ")}.`;
}

function detailsBlock(
  result: GradeResult,
  check: CheckResult,
  options: ReportOptions,
  plan: KnockOnPlan,
): string[] {
  const s = style(result, check);
  const lines = [
    `<details><summary>${s.emoji} ${code(check.id)} ${s.word}: ${mdInline(check.title)}</summary>`,
    "",
  ];
  if (check.message.trim() !== "") lines.push(mdFence(check.message), "");
  if (check.counterexample !== null && check.counterexample.trim() !== "") {
    lines.push("Counterexample:", "", mdFence(check.counterexample), "");
  }
  if (!detailsWithheld(check)) {
    lines.push("Replay:", "", mdFence(replayCommand(result, check, options), "sh"), "");
  }
  lines.push(...alsoCostsLines(check, plan), "</details>");
  return lines;
}

function problemSection(
  result: GradeResult,
  problem: ProblemResult,
  options: ReportOptions,
): string[] {
  const plan = planKnockOns(problem.checks, explained);
  const lines = [
    `### ${problemEmoji(result, problem)} ${mdInline(problem.title)} ${code(problem.id)}: ${points(
      problem.score,
      problem.maxScore,
    )}`,
    "",
    ...checksTable(result, problem, plan),
  ];
  // A knock-on gets no block of its own: the block of the check it waits for lists it.
  for (const check of problem.checks) {
    if (plan.orphans.includes(check)) lines.push("", orphanLine(result, problem, check, plan));
    else if (explained(check) && !plan.isKnockOn(check)) {
      lines.push("", ...detailsBlock(result, check, options, plan));
    }
  }
  return lines;
}

function outputBlock(name: "stdout" | "stderr", text: string): string[] {
  const all = text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
  const shown = all
    .slice(0, OUTPUT_LINES)
    .map((line) =>
      line.length > OUTPUT_LINE_CHARS ? `${line.slice(0, OUTPUT_LINE_CHARS)} [line cut]` : line,
    );
  const lines = [
    `<details><summary>Output of the submission (${name}), captured while grading, not part of the grade</summary>`,
    "",
    mdFence(shown.join("\n")),
  ];
  const more = all.length - shown.length;
  if (more > 0) {
    lines.push(
      "",
      `${plural(more, "more line")} not shown here; <code>--format json</code> has all the captured output.`,
    );
  }
  lines.push("", "</details>");
  return lines;
}

/**
 * A Markdown report for GitHub (a job summary, a PR comment): a summary table with one row per
 * problem (score/max), then per problem a table of its checks with a status emoji and a
 * collapsed details block for each failure (message, counterexample and replay command in
 * fenced code). Text from the result is escaped: inline text as character references, blocks in
 * fences longer than any backtick run inside, so nothing a submission prints or throws can
 * break the layout or inject HTML.
 */
export const markdownReporter: Reporter = {
  name: "markdown",
  description: "Markdown for GitHub: summary table, checks per problem, failure details",
  render(result: GradeResult, options: ReportOptions): string {
    const seed = options.redactSeed ? `from ${code("$GRADMARK_SEED")}` : String(result.seed);
    const lines = [
      `## gradmark: ${mdInline(result.assignment.title)}: ${points(result.score, result.maxScore)}`,
      "",
      `${result.mode} · seed ${seed} · gradmark ${mdInline(result.graderVersion)} · assignment ${code(
        result.assignment.id,
      )}`,
      "",
      ...summaryTable(result),
      "",
      countsLine(result),
    ];
    for (const problem of result.problems) {
      if (isUnselected(result, problem)) continue;
      lines.push("", ...problemSection(result, problem, options));
    }
    if (options.showOutput ?? true) {
      for (const name of ["stdout", "stderr"] as const) {
        if (result.output[name] !== "") lines.push("", ...outputBlock(name, result.output[name]));
      }
      if (outputWithheld(result)) lines.push("", mdInline(WITHHELD_OUTPUT_NOTE));
    }
    return `${lines.join("\n")}\n`;
  },
};
