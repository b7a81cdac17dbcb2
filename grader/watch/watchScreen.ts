import { sanitize } from "../common/sanitize.js";
import type { CheckResult, CheckStatus, GradeResult, ProblemResult } from "../model/results.js";
import { planKnockOns } from "../reporters/knockOns.js";
import { replayCommand, STATUS } from "../reporters/terminalReporter.js";
import { detailsWithheld, formatPoints, type Palette, palette, plural } from "../reporters/text.js";

/** Failure blocks shown at most, root causes first (the rest are counted). */
export const MAX_BLOCKS = 3;
/** Lines of one failure's message or counterexample shown at most. */
const MAX_BLOCK_LINES = 12;
/** Lines of the submission's output shown at most, per stream. */
const MAX_OUTPUT_LINES = 15;
const OUTPUT_LINE_CHARS = 200;
const BAR_WIDTH = 10;

/** Clears the screen and its scrollback and puts the cursor at the top, as vitest does. */
export const CLEAR_SCREEN = "\u001b[2J\u001b[3J\u001b[H";

/** What the watcher knows when it draws the screen. */
export interface WatchView {
  assignment: { id: string; title: string };
  /** The seed of the session (every verdict shown was drawn with it). */
  seed: number;
  /** Whether --seed fixed it (then `a` keeps it). */
  pinnedSeed: boolean;
  /** Every selected problem, in the assignment's order, with its latest verdict (null: none yet). */
  problems: { id: string; title: string; module: string; result: ProblemResult | null }[];
  /** Problems graded by the latest run. */
  fresh: ReadonlySet<string>;
  /** What the latest run's children printed. */
  output: GradeResult["output"];
  /** What the footer says happened last, e.g. "RAN 3 (Layers) after src/layers.ts changed". */
  status: string;
  /** A run in progress, when drawing before its verdicts. */
  running: string | null;
  /** The last run could not grade (an infrastructure error): its message. */
  error: string | null;
  /** Whether keys are read (stdin is a terminal). */
  interactive: boolean;
  /** Where it watches, as shown (`src/`). */
  watching: string;
}

const ORDER: CheckStatus[] = [
  "failed",
  "error",
  "timeout",
  "memory-limit",
  "crashed",
  "not-implemented",
  "passed",
];

/**
 * The module's load error when none of the problem's checks could run because its module (or
 * one it imports) does not compile or cannot be loaded: gradeSubmission then reports every check
 * as an error with the same message, which the watch screen shows once.
 */
export function loadFailure(problem: ProblemResult): string | null {
  const ran = problem.checks.filter((c) => c.status !== "skipped");
  const first = ran[0];
  if (first === undefined || !first.message.startsWith(`src/${problem.module} could not be loaded`))
    return null;
  return ran.every((c) => c.status === "error" && c.message === first.message)
    ? first.message
    : null;
}

/** Checks that get a failure block: they ran and did not pass, and are not merely unwritten. */
function hasBlock(check: CheckResult): boolean {
  return (
    check.status !== "passed" && check.status !== "skipped" && check.status !== "not-implemented"
  );
}

function bar(score: number, maxScore: number, p: Palette): string {
  const ratio = maxScore > 0 ? Math.min(1, Math.max(0, score / maxScore)) : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  const paint = ratio >= 1 ? p.green : ratio > 0 ? p.yellow : p.red;
  return paint("█".repeat(filled)) + p.dim("░".repeat(BAR_WIDTH - filled));
}

/** "30 passed · 2 failed" for the checks that ran. */
function counts(checks: readonly CheckResult[], p: Palette): string {
  const parts: string[] = [];
  for (const status of ORDER) {
    const n = checks.filter((c) => c.status === status).length;
    if (n > 0) parts.push(p[STATUS[status].color](`${n} ${STATUS[status].word}`));
  }
  return parts.join(p.dim(" · "));
}

/** The worst status among the checks that ran (what the problem's symbol shows). */
function worst(checks: readonly CheckResult[]): CheckStatus {
  for (const status of ORDER) if (checks.some((c) => c.status === status)) return status;
  return "skipped";
}

/** Up to `max` lines of `text`, indented; a last line says how many more there are. */
function lines(text: string, spaces: number, max: number, p: Palette): string[] {
  const all = sanitize(text).replace(/\n+$/, "").split("\n");
  const pad = " ".repeat(spaces);
  const shown = all.slice(0, max).map((line) => (line.trim() === "" ? "" : pad + line.trimEnd()));
  if (all.length > max) shown.push(pad + p.dim(`[${plural(all.length - max, "more line")}]`));
  return shown;
}

