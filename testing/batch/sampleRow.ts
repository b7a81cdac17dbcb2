import type { BatchRow } from "../../grader/batch/types.js";

/** A graded row for tests: `total` split over problems 1 and 2 (max 20), seed 5. */
export function row(folder: string, total: number, extra: Partial<BatchRow> = {}): BatchRow {
  return {
    folder,
    studentId: folder,
    name: "",
    status: "graded",
    problems: { "1": total / 2, "2": total / 2 },
    total,
    maxScore: 20,
    seed: 5,
    failedChecks: [],
    submissionHash: `hash-${folder}`,
    message: "",
    ...extra,
  };
}
