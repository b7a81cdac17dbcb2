import { join } from "node:path";
import { planAssignmentCopy } from "../planAssignmentCopy.js";

/** The folder of an autograder that holds the shipped assignment. */
export const SHIPPED_FOLDER = "assignment";

/** An assignment checked for shipping: where run_autograder finds it, and the copy to make. */
export interface AssignmentShipment {
  /** The assignment file's path relative to the autograder folder (for `--assignment`). */
  assignmentFile: string;
  /** Copies the assignment's folder into `<autograder>/assignment/` (replacing it). */
  copy: () => void;
}

/**
 * Checks that the folder of assignment `file` can be shipped in an autograder (see
 * planAssignmentCopy: it loads, and reads nothing outside its folder), hidden checks and all:
 * the autograder is staff's. Nothing is written until `copy`. An existing
 * `<autograder>/assignment/` is replaced only with `force`.
 */
export async function planAssignmentShipment(
  file: string,
  autograderDir: string,
  options: { force?: boolean; cwd?: string } = {},
): Promise<AssignmentShipment> {
  const plan = await planAssignmentCopy(file, join(autograderDir, SHIPPED_FOLDER), options);
  return { assignmentFile: plan.assignmentFile, copy: plan.write };
}
