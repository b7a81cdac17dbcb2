import type { Assignment, CheckDefinition } from "../authoring/types.js";
import { AssignmentError } from "../common/AssignmentError.js";

/** Throws the AssignmentError of a check whose tolerance (with the defaults) is not usable. */
export function checkTolerance(check: CheckDefinition, assignment: Assignment): void {
  const bad = toleranceProblem({ ...assignment.defaults.tolerance, ...check.tolerance });
  if (bad !== null) {
    throw new AssignmentError(
      assignment,
      check.id,
      `${bad} (the assignment's defaults or the check's tolerance)`,
    );
  }
}

/** Why a tolerance cannot be used (atol or rtol not a finite number of 0 or more), or null. */
function toleranceProblem(tolerance: { atol: number; rtol: number }): string | null {
  for (const key of ["atol", "rtol"] as const) {
    const value = tolerance[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      return `its tolerance ${key} is ${String(value)}, not a finite number of 0 or more`;
    }
  }
  return null;
}
