import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import { mergeBatchParts } from "../../batch/mergeBatchParts.js";
import { type BatchReportArgs, finishBatchReport, readComparison } from "../batchReport.js";
import type { CliIO } from "../io.js";
import { type CommandContext, runGuarded } from "../shared.js";

export interface MergeArgs extends BatchReportArgs {
  parts: string[];
  out: string;
}

/** `gradmark merge <parts...> --out <dir>`: one class's grades from the --out folders of its shards. */
export function runMergeCommand(args: MergeArgs, io: CliIO): Promise<number> {
  return runGuarded(io, "merge", async () => {
    const previous = readComparison(args, io);
    const parts = args.parts.map((part) => resolve(io.cwd, part));
    const merged = mergeBatchParts(parts, resolve(io.cwd, args.out));
    io.stdout(
      `merged ${parts.length} part(s): ${merged.manifest.submissions.length} submission(s)\n`,
    );
    return finishBatchReport(merged.report, args, io, merged.gradesCsvFile, previous);
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
        .example("$0 merge part-1 part-2 part-3 --out results", "after --shard 1/3, 2/3 and 3/3"),
    handler: async (args) => context.exit(await runMergeCommand(args, context.io)),
  };
}
