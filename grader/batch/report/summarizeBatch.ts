import { compareNames } from "../store/findSubmissions.js";
import type {
  BatchProblem,
  BatchReport,
  BatchRow,
  BatchSummary,
  FailureCount,
  ProblemSummary,
} from "../types.js";

export interface SummarizeBatchOptions {
  /** At most this many entries in `commonFailures` (a positive integer; default 10). */
  limit?: number;
  /**
   * Per row (by folder), the ids of its knock-on failures: checks that pass on their own but
   * earn nothing because a check they require did not pass (`knockOnCheckIds` of the row's
   * result). They are left out of `commonFailures`, which so ranks root causes: the check they
   * wait for is counted already. Rows not in the map count every failed check.
   */
  knockOns?: ReadonlyMap<string, readonly string[]>;
}

const DEFAULT_FAILURE_LIMIT = 10;

/**
 * Scores are sums of fractional check points (0.25 + 0.5 + ...), so a full score may land a
 * rounding error below the maximum; this much below still counts as full marks.
 */
const FULL_MARKS_TOLERANCE = 1e-9;

/**
 * The class-wide figures of a batch: means, medians and full-marks rates over the graded rows
 * (an "error" row has no scores worth averaging), and the checks that fail most often.
 */
export function summarizeBatch(
  report: BatchReport,
  options: SummarizeBatchOptions = {},
): BatchSummary {
  const limit = failureLimit(options.limit);
  const graded = report.rows.filter((row) => row.status === "graded");
  const errors = report.rows.filter((row) => row.status === "error").length;
  const maxScore = report.problems.reduce((sum, problem) => sum + problem.maxScore, 0);
  return {
    // Only rows that had something to grade: a roster line without a submission is not one.
    submissions: graded.length + errors,
    graded: graded.length,
    errors,
    missing: report.rows.filter((row) => row.status === "missing").length,
    total: {
      maxScore,
      ...scoreFigures(
        graded.map((row) => row.total),
        maxScore,
      ),
    },
    problems: report.problems.map((problem) => summarizeProblem(problem, graded)),
    commonFailures: countFailures(report.problems, graded, options.knockOns).slice(0, limit),
  };
}

function failureLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_FAILURE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`summarizeBatch: limit must be a positive integer, got ${String(limit)}`);
  }
  return limit;
}

function summarizeProblem(problem: BatchProblem, graded: BatchRow[]): ProblemSummary {
  const scores = graded.map((row) => row.problems[problem.id] ?? 0);
  return {
    id: problem.id,
    title: problem.title,
    maxScore: problem.maxScore,
    ...scoreFigures(scores, problem.maxScore),
  };
}

function scoreFigures(scores: number[], maxScore: number) {
  if (scores.length === 0) return { mean: 0, median: 0, fullMarksRate: 0 };
  const fullMarks = scores.filter((score) => score >= maxScore - FULL_MARKS_TOLERANCE).length;
  return {
    mean: scores.reduce((sum, score) => sum + score, 0) / scores.length,
    median: median(scores),
    fullMarksRate: fullMarks / scores.length,
  };
}

/** Of a non-empty list; the mean of the two middle values for an even count. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Every failing check of the graded rows, most common first, ties by check id; a row's
 * knock-on failures are not counted.
 */
function countFailures(
  problems: BatchProblem[],
  graded: BatchRow[],
  knockOns: ReadonlyMap<string, readonly string[]> = new Map(),
): FailureCount[] {
  const students = new Map<string, number>();
  for (const row of graded) {
    const knockOn = new Set(knockOns.get(row.folder) ?? []);
    // A check listed twice in one row is still one student.
    for (const checkId of new Set(row.failedChecks)) {
      if (knockOn.has(checkId)) continue;
      students.set(checkId, (students.get(checkId) ?? 0) + 1);
    }
  }
  const known = checkIndex(problems);
  return [...students]
    .map(([checkId, count]) => ({
      checkId,
      // A check the assignment does not list (an older result) keeps its id, without a title.
      title: known.get(checkId)?.title ?? "",
      problemId: known.get(checkId)?.problemId ?? "",
      students: count,
    }))
    .sort((a, b) => b.students - a.students || compareNames(a.checkId, b.checkId));
}

function checkIndex(problems: BatchProblem[]): Map<string, { title: string; problemId: string }> {
  const index = new Map<string, { title: string; problemId: string }>();
  for (const problem of problems) {
    for (const check of problem.checks) {
      index.set(check.id, { title: check.title, problemId: problem.id });
    }
  }
  return index;
}