function failureBlock(
  result: GradeResult,
  problem: ProblemResult,
  check: CheckResult,
  command: string,
  p: Palette,
): string[] {
  const style = STATUS[check.status];
  const out = [
    `${p[style.color](`${style.symbol} ${style.word}`)}: ${p.bold(sanitize(check.id))} ${p.dim(`(${sanitize(check.title)})`)}`,
  ];
  if (check.message.trim() !== "") out.push(...lines(check.message, 4, MAX_BLOCK_LINES, p));
  if (check.counterexample !== null && check.counterexample.trim() !== "") {
    out.push(
      `  ${p.cyan("counterexample:")}`,
      ...lines(check.counterexample, 4, MAX_BLOCK_LINES, p),
    );
  }
  if (!detailsWithheld(check)) {
    out.push(`  ${p.cyan("replay:")} ${replayCommand(result, check, { command })}`);
  }
  const costs = planKnockOns(problem.checks, hasBlock).costs(check);
  if (costs.length > 0) {
    out.push(
      `  ${p.cyan("also costs:")} ${costs.map((k) => `${sanitize(k.check.id)} (${formatPoints(k.check.maxScore)})`).join(", ")} ${p.dim("— they count only with this check")}`,
    );
  }
  return out;
}

function outputLines(name: "stdout" | "stderr", text: string, p: Palette): string[] {
  const all = text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
  const shown = all.slice(-MAX_OUTPUT_LINES).map((line) => {
    const cut = line.length > OUTPUT_LINE_CHARS;
    return sanitize(cut ? line.slice(0, OUTPUT_LINE_CHARS) : line) + (cut ? p.dim(" [cut]") : "");
  });
  const before = all.length - shown.length;
  return [
    p.dim(`┌─ your submission printed (${name}) in the last run`),
    ...(before > 0 ? [`${p.dim("│")} ${p.dim(`[${plural(before, "earlier line")}]`)}`] : []),
    ...shown.map((line) => `${p.dim("│")} ${line}`.trimEnd()),
    p.dim("└─"),
  ];
}

/**
 * The watch screen, drawn whole after every run: one line per problem (score bar, points, how
 * its checks did, whether the last run graded it), the total, then what went wrong: a module
 * that does not compile once with the compiler's message, and the first MAX_BLOCKS failures
 * (problems just graded first) with their replay lines; what the submission printed in the last
 * run; and a footer with what ran and the keys. Text from the result is sanitized; without
 * colour (NO_COLOR) every state is still told by a symbol or a word.
 */
export function renderWatchScreen(
  view: WatchView,
  options: { color: boolean; command: string },
): string {
  const p = palette(options.color);
  const graded = view.problems.flatMap((q) => (q.result ? [q.result] : []));
  const total = {
    score: Math.round(graded.reduce((t, q) => t + q.score, 0) * 1e6) / 1e6,
    maxScore: Math.round(graded.reduce((t, q) => t + q.maxScore, 0) * 1e6) / 1e6,
  };
  const hidden = graded.flatMap((q) => q.checks.filter((c) => c.status === "skipped" && c.hidden));
  const out = [headerLine(view, p), "", ...problemTable(view, graded, total, hidden.length, p)];
  // Replay lines are drawn from a result made of the verdicts on screen.
  const asResult: GradeResult = {
    schemaVersion: 1,
    graderVersion: "",
    assignment: view.assignment,
    seed: view.seed,
    mode: "check",
    score: total.score,
    maxScore: total.maxScore,
    problems: graded,
    output: view.output,
    hiddenSkipped: hidden.length,
    durationMs: 0,
  };
  out.push(...failures(view, asResult, options.command, p));
  for (const name of ["stdout", "stderr"] as const) {
    if (view.output[name] !== "") out.push("", ...outputLines(name, view.output[name], p));
  }
  if (view.error !== null) {
    out.push("", `${p.red("✘ could not grade:")} ${sanitize(view.error)}`);
    out.push(p.dim("  the verdicts above are from earlier runs; save again to retry"));
  }
  out.push("", ...footer(view, p));
  return `${out.join("\n")}\n`;
}

/** The title, the seed and what keeps it. */
function headerLine(view: WatchView, p: Palette): string {
  const seedNote = view.pinnedSeed
    ? "fixed by --seed"
    : view.interactive
      ? "the same cases until you press a"
      : "the same cases for the whole session";
  return `${p.bold("gradmark check --watch")} · ${sanitize(view.assignment.title)} ${p.dim(`(${sanitize(view.assignment.id)})`)} · seed ${view.seed} ${p.dim(`(${seedNote})`)}`;
}

