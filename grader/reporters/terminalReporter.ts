import { sanitize } from "../common/sanitize.js";
import type { CheckResult, CheckStatus, GradeResult, ProblemResult } from "../model/results.js";
import { type KnockOnPlan, planKnockOns } from "./knockOns.js";
import type { Reporter, ReportOptions } from "./Reporter.js";
import {
  detailsWithheld,
  formatPoints,
  outputWithheld,
  type Paint,
  type Palette,
  palette,
  plural,
  shellQuote,
  WITHHELD_OUTPUT_NOTE,
} from "./text.js";

const BAR_WIDTH = 10;

/** How each status is shown: symbol, word and colour (also by the watch screen). */
export interface StatusStyle {
  symbol: string;
  word: string;
  color: keyof Palette;
}

export const STATUS: Record<CheckStatus, StatusStyle> = {
  passed: { symbol: "✔", word: "passed", color: "green" },
  failed: { symbol: "✘", word: "failed", color: "red" },
  "not-implemented": { symbol: "○", word: "not implemented", color: "yellow" },
  error: { symbol: "✘", word: "error", color: "red" },
  timeout: { symbol: "✘", word: "timeout", color: "magenta" },
  "memory-limit": { symbol: "✘", word: "memory limit", color: "magenta" },
  crashed: { symbol: "✘", word: "crashed", color: "magenta" },
  skipped: { symbol: "–", word: "skipped", color: "dim" },
};

/** Order of the status counts in the total line. */
const COUNT_ORDER: CheckStatus[] = [
  "passed",
  "failed",
  "not-implemented",
  "error",
  "timeout",
  "memory-limit",
  "crashed",
];

/** A check not run because this is `check` mode and it is hidden. */
function isHiddenSkip(result: GradeResult, check: CheckResult): boolean {
  return check.status === "skipped" && check.hidden && result.mode === "check";
}

function scoreBar(score: number, maxScore: number, p: Palette): string {
  const ratio = maxScore > 0 ? Math.min(1, Math.max(0, score / maxScore)) : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  const paint: Paint = ratio >= 1 ? p.green : ratio > 0 ? p.yellow : p.red;
  return paint("█".repeat(filled)) + p.dim("░".repeat(BAR_WIDTH - filled));
}

function indent(text: string, spaces: number): string[] {
  const pad = " ".repeat(spaces);
  return sanitize(text)
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : pad + line.trimEnd()));
}

/**
 * The exact command that runs this one check again with the same cases. A hidden check whose
 * details were withheld has none (reports leave the line out): the words say so, naming no seed.
 */
export function replayCommand(
  result: GradeResult,
  check: CheckResult,
  options: Pick<ReportOptions, "command" | "redactSeed">,
): string {
  if (detailsWithheld(check)) return "none (hidden check)";
  const replay = check.replay ?? { seed: result.seed, only: check.id };
  const seed = options.redactSeed
    ? `--seed "$GRADMARK_SEED"`
    : replay.seed < 0
      ? `--seed=${replay.seed}`
      : `--seed ${replay.seed}`;
  const parts = [options.command, seed, `--only ${shellQuote(replay.only)}`];
  if (replay.path !== undefined && replay.path !== "") {
    parts.push(`--path ${shellQuote(replay.path)}`);
  }
  return parts.join(" ");
}

interface Columns {
  word: number;
  id: number;
  points: number;
}

function checkPoints(check: CheckResult): string {
  return `${formatPoints(check.score)}/${formatPoints(check.maxScore)}`;
}

/**
 * Status, id and points in aligned columns, then the title (titles can be long); a knock-on
 * failure says, dim, which checks it needs.
 */
function checkLine(check: CheckResult, columns: Columns, plan: KnockOnPlan, p: Palette): string {
  const style = STATUS[check.status];
  const status = p[style.color](`${style.symbol} ${style.word.padEnd(columns.word)}`);
  const id = p.bold(sanitize(check.id).padEnd(columns.id));
  const points = checkPoints(check).padStart(columns.points);
  const needs = plan.isKnockOn(check)
    ? ` ${p.dim(`(needs ${plan.rootsOf(check).map(sanitize).join(", ")})`)}`
    : "";
  return `  ${status}  ${id}  ${points}  ${sanitize(check.title)}${needs}`.trimEnd();
}

/** Checks that get a failure block: they ran, did not pass, and are not merely not implemented. */
function hasBlock(check: CheckResult): boolean {
  return (
    check.status !== "passed" && check.status !== "skipped" && check.status !== "not-implemented"
  );
}

/** The line under a failure block that lists the knock-ons it also costs; none without any. */
function alsoCostsLines(check: CheckResult, plan: KnockOnPlan, p: Palette): string[] {
  const costs = plan.costs(check);
  if (costs.length === 0) return [];
  const listed = costs.map(({ check: knockOn, alsoNeeds }) => {
    const more = alsoNeeds.length > 0 ? `, also needs ${alsoNeeds.map(sanitize).join(", ")}` : "";
    return `${sanitize(knockOn.id)} (${formatPoints(knockOn.maxScore)}${more})`;
  });
  const why =
    costs.length === 1
      ? "it passes on its own but counts only with this check"
      : "they pass on their own but count only with this check";
  return [`    ${p.cyan("also costs:")} ${listed.join(", ")} ${p.dim(`— ${why}`)}`];
}

