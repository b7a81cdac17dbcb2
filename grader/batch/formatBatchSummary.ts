import { formatPoints, plural, sanitize } from "../reporters/text.js";
import type { BatchSummary, FailureCount } from "./types.js";

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
