import type { CheckResult, CheckStatus, GradeResult } from "../../model/results.js";
import { knockOnRoots, planKnockOns } from "../../reporters/knockOns.js";
import type { BatchManifest } from "../store/batchManifest.js";
import { compareNames } from "../store/findSubmissions.js";
import type { StoredResult } from "../store/resultStore.js";
import type { BatchReport, BatchRow } from "../types.js";

/**
 * The rows of a batch from its manifest and stored results: one per submission, plus one
 * "missing" row per roster student without a submission, sorted by folder.
 */
export function buildBatchReport(
  manifest: BatchManifest,
  results: ReadonlyMap<string, StoredResult>,
  hashes: ReadonlyMap<string, string> = new Map(),
): BatchReport {
  const roster = new Map(manifest.roster ?? []);
  const zeros = () => Object.fromEntries(manifest.problems.map((p) => [p.id, 0]));
  const rows: BatchRow[] = manifest.submissions.map((folder) => {
    const student = roster.get(folder);
    const base = {
      folder,
      studentId: student?.id ?? folder,
      name: student?.name ?? "",
      seed: manifest.key.seed,
      maxScore: manifest.maxScore,
    };
    const stored = results.get(folder);
    if (stored === undefined || stored.status === "error") {
      return {
        ...base,
        status: "error",
        problems: zeros(),
        total: 0,
        failedChecks: [],
        submissionHash: stored?.submissionHash ?? hashes.get(folder) ?? "",
        message: stored?.message ?? "not graded: the batch stopped before this submission finished",
      };
    }
    const checks: CheckResult[] = stored.result.problems.flatMap((p) => p.checks);
    return {
      ...base,
      status: "graded",
      problems: {
        ...zeros(),
        ...Object.fromEntries(stored.result.problems.map((p) => [p.id, p.score])),
      },
      total: stored.result.score,
      maxScore: stored.result.maxScore,
      failedChecks: checks.filter(failed).map((c) => c.id),
      submissionHash: stored.submissionHash,
      message: "",
    };
  });
  const submitted = new Set(manifest.submissions);
  for (const [folder, student] of roster) {
    if (submitted.has(folder)) continue;
    rows.push({
      folder,
      studentId: student.id,
      name: student.name,
      status: "missing",
      problems: zeros(),
      total: 0,
      maxScore: manifest.maxScore,
      seed: manifest.key.seed,
      failedChecks: [],
      submissionHash: "",
      message: "no submission",
    });
  }
  rows.sort((a, b) => compareNames(a.folder, b.folder));
  return {
    assignment: manifest.assignment,
    seed: manifest.key.seed,
    graderVersion: manifest.key.graderVersion,
    problems: manifest.problems,
    rows,
  };
}

/** A failed check that is a root cause: not a knock-on failure waiting for another check. */
export interface RootCauseFailure {
  checkId: string;
  title: string;
  status: CheckStatus;
  /** As the result has it, in full (the HTML report shortens it). */
  message: string;
  /** The knock-on failures that wait for this check: they earn their points once it passes. */
  knockOns: number;
}

/** What a graded submission lost points on, for the HTML report's per-student details. */
export interface SubmissionFailures {
  /** In assignment order. */
  rootCauses: RootCauseFailure[];
  /** All of the submission's knock-on failures (left out of `rootCauses`). */
  knockOns: number;
}

/**
 * The failed checks of a result (every status but passed and skipped, as `failedChecks`) split
 * as the summary counts them: root causes, listed with their messages, and knock-on failures
 * (see reporters/knockOns.ts), only counted, each under the root cause it waits for.
 */
export function submissionFailures(result: GradeResult): SubmissionFailures {
  const rootCauses: RootCauseFailure[] = [];
  let knockOns = 0;
  for (const problem of result.problems) {
    const isRoot = (check: CheckResult) => failed(check) && knockOnRoots(check) === null;
    const plan = planKnockOns(problem.checks, isRoot);
    for (const check of problem.checks) {
      if (!failed(check)) continue;
      if (!isRoot(check)) {
        knockOns++;
        continue;
      }
      rootCauses.push({
        checkId: check.id,
        title: check.title,
        status: check.status,
        message: check.message,
        knockOns: plan.costs(check).length,
      });
    }
  }
  return { rootCauses, knockOns };
}

/** `submissionFailures` of every graded stored result, by folder. */
export function failuresByFolder(
  results: ReadonlyMap<string, StoredResult>,
): Map<string, SubmissionFailures> {
  const failures = new Map<string, SubmissionFailures>();
  for (const [folder, stored] of results) {
    if (stored.status === "graded") failures.set(folder, submissionFailures(stored.result));
  }
  return failures;
}

function failed(check: CheckResult): boolean {
  return check.status !== "passed" && check.status !== "skipped";
}
