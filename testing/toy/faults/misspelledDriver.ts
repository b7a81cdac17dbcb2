import { defineAssignment } from "../../../grader/authoring/defineAssignment.js";
import { toyAssignment } from "../toyAssignment.js";

/**
 * The toy assignment with a staff typo: check 1.add.values names the driver "cal", which the
 * drivers module does not have ("call"). An assignment file, for `--assignment` and batch tests.
 */
export default defineAssignment({
  ...toyAssignment,
  id: "toy-typo",
  problems: toyAssignment.problems.map((problem) => ({
    ...problem,
    checks: problem.checks.map((check) =>
      check.id === "1.add.values" ? { ...check, driver: "cal" } : check,
    ),
  })),
});
