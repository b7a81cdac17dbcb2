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

/** What runBatch grades, where it writes, and how. */
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

/** What runBatch reports as it goes: the plan once, then each submission as it finishes. */
export type BatchEvent =
  | { type: "start"; total: number; toGrade: number; reused: number; jobs: number }
  | { type: "finished"; folder: string; stored: StoredResult; done: number; total: number };

/** What a finished runBatch wrote: the report behind grades.csv, batch.json's content, counts. */
export interface BatchOutcome {
  report: BatchReport;
  manifest: BatchManifest;
  /** Submissions graded by this run, and taken over from an earlier one by --resume. */
  graded: number;
  reused: number;
  gradesCsvFile: string;
}

/** runBatch's rejection when its signal is aborted; the results stored so far stay for --resume. */
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
    return gradeClassFolder(options, classPath);
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
    return await gradeClassFolder(options, classDir);
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

/** runBatch once the class folder is on disk (unpacked, when it came as one zip). */
async function gradeClassFolder(options: BatchOptions, classDir: string): Promise<BatchOutcome> {
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
  const manifest = classManifest(options, key, found, entries);
  mkdirSync(outDir, { recursive: true });
  removeTemporaryFiles(outDir);
  writeManifest(outDir, manifest);

  const identities = new Map(entries.map((e) => [e.folder, identifySubmission(e)]));
  const hashes = new Map([...identities].map(([folder, identity]) => [folder, identity.hash]));
  const { results, queue } = keptResults(options.resume === true, outDir, entries, key, hashes);
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
  const record = resultRecorder(options, { classDir, outDir, results, total: entries.length });
  for (const entry of queue) {
    const identity = identities.get(entry.folder)!;
    if (identity.problem !== null) record(entry.folder, refusedResult(entry, identity, key));
  }
  if (toWorkers.length > 0) {
    await gradeInWorkers(toWorkers, { options, seed, key, hashes, workers, record });
  }

  const report = buildBatchReport(manifest, results, hashes);
  const gradesCsvFile = join(outDir, "grades.csv");
  writeFileAtomic(gradesCsvFile, formatGradesCsv(report));
  return { report, manifest, graded: entries.length - reused, reused, gradesCsvFile };
}

/**
 * batch.json's content: the key, the assignment's problems, this shard's submissions and, with a
 * roster, its students matched against every submission of the class (before the shard split).
 */
function classManifest(
  options: BatchOptions,
  key: BatchKey,
  found: readonly SubmissionEntry[],
  entries: readonly SubmissionEntry[],
): BatchManifest {
  const { assignment } = options;
  const shard = options.shard ?? null;
  const roster = [
    ...resolveRoster(
      options.roster ?? null,
      found.map((e) => e.folder),
    ),
  ]
    .filter(([folder]) => shard === null || inShard(folder, shard))
    .sort(([a], [b]) => compareNames(a, b));
  return {
    manifestVersion: MANIFEST_VERSION,
    key,
    assignment: { id: assignment.id, title: assignment.title },
    problems: batchProblems(assignment),
    maxScore: assignment.maxScore,
    shard,
    submissions: entries.map((e) => e.folder),
    roster: options.roster ? roster : null,
  };
}

/**
 * With `resume`, the stored results still valid for the key and the submission's hash; the
 * other submissions queued, in class order.
 */
function keptResults(
  resume: boolean,
  outDir: string,
  entries: readonly SubmissionEntry[],
  key: BatchKey,
  hashes: ReadonlyMap<string, string>,
): { results: Map<string, StoredResult>; queue: SubmissionEntry[] } {
  const results = new Map<string, StoredResult>();
  const queue: SubmissionEntry[] = [];
  for (const entry of entries) {
    const stored = resume ? readStoredResult(outDir, entry.folder) : null;
    if (stored && isReusable(stored, key, hashes.get(entry.folder)!))
      results.set(entry.folder, stored);
    else queue.push(entry);
  }
  return { results, queue };
}

/**
 * What records a submission as it finishes: its result written (atomically) and kept in
 * `results`, and a "finished" event. Messages name submissions relative to the class folder (the
 * workers' already do).
 */
function resultRecorder(
  options: BatchOptions,
  run: { classDir: string; outDir: string; results: Map<string, StoredResult>; total: number },
): (folder: string, stored: StoredResult) => void {
  let done = run.results.size;
  return (folder, given) => {
    const stored: StoredResult =
      given.status === "error"
        ? { ...given, message: relativeToClass(given.message, [{ path: run.classDir, as: "" }]) }
        : given;
    writeStoredResult(run.outDir, stored);
    run.results.set(folder, stored);
    done++;
    options.onEvent?.({ type: "finished", folder, stored, done, total: run.total });
  };
}

/** The error row of a submission refused before grading (identifySubmission's problem). */
function refusedResult(
  entry: SubmissionEntry,
  identity: SubmissionIdentity,
  key: BatchKey,
): StoredResult {
  return {
    storedResultVersion: STORED_RESULT_VERSION,
    ...key,
    folder: entry.folder,
    submissionHash: identity.hash,
    status: "error",
    message: identity.problem!.message,
    retry: identity.problem!.retry,
  };
}

/**
 * Grades the submissions in a pool of `workers` worker processes, recording each as it ends.
 * Unpacked zips and the workers' scratch space live in one temporary folder, removed at the
 * end, so a grading stopped mid-way leaves nothing behind. Aborting `options.signal` closes the
 * pool (its sandboxes die with it) and rejects with BatchInterrupted.
 */
async function gradeInWorkers(
  entries: readonly SubmissionEntry[],
  run: {
    options: BatchOptions;
    seed: number;
    key: BatchKey;
    hashes: ReadonlyMap<string, string>;
    workers: number;
    record: (folder: string, stored: StoredResult) => void;
  },
): Promise<void> {
  const { options } = run;
  const unpackRoot = mkdtempSync(join(tmpdir(), "gradmark-batch-"));
  const workerTemp = join(unpackRoot, "tmp");
  mkdirSync(workerTemp);
  const pool = new WorkerPool(
    run.workers,
    options.assignment.defaults.budgetMs * 2 + 60_000,
    options.workerSpec,
    workerTemp,
  );
  const onAbort = () => pool.close();
  options.signal?.addEventListener("abort", onAbort);
  try {
    await Promise.all(
      entries.map(async (entry, index) => {
        const reply = await pool.grade({
          folder: entry.folder,
          path: entry.path,
          kind: entry.kind,
          seed: run.seed,
          assignmentFile: options.assignmentFile,
          unpackDir: join(unpackRoot, String(index)),
        });
        if (options.signal?.aborted) return;
        run.record(
          entry.folder,
          toStored(reply, entry.folder, run.key, run.hashes.get(entry.folder)!),
        );
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
