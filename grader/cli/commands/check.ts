import type { CommandModule } from "yargs";
import type { CliIO } from "../../common/io.js";
import { type GradeCommandArgs, runGradeFlow } from "../gradeFlow.js";
import { type CliDeps, type CommandContext, defaultDeps } from "../shared.js";
import { withGradeOptions } from "./reportOptions.js";

/** `gradmark check`: a fresh seed each run, hidden checks skipped, replay lines for failures. */
export function runCheckCommand(
  args: GradeCommandArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  return runGradeFlow("check", args, io, deps);
}

export function checkCommand(
  context: CommandContext,
): CommandModule<object, GradeCommandArgs & { watch?: boolean }> {
  return {
    command: "check [dir]",
    describe: "check your homework before submitting (new random cases every run)",
    builder: (yargs) =>
      withGradeOptions(yargs)
        .option("seed", {
          type: "string",
          describe: "replay the cases of an earlier run (default: a fresh random seed)",
        })
        .option("path", {
          type: "string",
          describe: "fast-check path of a counterexample to replay (from a replay line)",
        })
        .option("watch", {
          type: "boolean",
          describe:
            "stay open and re-check the problems a save in src/ changes (one seed per session; keys: a all with a new seed, f failed, q quit)",
        })
        .example("$0 check", "check the homework in this folder")
        .example("$0 check --only layers", "check one problem")
        .example("$0 check --watch", "re-check on every save")
        .example(
          "$0 check --seed 123 --only 3.linear.backward --path 4:0",
          "replay one failure exactly",
        ),
    handler: async (args) => {
      // The watcher (fs.watch, keys, the import graph) loads only when asked for.
      const run = args.watch
        ? (await import("../watch/watchCommand.js")).runWatchCommand
        : runCheckCommand;
      context.exit(await run(args, context.io, context.deps));
    },
  };
}
