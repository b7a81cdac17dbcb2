import type { CommandModule } from "yargs";
import { mergeShards } from "../../batch/mergeShards.js";
import { EXIT_UNSTABLE_REGRADE } from "../../batch/tables/compareGrades.js";
import { EXPORT_NAMES, selectExports } from "../../batch/tables/exports/index.js";
import type { CliIO } from "../../common/io.js";
import { batchExitCode } from "../batchExitCode.js";
import { type CommandContext, runGuarded } from "../shared.js";

export interface MergeArgs {
  parts: string[];
  out: string;
  export?: string | string[];
  html?: string;
  compare?: string;
}

/** The exit codes of merge, for its --help. */
const EXIT_CODES = `Exit codes: 0 every submission was graded, 1 some could not be, 2 usage or infrastructure error, ${EXIT_UNSTABLE_REGRADE} --compare found an unchanged submission (same hash and seed) graded differently (whether or not some could not be graded).`;

/** `gradmark merge <parts...> --out <dir>`: one class's grades from the --out folders of its shards. */
export function runMergeCommand(args: MergeArgs, io: CliIO): Promise<number> {
  return runGuarded(io, "merge", async () => {
    const result = mergeShards(
      {
        parts: args.parts,
        outDir: args.out,
        exports: selectExports(args.export),
        html: args.html,
        compare: args.compare,
      },
      io,
    );
    return batchExitCode(result);
  });
}

export function mergeCommand(context: CommandContext): CommandModule<object, MergeArgs> {
  return {
    command: "merge <parts...>",
    describe: "join the --out folders of a batch's shards into one (same grades.csv as one run)",
    builder: (yargs) =>
      yargs
        .positional("parts", {
          type: "string",
          array: true,
          demandOption: true,
          describe: "the shards' --out folders",
        })
        .option("out", {
          type: "string",
          demandOption: true,
          describe: "the merged results folder",
        })
        .option("compare", {
          type: "string",
          describe: "an earlier grades.csv or --out folder: list every student whose grade changed",
        })
        .option("html", { type: "string", describe: "also write a self-contained HTML report" })
        .option("export", {
          type: "string",
          choices: EXPORT_NAMES,
          describe:
            "also write a gradebook import into --out: canvas (canvas.csv; the parts need a Canvas roster)",
        })
        .example("$0 merge part-1 part-2 part-3 --out results", "after --shard 1/3, 2/3 and 3/3")
        .epilogue(EXIT_CODES),
    handler: async (args) => context.exit(await runMergeCommand(args, context.io)),
  };
}
