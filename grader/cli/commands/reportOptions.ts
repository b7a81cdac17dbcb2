import type { Argv } from "yargs";
import { formatNames } from "../../reporters/index.js";

/** Options `check` and `grade` share (the folder positional, selection, assignment, report). */
export function withGradeOptions(yargs: Argv) {
  return yargs
    .positional("dir", {
      type: "string",
      default: ".",
      describe: "the submission folder (the one that holds src/)",
    })
    .option("only", {
      type: "string",
      describe: "run only these problems, exports or checks (ids; repeat or comma-separate)",
    })
    .option("assignment", {
      type: "string",
      describe: "an assignment file (.ts or .js) made with defineAssignment; default: autodiff",
    })
    .option("format", {
      type: "string",
      default: "terminal",
      describe: `report format: ${formatNames().join(", ")}`,
    })
    .option("out", {
      type: "string",
      describe: "write the report to this file instead of stdout",
    })
    .option("isolation", {
      type: "string",
      describe:
        "strict: refuse to grade where student code would have network access (default: $GRADMARK_ISOLATION, else best)",
    });
}
