import type { Assignment, CheckDefinition } from "../authoring/types.js";
import type { CheckResult, ProblemResult } from "../model/results.js";
import type { SubmissionBundle } from "../sandbox/bundleSubmission.js";

/** What every problem of one grading shares. */
export interface ProblemContext {
  assignment: Assignment;
  bundle: SubmissionBundle;
  seed: number;
  deadline: number;
  srcDir: string;
  path: string | undefined;
  /** See GradeOptions.shrink. */
  shrink: boolean;
  willRun: (check: CheckDefinition) => boolean;
  revealHidden: boolean;
  /** See GradeOptions.onCheck. */
  onCheck: ((problem: ProblemResult, check: CheckResult) => void) | undefined;
  mapStack: (stack: string) => string;
}
