import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../../common/UsageError.js";
import { buildBatchReport } from "../report/buildBatchReport.js";
import { manifestFile, readManifest } from "../store/batchManifest.js";
import { readAllStoredResults } from "../store/resultStore.js";
import type { BatchRow } from "../types.js";
import { parseGradesCsv } from "./gradesCsv.js";

export interface RegradeChange {
  folder: string;
  studentId: string;
  name: string;
  before: { total: number; status: string };
  after: { total: number; status: string };
  delta: number;
  /** Checks that passed before and fail now, and the other way round. */
  nowFailing: string[];
  nowPassing: string[];
  /** Same submission (same hash) graded under the same seed: it must not have changed. */
  unstable: boolean;
}

export interface RegradeDiff {
  compared: number;
  changed: RegradeChange[];
  /** Folders only in the new run, and only in the previous one. */
  added: string[];
  removed: string[];
}

/**
 * The rows of an earlier batch: its grades.csv, its --out folder (batch.json and results/),
 * or that folder's results/ sub-folder. Results carry more than the CSV (every check), but
 * either is enough for a diff.
 */
export function readPreviousRows(path: string): BatchRow[] {
  if (!existsSync(path)) throw new UsageError(`--compare: no such file or folder: ${path}`);
  if (statSync(path).isFile()) {
    try {
      return parseGradesCsv(readFileSync(path, "utf8"), path);
    } catch (error) {
      throw new UsageError(`--compare: ${(error as Error).message}`);
    }
  }
  const outDir =
    basename(path) === "results" && existsSync(manifestFile(dirname(path))) ? dirname(path) : path;
  if (existsSync(manifestFile(outDir))) {
    const manifest = readManifest(outDir);
    return buildBatchReport(manifest, readAllStoredResults(outDir)).rows;
  }
  const csv = join(outDir, "grades.csv");
  if (existsSync(csv)) return readPreviousRows(csv);
  throw new UsageError(
    `--compare: ${path} holds neither grades.csv nor a batch's results (batch.json)`,
  );
}

/** Every student whose score, status or checks changed between two runs. */
export function compareRows(
  previous: readonly BatchRow[],
  current: readonly BatchRow[],
): RegradeDiff {
  const before = new Map(previous.map((row) => [row.folder, row]));
  const now = new Map(current.map((row) => [row.folder, row]));
  const changed: RegradeChange[] = [];
  for (const row of current) {
    const old = before.get(row.folder);
    if (!old) continue;
    const oldFailed = new Set(old.failedChecks);
    const newFailed = new Set(row.failedChecks);
    const nowFailing = row.failedChecks.filter((id) => !oldFailed.has(id));
    const nowPassing = old.failedChecks.filter((id) => !newFailed.has(id));
    const delta = round(row.total - old.total);
    if (
      delta === 0 &&
      old.status === row.status &&
      nowFailing.length === 0 &&
      nowPassing.length === 0
    )
      continue;
    changed.push({
      folder: row.folder,
      studentId: row.studentId,
      name: row.name,
      before: { total: old.total, status: old.status },
      after: { total: row.total, status: row.status },
      delta,
      nowFailing,
      nowPassing,
      unstable:
        old.submissionHash !== "" &&
        old.submissionHash === row.submissionHash &&
        old.seed === row.seed,
    });
  }
  return {
    compared: current.filter((row) => before.has(row.folder)).length,
    changed,
    added: current.filter((row) => !before.has(row.folder)).map((row) => row.folder),
    removed: previous.filter((row) => !now.has(row.folder)).map((row) => row.folder),
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Exit code of `batch --compare` and `merge --compare` when a submission with the same hash, graded under
 * the same seed, got a different grade: the grader is not reproducible. It wins over 1 (some
 * submission could not be graded), which a class almost always has, so that a script can tell.
 */
export const EXIT_UNSTABLE_REGRADE = 3;

/** True when the diff holds an unchanged submission graded differently (see RegradeChange). */
export function hasUnstableRegrade(diff: RegradeDiff): boolean {
  return diff.changed.some((change) => change.unstable);
}

/**
 * The exit code of a batch or merge run with --compare: EXIT_UNSTABLE_REGRADE when an unchanged
 * submission's grade moved, else `code` (0 all graded, 1 some could not be).
 */
export function compareExitCode(
  code: number,
  previous: readonly BatchRow[] | null,
  current: readonly BatchRow[],
): number {
  if (previous === null) return code;
  return hasUnstableRegrade(compareRows(previous, current)) ? EXIT_UNSTABLE_REGRADE : code;
}
