import type { BatchReportStatus } from "../batch/report/reportBatch.js";
import { EXIT_UNSTABLE_REGRADE } from "../batch/tables/compareGrades.js";
import { EXIT_FAILED, EXIT_PASSED } from "./shared.js";

/**
 * The exit code of a batch or merge that wrote its grades: EXIT_UNSTABLE_REGRADE when --compare
 * found an unchanged submission graded differently (whether or not some could not be graded),
 * 1 when some submission could not be graded, else 0.
 */
export function batchExitCode(status: BatchReportStatus): number {
  if (status.unstable) return EXIT_UNSTABLE_REGRADE;
  return status.ungraded ? EXIT_FAILED : EXIT_PASSED;
}
