import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Assignment } from "../authoring/types.js";
import { UsageError } from "../common/UsageError.js";
import { version } from "../common/version.js";
import { WorkerPool, type WorkerSpec } from "./pool/WorkerPool.js";
import type { WorkerToParent } from "./pool/workerProtocol.js";
import { buildBatchReport } from "./report/buildBatchReport.js";
import { relativeToClass } from "./report/formatBatchSummary.js";
import {
  type BatchManifest,
  batchProblems,
  MANIFEST_VERSION,
  writeManifest,
} from "./store/batchManifest.js";
import { compareNames, findSubmissions, type SubmissionEntry } from "./store/findSubmissions.js";
import { hashFile, hashSubmission, SubmissionInputError } from "./store/hashSubmission.js";
import {
  assignmentFingerprint,
  type BatchKey,
  isReusable,
  readStoredResult,
  removeTemporaryFiles,
  STORED_RESULT_VERSION,
  type StoredResult,
  writeFileAtomic,
  writeStoredResult,
} from "./store/resultStore.js";
import { inShard, type Shard } from "./store/shard.js";
import {
  CLASS_UNZIP_LIMITS,
  DEFAULT_UNZIP_LIMITS,
  UnzipError,
  unzipSubmission,
} from "./store/unzipSubmission.js";
import { formatGradesCsv } from "./tables/gradesCsv.js";
import { type Roster, type RosterFile, resolveRoster } from "./tables/readRoster.js";
import type { BatchReport } from "./types.js";

export interface BatchOptions {
  /** One sub-folder or .zip per submission; or a .zip holding such a folder. */
  classDir: string;
  /** Results, grades.csv and batch.json go here. */
  outDir: string;
  assignment: Assignment;
  /** The file the assignment came from (workers load it again), or null for the built-in one. */
  assignmentFile: string | null;
  /** Default: the assignment's seed. */
  seed?: number;
  /** Workers grading at once; default: the number of cores. */
  jobs?: number;
  /**
   * A roster as read (matched here against every submission, before any --shard split), or
   * one already resolved to folders.
   */
  roster?: Roster | RosterFile | null;
  /** Keep stored results that are complete and valid for the same key and submission. */
  resume?: boolean;
  shard?: Shard | null;
  workerSpec?: WorkerSpec;
  /** Aborting stops the workers and their sandboxes; runBatch then rejects. */
  signal?: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
}

export type BatchEvent =
  | { type: "start"; total: number; toGrade: number; reused: number; jobs: number }
  | { type: "finished"; folder: string; stored: StoredResult; done: number; total: number };

export interface BatchOutcome {
  report: BatchReport;
  manifest: BatchManifest;
  /** Submissions graded by this run, and taken over from an earlier one by --resume. */
  graded: number;
  reused: number;
  gradesCsvFile: string;
}

export class BatchInterrupted extends Error {}

/** The submission's identity for --resume and --compare: its files, or a zip's bytes. */
export function submissionHash(entry: SubmissionEntry): string {
  if (entry.kind === "folder") return hashSubmission(entry.path, DEFAULT_UNZIP_LIMITS);
  const size = statSync(entry.path).size;
  if (size > DEFAULT_UNZIP_LIMITS.zipBytes) {
    // The worker would refuse it unread; no need to read it here either.
    throw new SubmissionInputError(
      `the zip is ${size} bytes, over the limit of ${DEFAULT_UNZIP_LIMITS.zipBytes}`,
      false,
    );
  }
  return `zip-${hashFile(entry.path, `${entry.folder}.zip`)}`;
}

/** A submission's hash, and why it cannot be graded if it cannot (null when it can). */
export interface SubmissionIdentity {
  hash: string;
  problem: { message: string; retry: boolean } | null;
}

/**
 * A submission over a limit, unreadable or failing in any other way while it is hashed becomes
 * its own error row, never the batch's failure. Such a row's hash is made from its message, so
 * --resume keeps it exactly as long as the files fail the same way.
 */
export function identifySubmission(entry: SubmissionEntry): SubmissionIdentity {
  try {
    return { hash: submissionHash(entry), problem: null };
  } catch (error) {
    const name = entry.kind === "zip" ? `${entry.folder}.zip` : entry.folder;
    // A file-system error names the file by its path on this machine: shown in the class folder.
    const why = relativeToClass(error instanceof Error ? error.message : String(error), [
      { path: dirname(entry.path), as: "" },
      { path: entry.path, as: name },
    ]);
    const problem =
      error instanceof SubmissionInputError
        ? { message: `${name}: ${why}`, retry: error.retry }
        : { message: `${name}: cannot read the submission (${why.split("\n")[0]})`, retry: true };
    const hash = `error-${createHash("sha256").update(problem.message).digest("hex")}`;
    return { hash, problem };
  }
}

/**
 * `gradmark batch`: grades every submission of a class in a pool of workers, writes each
 * result as it finishes (atomically), then grades.csv. With `resume`, only what is missing or
 * stale is graded, so a batch killed at any moment and run again ends with the same CSV.
 */
