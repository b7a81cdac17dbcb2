/**
 * gradmark's programmatic API: grade a submission, write an assignment, render reports.
 * The CLI (`gradmark check`, `grade`, `list`, `selftest`) is a thin layer over these.
 */

export { AssignmentError } from "./AssignmentError.js";
export { defineAssignment } from "./assignment/defineAssignment.js";
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
} from "./assignment/judge.js";
export { loadAssignment } from "./assignment/loadAssignment.js";
export type {
  Assignment,
  AssignmentDefaults,
  AssignmentDefinition,
  CheckDefinition,
  JudgeContext,
  ProblemDefinition,
  Verdict,
} from "./assignment/types.js";
export { type GradeOptions, gradeSubmission, selectChecks } from "./gradeSubmission.js";
export * from "./model/results.js";
export { getReporter, reporters } from "./reporters/index.js";
export type { Reporter, ReportOptions } from "./reporters/Reporter.js";
export type { Driver } from "./sandbox/child/driver.js";
export { Opaque } from "./sandbox/wireValues.js";
export { UsageError } from "./UsageError.js";
export { version } from "./version.js";
