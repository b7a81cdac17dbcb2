/**
 * gradmark's programmatic API: grade a submission, write an assignment, render reports.
 * The CLI (`gradmark check`, `grade`, `list`, `selftest`) is a thin layer over these.
 */

export { loadAssignment } from "./assignments/loadAssignment.js";
export { defineAssignment } from "./authoring/defineAssignment.js";
export {
  allOf,
  describeResult,
  expectFinite,
  expectNumber,
  expectShape,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "./authoring/judge.js";
export type {
  Assignment,
  AssignmentDefaults,
  AssignmentDefinition,
  CheckDefinition,
  JudgeContext,
  ProblemDefinition,
  Verdict,
} from "./authoring/types.js";
export { AssignmentError } from "./common/AssignmentError.js";
export { UsageError } from "./common/UsageError.js";
export { version } from "./common/version.js";
export { type GradeOptions, gradeSubmission, selectChecks } from "./engine/gradeSubmission.js";
export * from "./model/results.js";
export { getReporter, reporters } from "./reporters/index.js";
export type { Reporter, ReportOptions } from "./reporters/Reporter.js";
export type { Driver } from "./sandbox/child/driver.js";
export { Opaque } from "./sandbox/wireValues.js";
