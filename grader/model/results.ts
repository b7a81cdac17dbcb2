/**
 * The result model every reporter reads. JSON reports serialise exactly this (schemaVersion 1);
 * change it only together with the schema version and the README's schema section.
 */
import type { SandboxReport } from "./SandboxReport.js";

export const SCHEMA_VERSION = 1;

export type CheckStatus =
  | "passed"
  | "failed"
  | "not-implemented"
  | "error"
  | "timeout"
  | "memory-limit"
  | "crashed"
  /** Not run: hidden in `check`, or left out by `--only`. */
  | "skipped";

export interface Replay {
  /** The grading seed of the whole run. */
  seed: number;
  /** The check to run alone. */
  only: string;
  /** fast-check's path to the shrunk counterexample. */
  path?: string;
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  score: number;
  maxScore: number;
  hidden: boolean;
  /**
   * Empty when passed; otherwise what went wrong, for the student. For a hidden check only the
   * status and a generic sentence (unless the details were revealed for staff).
   */
  message: string;
  /**
   * The (shrunk) failing case, printed readably; null when passed or not applicable, and for a
   * hidden check (unless revealed).
   */
  counterexample: string | null;
  /** How to replay the failure; null when passed, and for a hidden check (unless revealed). */
  replay: Replay | null;
  /** Property runs executed (including shrinking). */
  runs: number;
  durationMs: number;
}

export interface ProblemResult {
  id: string;
  title: string;
  module: string;
  score: number;
  maxScore: number;
  checks: CheckResult[];
}

export interface GradeResult {
  schemaVersion: typeof SCHEMA_VERSION;
  graderVersion: string;
  assignment: { id: string; title: string };
  seed: number;
  /** "grade" runs hidden checks too; "check" skips them. */
  mode: "grade" | "check";
  score: number;
  maxScore: number;
  problems: ProblemResult[];
  /**
   * What the submission printed, size-capped; never parsed. Nothing printed while hidden checks
   * ran is kept (they run in children of their own, see gradeSubmission): `withheldBytes` counts
   * it (stdout and stderr together), and is absent when no hidden check ran or when the hidden
   * details were revealed (`revealHidden`, for staff; then that output is in stdout and stderr).
   * The count is for staff: student-visible reports must never show it (it is a channel).
   */
  output: { stdout: string; stderr: string; withheldBytes?: number };
  /** Hidden checks not run in this mode. */
  hiddenSkipped: number;
  /**
   * The layers that protected the grading (see SandboxReport and the README's security model);
   * absent only in results written before gradmark recorded it.
   */
  sandbox?: SandboxReport;
  durationMs: number;
}