export async function runBatch(options: BatchOptions): Promise<BatchOutcome> {
  const classPath = resolve(options.classDir);
  if (!classPath.toLowerCase().endsWith(".zip") || !isFile(classPath)) {
    return gradeClass(options, classPath);
  }
  // A whole class in one zip: unpacked once, with the limits of a class rather than of a student.
  const unpacked = mkdtempSync(join(tmpdir(), "gradmark-class-"));
  try {
    let classDir: string;
    try {
      classDir = unzipSubmission(classPath, unpacked, CLASS_UNZIP_LIMITS);
    } catch (error) {
      if (error instanceof UnzipError)
        throw new UsageError(`${options.classDir}: ${error.message}`);
      throw error;
    }
    return await gradeClass(options, classDir);
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function gradeClass(options: BatchOptions, classDir: string): Promise<BatchOutcome> {
  const { assignment } = options;
  const seed = options.seed ?? assignment.seed;
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isSafeInteger(jobs) || jobs < 1)
    throw new UsageError(`-j must be a positive integer, got ${jobs}`);
  const outDir = resolve(options.outDir);
  const shard = options.shard ?? null;
  const found = findSubmissions(classDir);
  const entries = found.filter((e) => shard === null || inShard(e.folder, shard));
  const key: BatchKey = {
    assignmentId: assignment.id,
    assignmentFingerprint: await assignmentFingerprint(assignment, options.assignmentFile),
    seed,
    graderVersion: version,
  };
  const roster = [
    ...resolveRoster(
      options.roster ?? null,
      found.map((e) => e.folder),
    ),
  ]
    .filter(([folder]) => shard === null || inShard(folder, shard))
    .sort(([a], [b]) => compareNames(a, b));
  const manifest: BatchManifest = {
    manifestVersion: MANIFEST_VERSION,
    key,
    assignment: { id: assignment.id, title: assignment.title },
    problems: batchProblems(assignment),
    maxScore: assignment.maxScore,
    shard,
    submissions: entries.map((e) => e.folder),
    roster: options.roster ? roster : null,
  };
  mkdirSync(outDir, { recursive: true });
  removeTemporaryFiles(outDir);
  writeManifest(outDir, manifest);

  const identities = new Map(entries.map((e) => [e.folder, identifySubmission(e)]));
  const hashes = new Map([...identities].map(([folder, identity]) => [folder, identity.hash]));
  const results = new Map<string, StoredResult>();
  const queue: SubmissionEntry[] = [];
  for (const entry of entries) {
    const stored = options.resume ? readStoredResult(outDir, entry.folder) : null;
    if (stored && isReusable(stored, key, hashes.get(entry.folder)!))
      results.set(entry.folder, stored);
    else queue.push(entry);
  }
  const reused = results.size;
  // Submissions refused before grading (over a limit, unreadable) need no worker.
  const toWorkers = queue.filter((entry) => identities.get(entry.folder)!.problem === null);
  const workers = Math.max(1, Math.min(jobs, toWorkers.length));
  options.onEvent?.({
    type: "start",
    total: entries.length,
    toGrade: queue.length,
    reused,
    jobs: workers,
  });

  let done = reused;
  const finish = (folder: string, given: StoredResult) => {
    // Messages name submissions relative to the class folder (the workers' already do).
    const stored: StoredResult =
      given.status === "error"
        ? { ...given, message: relativeToClass(given.message, [{ path: classDir, as: "" }]) }
        : given;
    writeStoredResult(outDir, stored);
    results.set(folder, stored);
    done++;
    options.onEvent?.({ type: "finished", folder, stored, done, total: entries.length });
  };
  for (const entry of queue) {
    const identity = identities.get(entry.folder)!;
    if (identity.problem === null) continue;
    finish(entry.folder, {
      storedResultVersion: STORED_RESULT_VERSION,
      ...key,
      folder: entry.folder,
      submissionHash: identity.hash,
      status: "error",
      message: identity.problem.message,
      retry: identity.problem.retry,
    });
  }

  if (toWorkers.length > 0) {
    const unpackRoot = mkdtempSync(join(tmpdir(), "gradmark-batch-"));
    // The workers' scratch space too, so a grading stopped mid-way leaves nothing behind.
    const workerTemp = join(unpackRoot, "tmp");
    mkdirSync(workerTemp);
    const pool = new WorkerPool(
      workers,
      assignment.defaults.budgetMs * 2 + 60_000,
      options.workerSpec,
      workerTemp,
    );
    const onAbort = () => pool.close();
    options.signal?.addEventListener("abort", onAbort);
    try {
      await Promise.all(
        toWorkers.map(async (entry, index) => {
          const reply = await pool.grade({
            folder: entry.folder,
            path: entry.path,
            kind: entry.kind,
            seed,
            assignmentFile: options.assignmentFile,
            unpackDir: join(unpackRoot, String(index)),
          });
          if (options.signal?.aborted) return;
          const stored = toStored(reply, entry.folder, key, hashes.get(entry.folder)!);
          finish(entry.folder, stored);
        }),
      );
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      if (options.signal?.aborted) pool.close();
      else await pool.shutdown();
      rmSync(unpackRoot, { recursive: true, force: true });
    }
    if (options.signal?.aborted)
      throw new BatchInterrupted(
        "the batch was interrupted; run it again with --resume to finish it",
      );
  }

  const report = buildBatchReport(manifest, results, hashes);
  const gradesCsvFile = join(outDir, "grades.csv");
  writeFileAtomic(gradesCsvFile, formatGradesCsv(report));
  return { report, manifest, graded: entries.length - reused, reused, gradesCsvFile };
}

function toStored(
  reply: WorkerToParent,
  folder: string,
  key: BatchKey,
  submissionHash: string,
): StoredResult {
  const base = { storedResultVersion: 1 as const, ...key, folder, submissionHash };
  switch (reply.type) {
    case "graded":
      return { ...base, status: "graded", result: reply.result };
    case "unusable":
      return { ...base, status: "error", message: reply.message, retry: false };
    case "failed":
      return {
        ...base,
        status: "error",
        message: `the grader failed on this submission: ${reply.message}`,
        retry: true,
      };
    default:
      return {
        ...base,
        status: "error",
        message: "the grader's worker sent no result",
        retry: true,
      };
  }
}