/** How a check a knock-on waits for did, in a few words. */
function rootState(result: GradeResult, root: CheckResult): string {
  if (isHiddenSkip(result, root)) return "hidden, runs at grading";
  if (root.status === "skipped") return "not selected";
  return STATUS[root.status].word;
}

/**
 * One line for a knock-on whose check has no failure block (not implemented, not selected):
 * what it needs and, when shown, how that check did.
 */
function orphanLine(
  result: GradeResult,
  problem: ProblemResult,
  check: CheckResult,
  plan: KnockOnPlan,
  p: Palette,
): string {
  const style = STATUS[check.status];
  const roots = plan.rootsOf(check).map((id) => {
    const root = problem.checks.find((c) => c.id === id);
    const how = root === undefined ? "" : ` (${rootState(result, root)})`;
    return `${sanitize(id)}${how}`;
  });
  return `  ${p[style.color](`${style.symbol} ${style.word}`)}: ${p.bold(sanitize(check.id))} ${p.dim(
    `(${sanitize(check.title)})`,
  )} — passes on its own, but counts only with ${roots.join(", ")}`;
}

function detailLines(
  result: GradeResult,
  check: CheckResult,
  options: ReportOptions,
  plan: KnockOnPlan,
  p: Palette,
): string[] {
  const style = STATUS[check.status];
  const lines = [
    `  ${p[style.color](`${style.symbol} ${style.word}`)}: ${p.bold(sanitize(check.id))} ${p.dim(
      `(${sanitize(check.title)})`,
    )}`,
  ];
  if (check.message.trim() !== "") lines.push(...indent(check.message, 6));
  if (check.counterexample !== null && check.counterexample.trim() !== "") {
    lines.push(`    ${p.cyan("counterexample:")}`, ...indent(check.counterexample, 6));
  }
  if (!detailsWithheld(check)) {
    lines.push(`    ${p.cyan("replay:")} ${replayCommand(result, check, options)}`);
  }
  lines.push(...alsoCostsLines(check, plan, p));
  return lines;
}

function problemLines(
  result: GradeResult,
  problem: ProblemResult,
  columns: Columns,
  header: HeaderColumns,
  options: ReportOptions,
  p: Palette,
): string[] {
  const run = problem.checks.filter((c) => c.status !== "skipped");
  const plan = planKnockOns(problem.checks, hasBlock);
  const hidden = problem.checks.filter((c) => isHiddenSkip(result, c));
  const unselected = problem.checks.filter(
    (c) => c.status === "skipped" && !isHiddenSkip(result, c),
  );
  const head = `${p.bold(sanitize(problem.title).padEnd(header.title))}  ${p.dim(
    sanitize(problem.id).padEnd(header.id),
  )}`;
  const score = `${formatPoints(problem.score)}/${formatPoints(problem.maxScore)}`;
  const lines = [
    `${head}  ${scoreBar(problem.score, problem.maxScore, p)}  ${score.padStart(header.score)}`,
  ];
  if (run.length > 1 && run.every((c) => c.status === "not-implemented")) {
    // Nothing started yet (the starter): one line, not one per check.
    const style = STATUS["not-implemented"];
    lines.push(
      `  ${p[style.color](`${style.symbol} ${style.word.padEnd(columns.word)}`)}  all ${run.length} checks of this problem`,
    );
  } else {
    for (const check of run) lines.push(checkLine(check, columns, plan, p));
  }
  if (unselected.length > 0) {
    lines.push(p.dim(`  – ${plural(unselected.length, "more check")} not selected by --only`));
  }
  if (hidden.length > 0) {
    const points = hidden.reduce((sum, c) => sum + c.maxScore, 0);
    lines.push(
      p.dim(
        `  ◌ ${plural(hidden.length, "hidden check")} (${formatPoints(points)} pts) run at grading`,
      ),
    );
  }
  // A knock-on gets no block of its own: the block of the check it waits for lists it.
  for (const check of run) {
    if (plan.orphans.includes(check)) lines.push("", orphanLine(result, problem, check, plan, p));
    else if (hasBlock(check) && !plan.isKnockOn(check)) {
      lines.push("", ...detailLines(result, check, options, plan, p));
    }
  }
  return lines;
}

/** No check of the problem ran, and not because they are hidden: --only left it out. */
function isUnselected(result: GradeResult, problem: ProblemResult): boolean {
  return (
    problem.checks.length > 0 &&
    problem.checks.every((c) => c.status === "skipped") &&
    problem.checks.some((c) => !isHiddenSkip(result, c))
  );
}

interface HeaderColumns {
  title: number;
  id: number;
  score: number;
}

