import type { GradeResult } from "../../model/results.js";

/** One submission for a batch worker to grade. */
export interface GradeJob {
  folder: string;
  /** The submission folder, or the .zip to unpack first. */
  path: string;
  kind: "folder" | "zip";
  seed: number;
  /** An assignment file (absolute), or null for the built-in one. */
  assignmentFile: string | null;
  /** Where a zip is unpacked (a folder of the batch's own, removed when the batch ends). */
  unpackDir: string;
}

/** "stop": the batch is done; exit once nothing runs (the worker's sandboxes are closed). */
export type ParentToWorker = { type: "grade"; job: GradeJob } | { type: "stop" };

/**
 * What a worker answers. "unusable": the submission cannot be graded as it is (unsafe zip, no
 * src/), so grading it again would not help. "failed": the grader itself failed on it.
 */
export type WorkerToParent =
  | { type: "ready" }
  | { type: "graded"; folder: string; result: GradeResult }
  | { type: "unusable"; folder: string; message: string }
  | { type: "failed"; folder: string; message: string };

export function isWorkerMessage(value: unknown): value is WorkerToParent {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === "ready" || type === "graded" || type === "unusable" || type === "failed";
}
