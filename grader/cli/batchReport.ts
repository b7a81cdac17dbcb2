import { dirname, isAbsolute, relative, resolve } from "node:path";
import { failuresByFolder } from "../batch/report/buildBatchReport.js";
import { formatBatchErrors, formatBatchSummary } from "../batch/report/formatBatchSummary.js";
import { formatRegradeDiff } from "../batch/report/formatRegradeDiff.js";
import { renderHtmlReport } from "../batch/report/htmlReport.js";
import { summarizeBatch } from "../batch/report/summarizeBatch.js";
import { readAllStoredResults, type StoredResult } from "../batch/store/resultStore.js";
import { compareRows, readPreviousRows } from "../batch/tables/compareGrades.js";
import type { BatchReport, BatchRow } from "../batch/types.js";
import type { CliIO } from "../common/io.js";
import { knockOnCheckIds } from "../reporters/knockOns.js";
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
 * diff (--compare), the HTML page (--html) and every submission that could not be graded, with
 * its full message. Returns 1 when a submission could not be graded or an unchanged
 * submission's grade moved, else 0; `batch` and `merge` then make the second case exit 3
 * (compareExitCode).
 */
export function finishBatchReport(
  report: BatchReport,
  args: BatchReportArgs,
  io: CliIO,
  gradesCsvFile: string,
  previous: BatchRow[] | null,
): number {
  const stored = readAllStoredResults(dirname(gradesCsvFile));
  const summary = summarizeBatch(report, { knockOns: knockOnsOf(stored) });
  io.stdout(`\n${formatBatchSummary(summary)}`);
  io.stdout(`grades written to ${shownPath(io.cwd, gradesCsvFile)}\n`);
  if (args.html !== undefined) {
    const html = renderHtmlReport(report, summary, { failures: failuresByFolder(stored) });
    writeReport(io.cwd, args.html, html);
    io.stdout(`HTML report written to ${args.html}\n`);
  }
  let unstable = false;
  if (previous !== null) {
    const diff = compareRows(previous, report.rows);
    io.stdout(`\n${formatRegradeDiff(diff, args.compare!)}`);
    unstable = diff.changed.some((change) => change.unstable);
  }
  const errors = formatBatchErrors(report.rows);
  if (errors !== "") io.stdout(`\n${errors}`);
  return errors !== "" || unstable ? EXIT_FAILED : EXIT_PASSED;
}

/**
 * Each graded submission's knock-on failures, read from its stored result, so the summary
 * counts the checks that really failed (a row without a stored result counts as before).
 */
function knockOnsOf(results: ReadonlyMap<string, StoredResult>): Map<string, string[]> {
  const knockOns = new Map<string, string[]>();
  for (const [folder, stored] of results) {
    if (stored.status === "graded") knockOns.set(folder, knockOnCheckIds(stored.result));
  }
  return knockOns;
}

/** A file as the TA would type it from where gradmark runs: relative below it, else in full. */
function shownPath(cwd: string, file: string): string {
  const path = relative(cwd, file);
  return path !== "" && !path.startsWith("..") && !isAbsolute(path) ? path : file;
}
