import { loadAssignmentFile } from "../authoring/loadAssignmentFile.js";
import type { Assignment } from "../authoring/types.js";

/**
 * The assignment to grade: the built-in `autodiff` when `file` is undefined, otherwise the one
 * in that file (see loadAssignmentFile; relative paths are resolved against `cwd`).
 */
export async function loadAssignment(
  file?: string,
  cwd: string = process.cwd(),
): Promise<Assignment> {
  if (file === undefined) {
    const { autodiff } = await import("./autodiff/index.js");
    return autodiff;
  }
  return loadAssignmentFile(file, cwd);
}
