import type { CommandModule } from "yargs";
import type { CliIO } from "../../common/io.js";
import { type GradeCommandArgs, runGradeFlow } from "../gradeFlow.js";
import { type CliDeps, type CommandContext, defaultDeps } from "../shared.js";
import { withGradeOptions } from "./reportOptions.js";

/** `gradmark grade`: the deterministic grade, hidden checks included. */
export function runGradeCommand(
  args: GradeCommandArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  return runGradeFlow("grade", args, io, deps);
}

export function gradeCommand(context: CommandContext): CommandModule<object, GradeCommandArgs> {
  return {
    command: "grade [dir]",
    describe: "grade a submission, hidden checks included (same seed, same score)",
    builder: (yargs) =>
      withGradeOptions(yargs)
        .option("seed", {
          type: "string",
          describe: "grading seed (default: $GRADMARK_SEED if set, else the assignment's seed)",
        })
        .option("path", {
          type: "string",
          describe: "fast-check path of a counterexample to replay (from a replay line)",
        })
        .example("$0 grade --format json --out results.json", "grade this folder for CI")
        .example("GRADMARK_SEED=42 $0 grade submissions/alice", "grade with a secret seed"),
    handler: async (args) => context.exit(await runGradeCommand(args, context.io, context.deps)),
  };
}
