/**
 * gradmark's programmatic API: grade a submission, write an assignment, render reports, grade a
 * class, test the grader, scaffold repositories. The CLI is a thin layer over these: `check` and
 * `grade` over gradeSubmission and publishGradeReport, `batch` over gradeClass, `merge` over
 * mergeShards, `selftest` over runSelftest, `init` over scaffoldStudentRepo and
 * writeGradescopeAutograder, `list` over loadAssignment and assignmentOutline, `check --watch` over
 * watchSubmission. Functions that print take an output
 * interface (CliIO, or the part of it they use) instead of writing to the process.
 */

export { loadAssignment } from "./assignments/loadAssignment.js";
export {
  assignmentFileFor,
  type RepoAssignment,
  repoAssignment,
} from "./assignments/repoAssignment.js";
// Builders: a layer or a function of the submission as a table, its checks generated and run
// in gradmark's own drivers (no drivers module needed), with the parts of their cases.
export {
  type FunctionSpec,
  functionChecks,
} from "./authoring/builders/functionChecks.js";
export {
  downstreamArb,
  probeSeedArb,
  scalarDownstreamArb,
} from "./authoring/builders/internal/caseParts.js";
export { BuilderSpecError } from "./authoring/builders/internal/specRules.js";
export {
  type LayerCase,
  type LayerDraw,
  type LayerSpec,
  layerChecks,
} from "./authoring/builders/layerChecks.js";
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
  isOpaque,
  type OpaqueValue,
  PASS,
  showValue,
} from "./authoring/judge.js";
export type {
  Assignment,
  AssignmentDefaults,
  AssignmentDefinition,
  CheckDefinition,
  Driver,
  JudgeContext,
  ProblemDefinition,
  Verdict,
} from "./authoring/types.js";
// Grading a class: the batch with its reports (gradeClass), its parts (runBatch, reportBatch)
// and joining the shards of one (mergeShards), with what builds their options.
export {
  type BatchProgress,
  type GradeClassOptions,
  type GradeClassResult,
  gradeClass,
} from "./batch/gradeClass.js";
export {
  type MergeShardsOptions,
  type MergeShardsResult,
  mergeShards,
} from "./batch/mergeShards.js";
export {
  type BatchReportOptions,
  type BatchReportStatus,
  reportBatch,
} from "./batch/report/reportBatch.js";
export {
  type BatchEvent,
  BatchInterrupted,
  type BatchOptions,
  type BatchOutcome,
  runBatch,
} from "./batch/runBatch.js";
export { parseShard, type Shard } from "./batch/store/shard.js";
export {
  checkExportRoster,
  EXPORT_NAMES,
  type GradebookExport,
  selectExports,
} from "./batch/tables/exports/index.js";
export { type MergeOutcome, mergeBatchParts } from "./batch/tables/mergeBatchParts.js";
export { type Roster, type RosterFile, readRoster } from "./batch/tables/readRoster.js";
export type { BatchProblem, BatchReport, BatchRow, BatchRowStatus } from "./batch/types.js";
export { AssignmentError } from "./common/AssignmentError.js";
export type { CliIO } from "./common/io.js";
export { UsageError } from "./common/UsageError.js";
export { version } from "./common/version.js";
export { type GradeOptions, gradeSubmission, selectChecks } from "./engine/gradeSubmission.js";
// Scaffolding a student repository and a Gradescope autograder.
export {
  type GradmarkDependency,
  type GradmarkSource,
  gradmarkDependency,
  parseGradmarkSource,
} from "./init/gradmarkSource.js";
export { type ScaffoldOptions, scaffoldStudentRepo } from "./init/scaffoldStudentRepo.js";
export {
  type AssignmentShipment,
  planAssignmentShipment,
} from "./integrations/gradescope/shipAssignment.js";
export {
  type GradescopeAutograderOptions,
  writeGradescopeAutograder,
} from "./integrations/gradescope/writeGradescopeAutograder.js";
export {
  type AssignmentCopy,
  type AssignmentCopyOptions,
  HIDDEN_MODULE,
  planAssignmentCopy,
} from "./integrations/planAssignmentCopy.js";
// A grade's report printed or written as check and grade do (with GitHub Actions' additions).
export {
  type PublishGradeReportOptions,
  publishGradeReport,
} from "./integrations/publishGradeReport.js";
export * from "./model/results.js";
export {
  type AssignmentOutline,
  assignmentOutline,
  renderOutline,
} from "./reporters/assignmentOutline.js";
export { getReporter, reporters } from "./reporters/index.js";
export type { Reporter, ReportOptions } from "./reporters/Reporter.js";
// Grading the staff solution and the sample submissions against what each expects.
export type { ExpectedOutcome } from "./selftest/expectedOutcome.js";
export { formatSelftestReport } from "./selftest/formatSelftestReport.js";
export { runSelftest, type SelftestOptions, type SelftestReport } from "./selftest/runSelftest.js";
export type { SeedGrading } from "./selftest/seedFigures.js";
export type { SelftestRow } from "./selftest/selftestRow.js";
export {
  ALL_NOT_IMPLEMENTED,
  type AssignmentSelftestFolders,
  assignmentTargets,
  FULL_MARKS,
  type SelftestTarget,
  selftestTargets,
} from "./selftest/selftestTargets.js";
// Watch mode: one warm process that re-grades what a save touches.
export {
  type KeyInput,
  type WatchHandle,
  type WatchOptions,
  type WatchRun,
  watchSubmission,
} from "./watch/watchSubmission.js";
