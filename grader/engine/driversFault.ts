import type { Assignment, CheckDefinition } from "../authoring/types.js";
import { AssignmentError, describeThrown, shownFile } from "../common/AssignmentError.js";
import { STANDARD_DRIVER_PREFIX } from "../sandbox/child/standard/standardDrivers.js";
import type { BatchResult } from "../sandbox/Sandbox.js";

/**
 * The AssignmentError of a batch the sandbox refused to run: the drivers module did not load in
 * the child, or lacks a driver. A missing driver is charged to the first check, in the
 * assignment's order, that names one; a drivers module that does not load, to `check`.
 */
export function driversFault(
  batch: Extract<BatchResult, { kind: "drivers-error" | "unknown-driver" }>,
  check: CheckDefinition,
  assignment: Assignment,
  bundleFile: string,
  mapStack: ((stack: string) => string) | undefined,
): AssignmentError {
  const drivers = shownFile(assignment.drivers);
  if (batch.kind === "drivers-error") {
    const error = describeThrown(batch, { mapStack, skipFiles: [bundleFile] });
    return new AssignmentError(
      assignment,
      check.id,
      `its drivers module ${drivers} failed to load in the sandbox: ${error} (drivers run in the sandbox, which cannot load the grader: import only types from "gradmark", and values from gradmark/tensor or the drivers' own files)`,
    );
  }
  const lacking = assignment.problems
    .flatMap((p) => p.checks)
    .filter((c) => batch.missing.includes(c.driver));
  const culprit = lacking[0] ?? check;
  // gradmark's own drivers are in every child, not in the module the message names.
  const own = batch.known.filter((name) => !name.startsWith(STANDARD_DRIVER_PREFIX));
  const known =
    own.length === 0
      ? "it has no drivers"
      : `it has: ${own.slice(0, 12).join(", ")}${own.length > 12 ? `, ... (${own.length})` : ""}`;
  const more =
    lacking.length > 1
      ? `; ${lacking.length - 1} more check${lacking.length > 2 ? "s" : ""} name drivers it does not have (${[...new Set(lacking.slice(1).map((c) => c.driver))].join(", ")})`
      : "";
  return new AssignmentError(
    assignment,
    culprit.id,
    `its driver ${JSON.stringify(culprit.driver)} is not in the drivers module ${drivers} (${known})${more}`,
  );
}
