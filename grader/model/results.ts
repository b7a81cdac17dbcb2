/**
 * The result model every reporter reads. JSON reports serialise exactly this (schemaVersion 1);
 * change it only together with the schema version and the README's schema section.
 */
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
  /** Empty when passed; otherwise what went wrong, for the student. */
  message: string;
  /** The (shrunk) failing case, printed readably; null when passed or not applicable. */
  counterexample: string | null;
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
  /** What the submission printed, size-capped; never parsed. */
  output: { stdout: string; stderr: string };
  /** Hidden checks not run in this mode. */
  hiddenSkipped: number;
  durationMs: number;
}
