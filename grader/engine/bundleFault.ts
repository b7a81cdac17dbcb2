import { basename } from "node:path";
import type { Assignment } from "../authoring/types.js";
import { AssignmentError, shownFile } from "../common/AssignmentError.js";

/**
 * What a bundle that could not be built is: the student modules that do not bundle are left out
 * (and reported) before the last build, so when esbuild's error is in the drivers module (or in
 * the generated entry, which only imports the runtime and the drivers), the drivers module is at
 * fault: an AssignmentError. Any other error is returned as it is.
 */
export function bundleFault(error: unknown, assignment: Assignment): unknown {
  type Located = { file?: string; line?: number; column?: number } | null;
  const errors = (error as { errors?: { text?: string; location?: Located }[] })?.errors;
  if (!Array.isArray(errors)) return error;
  const driversName = basename(assignment.drivers);
  const drivers = errors.find((e) => {
    const file = e.location?.file ?? "";
    return (
      basename(file) === driversName ||
      basename(file) === "gradmark-entry.ts" ||
      (e.text ?? "").includes(driversName)
    );
  });
  if (!drivers) return error;
  const at = drivers.location;
  const place =
    at && basename(at.file ?? "") === driversName && at.line !== undefined
      ? ` at ${shownFile(assignment.drivers)}:${at.line}:${(at.column ?? 0) + 1}`
      : "";
  return new AssignmentError(
    assignment,
    null,
    `its drivers module ${shownFile(assignment.drivers)} could not be bundled for the sandbox: ${drivers.text ?? "unknown error"}${place}`,
  );
}
