import type fc from "fast-check";
import type { Tolerance } from "../../checks/index.js";
import type { SandboxLimits } from "../sandbox/Sandbox.js";

/** What a check's judge gets besides the case and the result. */
export interface JudgeContext {
  /** The check's own seed (derived from the grading seed and the check id). */
  seed: number;
  tolerance: Tolerance;
  /** Wall time of the child's batch, in ms, measured by the parent (for time limits). */
  wallMs: number;
}

/** A judge's decision on one run. Messages are for the student: say what differs and how. */
export type Verdict = { pass: true } | { pass: false; message: string };

/**
 * One graded check: fast-check generates cases in the parent, a named driver runs each case
 * against the submission in the sandboxed child, and `judge` compares the result in the parent.
 */
// biome-ignore lint/suspicious/noExplicitAny: a list of checks holds checks of different case types.
export interface CheckDefinition<Case = any> {
  /** Unique in the assignment; the id `--only` accepts, e.g. "3.linear.backward". */
  id: string;
  title: string;
  points: number;
  /** Hidden checks run only in `grade`; `check` says how many there are. */
  hidden?: boolean;
  /** Property runs (default: the assignment's). */
  runs?: number;
  /** Time limit per run in ms (default: the assignment's). */
  timeoutMs?: number;
  /** Added to the message when a run exceeds the time limit (say what is likely too slow). */
  timeoutHint?: string;
  /**
   * Given the message of a run that threw ("threw Error: ..." with the submission's frames), a
   * sentence to add after it (for instance which other check to fix first), or null.
   */
  threwNote?: (message: string) => string | null;
  tolerance?: Partial<Tolerance>;
  /** Ids of checks whose pass this one's points depend on (shape, immutability, finiteness). */
  requires?: string[];
  cases: fc.Arbitrary<Case>;
  /** Name of the driver, in the assignment's drivers module, that runs one case in the child. */
  driver: string;
  /** The data the driver gets for one case (kit Tensors allowed anywhere inside). */
  payload: (testCase: Case) => unknown;
  /**
   * Compares the driver's result in the parent: Tensors revived, anything that was not plain data
   * (a class instance, a function, a fake tensor) as an opaque value (see `isOpaque`).
   */
  judge: (testCase: Case, result: unknown, context: JudgeContext) => Verdict;
  /** The case as a student should read it (default: a generic printer). */
  show?: (testCase: Case) => string;
}

export interface ProblemDefinition {
  id: string;
  title: string;
  /** The src/ module this problem grades (its load errors cost this problem only). */
  module: string;
  /** If set, the checks' points must add up to it. */
  points?: number;
  /**
   * How long this problem takes to grade, relative to the others (a hint for scheduling: when
   * problems are graded two at a time, the heaviest start first). Default: the number of runs
   * of its checks. Give more to a problem whose few runs are long, such as a training run.
   */
  weight?: number;
  checks: CheckDefinition[];
}

export interface AssignmentDefaults {
  runs: number;
  timeoutMs: number;
  tolerance: Tolerance;
  /** Time budget for a whole submission, in ms. */
  budgetMs: number;
}

export interface AssignmentDefinition {
  id: string;
  title: string;
  /** The grading seed `grade` uses unless told otherwise. */
  seed: number;
  /** Module names under src/ (without extension), e.g. ["layers", "autograd"]. */
  modules: string[];
  /**
   * Absolute path of the drivers module bundled into the child (imports only the kit). Optional
   * when every check uses gradmark's own drivers (the checks of layerChecks and functionChecks).
   */
  drivers?: string;
  defaults?: Partial<AssignmentDefaults>;
  limits?: Partial<SandboxLimits>;
  /**
   * How hidden checks show on platforms that list every test (Gradescope): "hidden" never,
   * "after_published" once grades are published, "after_due_date" after the deadline.
   * Default: $GRADMARK_GRADESCOPE_HIDDEN, else "after_published".
   */
  hiddenVisibility?: "hidden" | "after_published" | "after_due_date";
  problems: ProblemDefinition[];
}

/** A validated assignment with defaults filled in. */
export interface Assignment extends AssignmentDefinition {
  /** The drivers module: the definition's, or an empty one (gradmark's own drivers only). */
  drivers: string;
  defaults: AssignmentDefaults;
  limits: SandboxLimits;
  maxScore: number;
  /**
   * The file whose code called defineAssignment (absolute), when the call's stack tells it:
   * messages about the assignment's own faults name it (see AssignmentError).
   */
  definedIn?: string;
}

/**
 * What a drivers module exports, by name: a driver runs one case of a check inside the sandbox's
 * child. It gets the submission's modules by name (each loaded on first use) and the case's
 * payload (kit Tensors revived), calls student code and returns the raw results (Tensors,
 * numbers, plain objects); it never judges. A drivers module imports only types from
 * `gradmark`, and values from `gradmark/tensor` and its own files.
 */
export type Driver = (
  modules: Record<string, Record<string, unknown>>,
  payload: unknown,
) => unknown;
