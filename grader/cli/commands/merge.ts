import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import { readManifest } from "../../batch/store/batchManifest.js";
import { compareExitCode, EXIT_UNSTABLE_REGRADE } from "../../batch/tables/compareGrades.js";
import {
  checkExportRoster,
  EXPORT_NAMES,
  selectExports,
  writeExports,
} from "../../batch/tables/exports/index.js";
import { mergeBatchParts } from "../../batch/tables/mergeBatchParts.js";
import type { RosterEntry } from "../../batch/tables/readRoster.js";
import type { CliIO } from "../../common/io.js";
import { type BatchReportArgs, finishBatchReport, readComparison } from "../batchReport.js";
import { type CommandContext, runGuarded } from "../shared.js";

export interface MergeArgs extends BatchReportArgs {
  parts: string[];
  out: string;
  export?: string | string[];
}

/** The exit codes of merge, for its --help. */
const EXIT_CODES = `Exit codes: 0 every submission was graded, 1 some could not be, 2 usage or infrastructure error, ${EXIT_UNSTABLE_REGRADE} --compare found an unchanged submission (same hash and seed) graded differently (whether or not some could not be graded).`;

/** `gradmark merge <parts...> --out <dir>`: one class's grades from the --out folders of its shards. */
export function runMergeCommand(args: MergeArgs, io: CliIO): Promise<number> {
  return runGuarded(io, "merge", async () => {
    const previous = readComparison(args, io);
    const parts = args.parts.map((part) => resolve(io.cwd, part));
    const exports = selectExports(args.export);
    const roster = exports.length > 0 ? rosterOfParts(parts) : undefined;
    if (roster !== undefined) checkExportRoster(exports, roster);
    const outDir = resolve(io.cwd, args.out);
    const merged = mergeBatchParts(parts, outDir);
    io.stdout(
      `merged ${parts.length} part(s): ${merged.manifest.submissions.length} submission(s)\n`,
    );
    const code = finishBatchReport(merged.report, args, io, merged.gradesCsvFile, previous);
    const exported = writeExports(exports, merged.report, merged.manifest.roster, outDir, args.out);
    for (const line of exported) io.stdout(`${line}\n`);
    return compareExitCode(code, previous, merged.report.rows);
  });
}

/**
 * The roster entries the parts were graded with (null when one had no roster), read before the
 * merge so that an export the roster cannot feed is refused before anything is written;
 * undefined when a part cannot be read, which mergeBatchParts then reports.
 */
function rosterOfParts(parts: readonly string[]): RosterEntry[] | null | undefined {
  const entries: RosterEntry[] = [];
  for (const part of parts) {
    let roster: [string, RosterEntry][] | null;
    try {
      roster = readManifest(part).roster;
    } catch {
      return undefined;
    }
    if (roster === null) return null;
    entries.push(...roster.map(([, entry]) => entry));
  }
  return entries;
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
