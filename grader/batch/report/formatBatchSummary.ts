import { sanitize } from "../../common/sanitize.js";
import { formatPoints, plural } from "../../reporters/text.js";
import type { BatchRow, BatchSummary, FailureCount } from "../types.js";

type Align = "left" | "right";

/**
 * The plain-text summary printed at the end of `gradmark batch`: counts, the class's total,
 * a table per problem and the most common failing checks. No colours (the caller may add them).
 */
export function formatBatchSummary(summary: BatchSummary): string {
  const { total } = summary;
  const lines = [
    `Batch: ${plural(summary.submissions, "submission")}, ${summary.graded} graded, ${plural(summary.errors, "error")}${summary.missing ? `; ${summary.missing} roster student(s) without a submission` : ""}`,
    `Total: mean ${formatPoints(total.mean)}/${formatPoints(total.maxScore)}, median ${formatPoints(total.median)}, full marks ${formatPercent(total.fullMarksRate)}`,
    "",
    ...problemTable(summary),
    "",
    ...failureLines(summary.commonFailures),
  ];
  return `${lines.join("\n")}\n`;
}

/** At most this many error rows are listed at the end of a batch; grades.csv has them all. */
const LISTED_ERRORS = 20;

/**
 * The submissions that could not be graded, each with its full message (continuation lines
 * indented), for the end of `gradmark batch` and `merge`; "" when every one was graded.
 */
export function formatBatchErrors(rows: readonly BatchRow[], limit = LISTED_ERRORS): string {
  const errors = rows.filter((row) => row.status === "error");
  if (errors.length === 0) return "";
  const lines = [
    `${errors.length} submission(s) could not be graded (the message column of grades.csv says why):`,
  ];
  for (const row of errors.slice(0, limit)) {
    const [first, ...rest] = sanitize(row.message).split("\n");
    const folder = sanitize(row.folder).replace(/\n/g, "\\n");
    lines.push(`  ${folder}: ${first}`, ...rest.map((line) => `      ${line}`.trimEnd()));
  }
  if (errors.length > limit)
    lines.push(`  and ${errors.length - limit} more: see the message column of grades.csv`);
  return `${lines.join("\n")}\n`;
}

/**
 * `text` in at most `max` characters (at least 2): cut at the last space or line break that keeps
 * at least half of it (mid-word only when there is none, as in a long path), with an ellipsis.
 */
export function shortenText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(1, max - 1));
  const lastSpace = cut.search(/\s\S*$/);
  if (lastSpace >= max / 2) cut = cut.slice(0, lastSpace);
  // Never half a surrogate pair, and no dangling separator before the ellipsis.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:]+$/, "")}…`;
}

/** A path of the TA's machine, and how batch output names it instead. */
export interface ShownPath {
  path: string;
  /** Relative to the class folder ("alice", "bob.zip"); "" for the class folder itself. */
  as: string;
}

const REGEXP_SPECIALS = /[.*+?^${}()|[\]\\]/g;

/**
 * `text` (a message about a submission) with every `path` in it, or a `file://` URL of it,
 * written as `as`, so what batch prints, stores and reports never carries a folder of the TA's
 * machine: with `{ path: "/home/ta/class", as: "" }`, `/home/ta/class/alice/src` becomes
 * `alice/src`. Only whole path components match (`/home/ta/class` is not in
 * `/home/ta/classes`), longest path first.
 */
export function relativeToClass(text: string, paths: readonly ShownPath[]): string {
  const sorted = paths
    .filter((place) => place.path !== "")
    .sort((a, b) => b.path.length - a.path.length);
  for (const { path, as } of sorted) {
    const escaped = path.replace(/[\\/]+$/, "").replace(REGEXP_SPECIALS, "\\$&");
    if (escaped === "") continue;
    const pattern = new RegExp(
      `(?<![\\w.~/\\\\-])(?:file://)?${escaped}(?:([/\\\\])(?=[^\\s/\\\\])|(?![\\w~-]|\\.[\\w.~-]))`,
      "g",
    );
    text = text.replace(pattern, (_match, separator: string | undefined) => {
      if (separator === undefined) return as === "" ? "." : as;
      return as === "" ? "" : `${as}/`;
    });
  }
  return text;
}

/** A share (0..1) as a percentage with at most one decimal: 0.8333 -> "83.3%". */
export function formatPercent(share: number): string {
  return `${formatPoints(Math.round(share * 1000) / 10)}%`;
}

function problemTable(summary: BatchSummary): string[] {
  const header = ["Problem", "Title", "Max", "Mean", "Median", "Full marks"];
  const rows = summary.problems.map((problem) => [
    sanitize(problem.id),
    sanitize(problem.title),
    formatPoints(problem.maxScore),
    formatPoints(problem.mean),
    formatPoints(problem.median),
    formatPercent(problem.fullMarksRate),
  ]);
  return alignColumns([header, ...rows], ["left", "left", "right", "right", "right", "right"]);
}

function failureLines(failures: FailureCount[]): string[] {
  if (failures.length === 0) return ["Most common failing checks: none"];
  // Numbers right-aligned on their own so "12 students" and " 1 student" line up.
  const countWidth = Math.max(...failures.map((failure) => String(failure.students).length));
  const rows = failures.map((failure) => [
    `${String(failure.students).padStart(countWidth)} ${failure.students === 1 ? "student" : "students"}`,
    sanitize(failure.checkId),
    sanitize(failure.title),
  ]);
  const table = alignColumns(rows, ["left", "left", "left"]);
  return ["Most common failing checks:", ...table.map((line) => `  ${line}`)];
}

/** Cells padded to their column's widest, two spaces apart, without trailing blanks. */
function alignColumns(rows: string[][], align: Align[]): string[] {
  const widths = align.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) =>
        align[column] === "right" ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd(),
  );
}