/** At most this many lines of each output stream, each cut at OUTPUT_LINE_CHARS. */
export const OUTPUT_LINES = 40;
const OUTPUT_LINE_CHARS = 300;

function outputBlock(name: "stdout" | "stderr", text: string, p: Palette): string[] {
  const all = text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
  const shown = all.slice(0, OUTPUT_LINES).map((line) => {
    const cut = line.length > OUTPUT_LINE_CHARS;
    return (
      sanitize(cut ? line.slice(0, OUTPUT_LINE_CHARS) : line) + (cut ? p.dim(" [line cut]") : "")
    );
  });
  const lines = [
    p.dim(`┌─ output of your submission (${name}), captured while grading, not part of the grade`),
    ...shown.map((line) => `${p.dim("│")} ${line}`.trimEnd()),
  ];
  const hidden = all.length - shown.length;
  if (hidden > 0) {
    lines.push(
      `${p.dim("│")} ${p.dim(`[${plural(hidden, "more line")} not shown here; --format json has all the captured output]`)}`,
    );
  }
  lines.push(p.dim(`└─ end of submission ${name}`));
  return lines;
}

function countsLine(result: GradeResult, p: Palette): string {
  const checks = result.problems.flatMap((problem) => problem.checks);
  const parts: string[] = [];
  for (const status of COUNT_ORDER) {
    const count = checks.filter((c) => c.status === status).length;
    if (count > 0) parts.push(p[STATUS[status].color](`${count} ${STATUS[status].word}`));
  }
  const unselected = checks.filter((c) => c.status === "skipped" && !isHiddenSkip(result, c));
  if (unselected.length > 0) parts.push(p.dim(`${unselected.length} not selected`));
  if (result.hiddenSkipped > 0) {
    parts.push(p.dim(`${plural(result.hiddenSkipped, "hidden check")} run at grading`));
  }
  return parts.length > 0 ? `  ${parts.join(p.dim(" · "))}` : "  no checks";
}

/**
 * The report a person reads in a terminal: per problem a score bar, one line per check, then
 * what went wrong in each check that did not pass, with the command that replays it; the
 * submission's own output in a framed block; the total last.
 */
export const terminalReporter: Reporter = {
  name: "terminal",
  description: "human-readable report with score bars and replay commands (default)",
  render(result: GradeResult, options: ReportOptions): string {
    const p = palette(options.color);
    const seed = options.redactSeed ? "from $GRADMARK_SEED" : String(result.seed);
    const lines = [
      `${p.bold(`gradmark ${sanitize(result.graderVersion)}`)} · ${sanitize(result.assignment.title)} ${p.dim(
        `(${sanitize(result.assignment.id)})`,
      )} · ${result.mode} · seed ${seed}`,
    ];

    const listed = result.problems.flatMap((problem) =>
      problem.checks.filter((c) => c.status !== "skipped"),
    );
    const columns: Columns = {
      word: Math.max(0, ...listed.map((c) => STATUS[c.status].word.length)),
      id: Math.max(0, ...listed.map((c) => sanitize(c.id).length)),
      points: Math.max(0, ...listed.map((c) => checkPoints(c).length)),
    };
    const total = `${formatPoints(result.score)}/${formatPoints(result.maxScore)}`;
    const header: HeaderColumns = {
      title: Math.max(0, ...result.problems.map((q) => sanitize(q.title).length)),
      id: Math.max(0, ...result.problems.map((q) => sanitize(q.id).length)),
      score: Math.max(
        total.length,
        ...result.problems.map(
          (q) => `${formatPoints(q.score)}/${formatPoints(q.maxScore)}`.length,
        ),
      ),
    };

    const unselected: ProblemResult[] = [];
    for (const problem of result.problems) {
      if (isUnselected(result, problem)) unselected.push(problem);
      else lines.push("", ...problemLines(result, problem, columns, header, options, p));
    }
    if (unselected.length > 0) {
      lines.push(
        "",
        p.dim(
          `Not selected by --only: ${unselected.map((q) => `${sanitize(q.title)} (${sanitize(q.id)})`).join(", ")}`,
        ),
      );
    }

    if (options.showOutput ?? true) {
      for (const name of ["stdout", "stderr"] as const) {
        if (result.output[name] !== "")
          lines.push("", ...outputBlock(name, result.output[name], p));
      }
      if (outputWithheld(result)) lines.push("", p.dim(WITHHELD_OUTPUT_NOTE));
    }

    lines.push(
      "",
      `${p.bold("Total".padEnd(Math.max(0, header.title + header.id + 2)))}  ${scoreBar(
        result.score,
        result.maxScore,
        p,
      )}  ${p.bold(total.padStart(header.score))}`,
      countsLine(result, p),
    );
    const missing = result.sandbox?.missing ?? [];
    if (missing.length > 0) {
      lines.push(
        p.dim(
          `  sandbox: graded without ${missing.map((m) => m.replace(/ \(.*$/, "")).join(", ")}`,
        ),
      );
    }
    return `${lines.join("\n")}\n`;
  },
};