/** One line per problem (not graded yet, or its bar, points and counts), then the total. */
function problemTable(
  view: WatchView,
  graded: readonly ProblemResult[],
  total: { score: number; maxScore: number },
  hiddenCount: number,
  p: Palette,
): string[] {
  const titleWidth = Math.max(5, ...view.problems.map((q) => sanitize(q.title).length));
  const idWidth = Math.max(0, ...view.problems.map((q) => sanitize(q.id).length));
  const points = (q: { score: number; maxScore: number }) =>
    `${formatPoints(q.score)}/${formatPoints(q.maxScore)}`;
  const pointsWidth = Math.max(points(total).length, ...graded.map((q) => points(q).length));
  const out: string[] = [];
  for (const q of view.problems) {
    const head = `${sanitize(q.id).padEnd(idWidth)}  ${sanitize(q.title).padEnd(titleWidth)}`;
    if (q.result === null) {
      out.push(`  ${p.dim("·")} ${head}  ${p.dim("not graded yet")}`);
      continue;
    }
    const ran = q.result.checks.filter((c) => c.status !== "skipped");
    const style = STATUS[worst(ran)];
    const how = loadFailure(q.result) !== null ? p.red("does not load") : counts(ran, p);
    const fresh = view.fresh.has(q.id) ? `  ${p.cyan("← just graded")}` : "";
    out.push(
      `  ${p[style.color](style.symbol)} ${head}  ${bar(q.result.score, q.result.maxScore, p)}  ${points(q.result).padStart(pointsWidth)}  ${how}${fresh}`,
    );
  }
  const allRan = graded.flatMap((q) => q.checks.filter((c) => c.status !== "skipped"));
  const hiddenNote =
    hiddenCount > 0
      ? p.dim(` · ${plural(hiddenCount, "hidden check")} run at grading, not here`)
      : "";
  out.push(
    `    ${p.bold("Total".padEnd(idWidth + 2 + titleWidth))}  ${bar(total.score, total.maxScore, p)}  ${p.bold(points(total).padStart(pointsWidth))}  ${counts(allRan, p)}${hiddenNote}`,
  );
  return out;
}

/**
 * What went wrong, problems just graded first, then in the assignment's order: a module that
 * does not load once, with the compiler's message, and the first MAX_BLOCKS root-cause failures
 * (the rest counted).
 */
function failures(view: WatchView, result: GradeResult, command: string, p: Palette): string[] {
  const ordered = [
    ...view.problems.filter((q) => view.fresh.has(q.id)),
    ...view.problems.filter((q) => !view.fresh.has(q.id)),
  ];
  const out: string[] = [];
  let blocks = 0;
  let more = 0;
  for (const q of ordered) {
    if (q.result === null) continue;
    const load = loadFailure(q.result);
    if (load !== null) {
      out.push("", ...loadFailureBlock(q.result, load, p));
      continue;
    }
    const plan = planKnockOns(q.result.checks, hasBlock);
    for (const check of q.result.checks) {
      if (!hasBlock(check) || plan.isKnockOn(check)) continue;
      if (blocks >= MAX_BLOCKS) {
        more++;
        continue;
      }
      blocks++;
      out.push("", ...failureBlock(result, q.result, check, command, p));
    }
  }
  if (more > 0) {
    out.push(
      "",
      p.dim(
        `… and ${plural(more, "more failing check")}: \`${command} --seed ${view.seed}\` shows every one`,
      ),
    );
  }
  return out;
}

/** The compiler's message, once: it is why every check of the problem is an error. */
function loadFailureBlock(problem: ProblemResult, message: string, p: Palette): string[] {
  const ran = problem.checks.filter((c) => c.status !== "skipped").length;
  const [first, ...rest] = sanitize(message).replace(/\n+$/, "").split("\n");
  return [
    `${p.red("✘")} ${p.bold(`${sanitize(problem.id)} ${sanitize(problem.title)}`)}: ${first}`,
    ...rest.slice(0, MAX_BLOCK_LINES).map((line) => `    ${line}`),
    p.dim(`  none of its ${plural(ran, "check")} ran; save a fix to grade it again`),
  ];
}

/** What the watcher is doing (or did last) and the keys. */
function footer(view: WatchView, p: Palette): string[] {
  const state =
    view.running !== null
      ? `${p.yellow(p.bold(" RUNNING "))} ${view.running}…`
      : `${p.bold(" DONE ")} ${view.status}`;
  const keys = view.interactive
    ? `press ${p.bold("a")} to re-run all${view.pinnedSeed ? "" : " with a new seed"}, ${p.bold("f")} to re-run what failed, ${p.bold("q")} to quit`
    : "Ctrl-C to quit";
  return [state, `${p.dim(`Watching ${view.watching} for changes ·`)} ${keys}`];
}
