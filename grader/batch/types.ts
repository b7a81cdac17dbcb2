/**
 * What a batch regrade produces, apart from the per-submission JSON results: one row per
 * submission (a line of grades.csv) and the batch's description. The summary, the CSV, the HTML
 * report, `--compare` and `merge` all read these.
 */

/**
 * "graded": a result exists (whatever its score). "error": the submission could not be graded.
 * "missing": the roster names a student with no submission.
 */
export type BatchRowStatus = "graded" | "error" | "missing";

export interface BatchRow {
  /** The submission's folder name (a zip file's name without `.zip`); rows sort by it. */
  folder: string;
  /** From the roster; the folder name when there is no roster or no line for it. */
  studentId: string;
  /** From the roster; "" without one. */
  name: string;
  status: BatchRowStatus;
  /** Score per problem id (0 for every problem when status is not "graded"). */
  problems: Record<string, number>;
  total: number;
  maxScore: number;
  seed: number;
  /** Ids of the checks that ran and did not pass, in assignment order. */
  failedChecks: string[];
  /** sha256 of the submission's files (names and contents), to tell a changed submission; "" when missing. */
  submissionHash: string;
  /** Why an "error" row could not be graded; "" otherwise. */
  message: string;
}

export interface BatchProblem {
  id: string;
  title: string;
  maxScore: number;
  checks: { id: string; title: string }[];
}

export interface BatchReport {
  assignment: { id: string; title: string };
  seed: number;
  graderVersion: string;
  problems: BatchProblem[];
  /** Sorted by folder. */
  rows: BatchRow[];
}

export interface ProblemSummary {
  id: string;
  title: string;
  maxScore: number;
  /** Over the graded rows; 0 when there are none. */
  mean: number;
  median: number;
  /** Share (0..1) of graded rows with full marks on the problem. */
  fullMarksRate: number;
}

export interface FailureCount {
  checkId: string;
  title: string;
  problemId: string;
  /** Graded submissions where this check ran and did not pass. */
  students: number;
}

export interface BatchSummary {
  submissions: number;
  graded: number;
  errors: number;
  /** Roster students without a submission (not counted in `submissions`). */
  missing?: number;
  total: { maxScore: number; mean: number; median: number; fullMarksRate: number };
  problems: ProblemSummary[];
  /** Most common first (ties by check id), at most `limit` of them. */
  commonFailures: FailureCount[];
}
