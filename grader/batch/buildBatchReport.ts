import type { CheckResult } from "../model/results.js";
import type { BatchManifest } from "./batchManifest.js";
import { compareNames } from "./findSubmissions.js";
import type { StoredResult } from "./resultStore.js";
import type { BatchReport, BatchRow } from "./types.js";

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
      failedChecks: checks
        .filter((c) => c.status !== "passed" && c.status !== "skipped")
        .map((c) => c.id),
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
