import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import {
  assignmentCodeFingerprint,
  builtinFingerprint,
  codeFingerprint,
} from "../../authoring/bundleAssignment.js";
import type { Assignment } from "../../authoring/types.js";
import { type GradeResult, SCHEMA_VERSION } from "../../model/results.js";

/** Version of the per-submission file below (not of the GradeResult inside it). */
export const STORED_RESULT_VERSION = 1;

/** What a stored result must match to be reused by `--resume` or merged with others. */
export interface BatchKey {
  assignmentId: string;
  /**
   * A hash of the assignment's problems, checks, points and limits, of its code (the assignment
   * file and what it imports, or the built-in assignment) and of its drivers and what they
   * import: assignmentFingerprint.
   */
  assignmentFingerprint: string;
  seed: number;
  graderVersion: string;
}

interface StoredBase extends BatchKey {
  storedResultVersion: typeof STORED_RESULT_VERSION;
  folder: string;
  submissionHash: string;
}

/**
 * One submission's outcome as a batch keeps it in `<out>/results/<folder>.json`. An "error" is
 * a submission that could not be graded; `retry` says whether grading it again could help (the
 * grader's worker died) or not (the zip is unsafe, there is no src/).
 */
export type StoredResult =
  | (StoredBase & { status: "graded"; result: GradeResult })
  | (StoredBase & { status: "error"; message: string; retry: boolean });

/**
 * What `--resume` and `merge` compare to tell whether results were graded by the same
 * assignment: its check table (problems, checks, points, defaults, limits), its code as esbuild
 * bundles it (`assignmentFile` and everything it imports, transitively: reference functions,
 * judges, helpers; the built-in assignment's own code when `assignmentFile` is null) and its
 * drivers with what they import. Files are named relative to their folder in what is hashed, so
 * the same sources give the same fingerprint on any machine, in any folder. The grader's own
 * modules (`gradmark`, `gradmark/tensor`, `gradmark/checks`, `fast-check`) are covered by the
 * grader's version, which the key holds too.
 */
export async function assignmentFingerprint(
  assignment: Assignment,
  assignmentFile: string | null,
): Promise<string> {
  const shape = {
    id: assignment.id,
    modules: assignment.modules,
    defaults: assignment.defaults,
    limits: assignment.limits,
    problems: assignment.problems.map((p) => ({
      id: p.id,
      module: p.module,
      checks: p.checks.map((c) => [
        c.id,
        c.points,
        c.hidden ?? false,
        c.runs,
        c.timeoutMs,
        c.requires,
        c.driver,
        c.tolerance,
      ]),
    })),
  };
  const code =
    assignmentFile === null
      ? await builtinFingerprint()
      : await assignmentCodeFingerprint(assignmentFile);
  const drivers = existsSync(assignment.drivers)
    ? await codeFingerprint(assignment.drivers)
    : "none";
  return createHash("sha256")
    .update(JSON.stringify({ shape, code, drivers }))
    .digest("hex")
    .slice(0, 16);
}

export function resultsDir(outDir: string): string {
  return join(outDir, "results");
}

function resultFile(outDir: string, folder: string): string {
  return join(resultsDir(outDir), `${folder}.json`);
}

/**
 * Writes a result so that no reader ever sees half of it: the text goes to a temporary file
 * in the same folder, which is then renamed over the final name (atomic on one file system).
 */
export function writeStoredResult(outDir: string, stored: StoredResult): void {
  writeFileAtomic(resultFile(outDir, stored.folder), `${JSON.stringify(stored)}\n`);
}

export function writeFileAtomic(file: string, text: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temporary = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** A stored result if its file exists and is complete and well-formed; otherwise null. */
export function readStoredResult(outDir: string, folder: string): StoredResult | null {
  const file = resultFile(outDir, folder);
  if (!existsSync(file)) return null;
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return isStoredResult(value) && value.folder === folder ? value : null;
  } catch {
    return null;
  }
}

/** Every well-formed stored result in an output folder, by folder name. */
export function readAllStoredResults(outDir: string): Map<string, StoredResult> {
  const found = new Map<string, StoredResult>();
  const dir = resultsDir(outDir);
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".json") || name.startsWith(".tmp-")) continue;
    const stored = readStoredResult(outDir, name.slice(0, -5));
    if (stored) found.set(stored.folder, stored);
  }
  return found;
}

/** Left-over temporary files of a batch that was killed mid-write. */
export function removeTemporaryFiles(outDir: string): void {
  const dir = resultsDir(outDir);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir))
    if (name.startsWith(".tmp-")) rmSync(join(dir, name), { force: true });
}

export function sameKey(a: BatchKey, b: BatchKey): boolean {
  return (
    a.assignmentId === b.assignmentId &&
    a.assignmentFingerprint === b.assignmentFingerprint &&
    a.seed === b.seed &&
    a.graderVersion === b.graderVersion
  );
}

/** Whether `--resume` may keep a stored result instead of grading the submission again. */
export function isReusable(stored: StoredResult, key: BatchKey, submissionHash: string): boolean {
  if (!sameKey(stored, key) || stored.submissionHash !== submissionHash) return false;
  return stored.status === "graded" || !stored.retry;
}

function isStoredResult(value: unknown): value is StoredResult {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const base =
    v.storedResultVersion === STORED_RESULT_VERSION &&
    typeof v.folder === "string" &&
    typeof v.submissionHash === "string" &&
    typeof v.assignmentId === "string" &&
    typeof v.assignmentFingerprint === "string" &&
    typeof v.seed === "number" &&
    typeof v.graderVersion === "string";
  if (!base) return false;
  if (v.status === "error") return typeof v.message === "string" && typeof v.retry === "boolean";
  if (v.status !== "graded" || typeof v.result !== "object" || v.result === null) return false;
  const result = v.result as Record<string, unknown>;
  return (
    result.schemaVersion === SCHEMA_VERSION &&
    typeof result.score === "number" &&
    typeof result.maxScore === "number" &&
    Array.isArray(result.problems)
  );
}
