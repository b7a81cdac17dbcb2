import { dirname, resolve } from "node:path";
import { compareRows, readPreviousRows } from "../batch/compareGrades.js";
import { formatBatchSummary } from "../batch/formatBatchSummary.js";
import { formatRegradeDiff } from "../batch/formatRegradeDiff.js";
import { renderHtmlReport } from "../batch/htmlReport.js";
import { readAllStoredResults } from "../batch/resultStore.js";
import { summarizeBatch } from "../batch/summarizeBatch.js";
import type { BatchReport, BatchRow } from "../batch/types.js";
import { knockOnCheckIds } from "../reporters/knockOns.js";
import type { CliIO } from "./io.js";
import { EXIT_FAILED, EXIT_PASSED, writeReport } from "./shared.js";

export interface BatchReportArgs {
  html?: string;
  compare?: string;
}

/** The earlier run --compare names, read before this run writes anything (it may be the same folder). */
export function readComparison(args: BatchReportArgs, io: CliIO): BatchRow[] | null {
  return args.compare === undefined ? null : readPreviousRows(resolve(io.cwd, args.compare));
}

/**
 * What `batch` and `merge` print and write once grades.csv exists: the summary, the regrade
 * diff (--compare) and the HTML page (--html). Returns the exit code: 1 when a submission
 * could not be graded or an unchanged submission's grade moved, else 0.
 */
export function finishBatchReport(
  report: BatchReport,
  args: BatchReportArgs,
  io: CliIO,
  gradesCsvFile: string,
  previous: BatchRow[] | null,
): number {
  const summary = summarizeBatch(report, { knockOns: knockOnsOf(dirname(gradesCsvFile)) });
  io.stdout(`\n${formatBatchSummary(summary)}`);
  io.stdout(`grades written to ${gradesCsvFile}\n`);
  if (args.html !== undefined) {
    writeReport(io.cwd, args.html, renderHtmlReport(report, summary));
    io.stdout(`HTML report written to ${args.html}\n`);
  }
  let unstable = false;
  if (previous !== null) {
    const diff = compareRows(previous, report.rows);
    io.stdout(`\n${formatRegradeDiff(diff, args.compare!)}`);
    unstable = diff.changed.some((change) => change.unstable);
  }
  const errors = report.rows.filter((row) => row.status === "error").length;
  if (errors > 0)
    io.stdout(`${errors} submission(s) could not be graded; see the status and message columns\n`);
  return errors > 0 || unstable ? EXIT_FAILED : EXIT_PASSED;
}

/**
 * Each graded submission's knock-on failures, read from its stored result, so the summary
 * counts the checks that really failed (a row without a stored result counts as before).
 */
function knockOnsOf(outDir: string): Map<string, string[]> {
  const knockOns = new Map<string, string[]>();
  for (const [folder, stored] of readAllStoredResults(outDir)) {
    if (stored.status === "graded") knockOns.set(folder, knockOnCheckIds(stored.result));
  }
  return knockOns;
}
