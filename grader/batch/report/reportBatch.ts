import { dirname, isAbsolute, relative } from "node:path";
import type { CliIO } from "../../common/io.js";
import { writeReportFile } from "../../common/writeReportFile.js";
import { knockOnCheckIds } from "../../reporters/knockOns.js";
import { readAllStoredResults, type StoredResult } from "../store/resultStore.js";
import { compareRows, hasUnstableRegrade } from "../tables/compareGrades.js";
import type { BatchReport, BatchRow } from "../types.js";
import { failuresByFolder } from "./buildBatchReport.js";
import { formatBatchErrors, formatBatchSummary } from "./formatBatchSummary.js";
import { formatRegradeDiff } from "./formatRegradeDiff.js";
import { renderHtmlReport } from "./htmlReport.js";
import { summarizeBatch } from "./summarizeBatch.js";

export interface BatchReportOptions {
  /** Also write the self-contained HTML report to this file (relative to `io.cwd`). */
  html?: string;
  /** An earlier run's rows, and the name it was given by, to list the grades that changed. */
  compare?: { name: string; rows: readonly BatchRow[] };
}

/** What the report found that makes a batch or merge exit with something other than 0. */
export interface BatchReportStatus {
  /** Some submission could not be graded. */
  ungraded: boolean;
  /** An unchanged submission (same hash and seed) was graded differently than in `compare`. */
  unstable: boolean;
}

/**
 * What `batch` and `merge` print and write once grades.csv exists: the summary (knock-on
 * failures counted from the stored results), where the grades are, the HTML page (`html`), the
 * regrade diff (`compare`) and every submission that could not be graded, with its full message.
 */
export function reportBatch(
  report: BatchReport,
  gradesCsvFile: string,
  options: BatchReportOptions,
  io: Pick<CliIO, "stdout" | "cwd">,
): BatchReportStatus {
  const stored = readAllStoredResults(dirname(gradesCsvFile));
  const summary = summarizeBatch(report, { knockOns: knockOnsOf(stored) });
  io.stdout(`\n${formatBatchSummary(summary)}`);
  io.stdout(`grades written to ${shownPath(io.cwd, gradesCsvFile)}\n`);
  if (options.html !== undefined) {
    const html = renderHtmlReport(report, summary, { failures: failuresByFolder(stored) });
    writeReportFile(io.cwd, options.html, html);
    io.stdout(`HTML report written to ${options.html}\n`);
  }
  let unstable = false;
  if (options.compare !== undefined) {
    const diff = compareRows(options.compare.rows, report.rows);
    io.stdout(`\n${formatRegradeDiff(diff, options.compare.name)}`);
    unstable = hasUnstableRegrade(diff);
  }
  const errors = formatBatchErrors(report.rows);
  if (errors !== "") io.stdout(`\n${errors}`);
  return { ungraded: errors !== "", unstable };
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
