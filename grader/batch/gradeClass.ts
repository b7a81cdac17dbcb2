import { resolve } from "node:path";
import { assignmentFaultIn } from "../common/AssignmentError.js";
import type { CliIO } from "../common/io.js";
import { type BatchReportStatus, reportBatch } from "./report/reportBatch.js";
import {
  type BatchEvent,
  BatchInterrupted,
  type BatchOptions,
  type BatchOutcome,
  runBatch,
} from "./runBatch.js";
import { readPreviousRows } from "./tables/compareGrades.js";
import { type GradebookExport, writeExports } from "./tables/exports/index.js";

/** Shows a batch's progress as it goes; stopped before anything else is printed. */
export interface BatchProgress {
  onEvent: (event: BatchEvent) => void;
  stop: () => void;
}

export interface GradeClassOptions extends Omit<BatchOptions, "onEvent"> {
  /**
   * Gradebook imports to write into `outDir` (see selectExports); check them against the
   * roster first (checkExportRoster), so that a mismatch is refused before anyone is graded.
   */
  exports?: readonly GradebookExport[];
  /** Also write the self-contained HTML report to this file. */
  html?: string;
  /** An earlier grades.csv or results folder: list every student whose grade changed. */
  compare?: string;
  progress?: BatchProgress;
}

/**
 * How a class batch ended. "graded": grades.csv and the reports are written; "stopped": a fault
 * of the assignment (AssignmentError) came back from a worker and stopped the batch, since it
 * would fail every submission alike; "interrupted": `signal` was aborted (run again with
 * `resume` to finish).
 */
export type GradeClassResult =
  | ({ status: "graded"; outcome: BatchOutcome } & BatchReportStatus)
  | { status: "stopped"; fault: string }
  | { status: "interrupted"; message: string };

/**
 * `gradmark batch`: runBatch over a class, then what it prints and writes (reportBatch, the
 * exports). Paths are relative to `io.cwd`; `outDir` is shown as given. The `compare` run is
 * read before anything is written (it may be the same folder as `outDir`).
 */
export async function gradeClass(
  options: GradeClassOptions,
  io: Pick<CliIO, "stdout" | "cwd">,
): Promise<GradeClassResult> {
  const { exports = [], html, compare, progress, ...batch } = options;
  const previous =
    compare === undefined
      ? undefined
      : { name: compare, rows: readPreviousRows(resolve(io.cwd, compare)) };
  const outDir = resolve(io.cwd, options.outDir);
  const run = await runStoppingAtFault(
    { ...batch, classDir: resolve(io.cwd, options.classDir), outDir },
    progress,
  );
  if (run.status !== "graded") return run;
  const { outcome } = run;
  const status = reportBatch(
    outcome.report,
    outcome.gradesCsvFile,
    { html, compare: previous },
    io,
  );
  const exported = writeExports(
    exports,
    outcome.report,
    outcome.manifest.roster,
    outDir,
    options.outDir,
  );
  for (const line of exported) io.stdout(`${line}\n`);
  return { status: "graded", outcome, ...status };
}

/** How runBatch ended, before anything is reported. */
type BatchRun =
  | { status: "graded"; outcome: BatchOutcome }
  | Exclude<GradeClassResult, { status: "graded" }>;

/**
 * runBatch, aborted by the first fault of the assignment a worker reports (the fault may also
 * come with the last submission, before the abort could stop anything) or by `signal`. The
 * progress is stopped however it ends.
 */
async function runStoppingAtFault(
  options: BatchOptions,
  progress: BatchProgress | undefined,
): Promise<BatchRun> {
  const { signal, ...batch } = options;
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort);
  let fault: string | null = null;
  const onEvent = (event: BatchEvent) => {
    progress?.onEvent(event);
    if (fault !== null || event.type !== "finished" || event.stored.status !== "error") return;
    fault = assignmentFaultIn(event.stored.message, batch.assignment.id);
    if (fault !== null) abort();
  };
  try {
    const outcome = await runBatch({ ...batch, signal: controller.signal, onEvent });
    progress?.stop();
    return fault !== null ? { status: "stopped", fault } : { status: "graded", outcome };
  } catch (error) {
    progress?.stop();
    if (fault !== null) return { status: "stopped", fault };
    if (error instanceof BatchInterrupted) return { status: "interrupted", message: error.message };
    throw error;
  } finally {
    signal?.removeEventListener("abort", abort);
  }
}
