import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import {
  type GradeClassOptions,
  type GradeClassResult,
  gradeClass,
} from "../../batch/gradeClass.js";
import { parseShard } from "../../batch/store/shard.js";
import { EXIT_UNSTABLE_REGRADE } from "../../batch/tables/compareGrades.js";
import {
  checkExportRoster,
  EXPORT_NAMES,
  selectExports,
} from "../../batch/tables/exports/index.js";
import { readRoster } from "../../batch/tables/readRoster.js";
import type { CliIO } from "../../common/io.js";
import { UsageError } from "../../common/UsageError.js";
import { checkIsolation, isolationLevel } from "../../sandbox/isolation/requireIsolation.js";
import { batchExitCode } from "../batchExitCode.js";
import { barProgress, lineProgress } from "../batchProgress.js";
import {
  assertFolder,
  type CliDeps,
  type CommandContext,
  defaultDeps,
  EXIT_ERROR,
  parseSeed,
  runGuarded,
} from "../shared.js";

export interface BatchArgs {
  dir: string;
  out: string;
  jobs?: number;
  roster?: string;
  resume?: boolean;
  shard?: string;
  seed?: string;
  assignment?: string;
  isolation?: string;
  export?: string | string[];
  html?: string;
  compare?: string;
}

/** Exit code of a batch stopped by Ctrl-C or SIGTERM, as shells report a SIGINT death. */
const EXIT_INTERRUPTED = 130;

/** The exit codes of batch, for its --help. */
const EXIT_CODES = `Exit codes: 0 every submission was graded (whatever the scores), 1 some could not be, 2 usage or infrastructure error, or a fault of the assignment (the batch stops at the first), ${EXIT_UNSTABLE_REGRADE} --compare found an unchanged submission (same hash and seed) graded differently (whether or not some could not be graded), ${EXIT_INTERRUPTED} interrupted.`;

/** `gradmark batch <dir> --out <dir>`: grade a whole class; see gradeClass. */
export function runBatchCommand(
  args: BatchArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  return runGuarded(io, "batch", async () => {
    const options = batchOptions(args, io);
    const assignment = await deps.loadAssignment(args.assignment, io.cwd);
    const progress = io.isTTY ? barProgress(process.stdout) : lineProgress(io.stdout);
    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);
    try {
      const result = await gradeClass(
        { ...options, assignment, progress, signal: controller.signal },
        io,
      );
      return exitCode(result, io);
    } finally {
      process.off("SIGINT", interrupt);
      process.off("SIGTERM", interrupt);
    }
  });
}

/**
 * The options of gradeClass from the arguments, each refused with one line before the
 * assignment loads and anyone is graded.
 */
function batchOptions(args: BatchArgs, io: CliIO): Omit<GradeClassOptions, "assignment"> {
  const classDir = resolve(io.cwd, args.dir);
  if (!classDir.toLowerCase().endsWith(".zip") || !existsSync(classDir))
    assertFolder(classDir, args.dir);
  if (args.jobs !== undefined && (!Number.isSafeInteger(args.jobs) || args.jobs < 1)) {
    throw new UsageError(`-j must be a positive integer, got ${args.jobs}`);
  }
  const seed =
    args.seed !== undefined
      ? parseSeed(args.seed, "--seed")
      : io.env.GRADMARK_SEED !== undefined
        ? parseSeed(io.env.GRADMARK_SEED, "GRADMARK_SEED")
        : undefined;
  // Refused before anyone is graded: the whole class would be graded without the network wall.
  checkIsolation(isolationLevel(args.isolation, io.env));
  const shard = args.shard === undefined ? null : parseShard(args.shard);
  const roster =
    args.roster === undefined ? null : readRoster(resolve(io.cwd, args.roster), args.roster);
  const exports = selectExports(args.export);
  checkExportRoster(exports, roster ? roster.students.map((student) => student.entry) : null);
  return {
    classDir: args.dir,
    outDir: args.out,
    assignmentFile: args.assignment === undefined ? null : resolve(io.cwd, args.assignment),
    seed,
    jobs: args.jobs,
    roster,
    resume: args.resume ?? false,
    shard,
    exports,
    html: args.html,
    compare: args.compare,
  };
}

/** The exit code of a batch, with the lines that say why it stopped early. */
function exitCode(result: GradeClassResult, io: CliIO): number {
  switch (result.status) {
    case "graded":
      return batchExitCode(result);
    case "stopped":
      io.stderr(`gradmark: ${result.fault}\n`);
      io.stderr(
        "gradmark: the batch stopped: this is the assignment's fault, not the students'; fix the assignment and run the batch again\n",
      );
      return EXIT_ERROR;
    case "interrupted":
      io.stderr(`gradmark: ${result.message}\n`);
      return EXIT_INTERRUPTED;
  }
}

export function batchCommand(context: CommandContext): CommandModule<object, BatchArgs> {
  return {
    command: "batch <dir>",
    describe: "grade every submission (sub-folder or .zip) of a class folder, in parallel",
    builder: (yargs) =>
      yargs
        .positional("dir", {
          type: "string",
          demandOption: true,
          describe: "one sub-folder or .zip per submission (or a .zip holding such a folder)",
        })
        .option("isolation", {
          type: "string",
          describe:
            "strict: refuse to grade where student code would have network access (default: $GRADMARK_ISOLATION, else best)",
        })
        .option("out", {
          type: "string",
          demandOption: true,
          describe: "results folder: results/<submission>.json, grades.csv, batch.json",
        })
        .option("jobs", {
          alias: "j",
          type: "number",
          describe: "submissions graded at once (default: the number of cores)",
        })
        .option("roster", {
          type: "string",
          describe:
            "CSV mapping submissions to students: folder,id,name, or the roster export of GitHub Classroom, Canvas or Gradescope",
        })
        .option("resume", {
          type: "boolean",
          describe:
            "keep results already in --out for the same assignment, seed, grader version and submission",
        })
        .option("shard", {
          type: "string",
          describe:
            "grade only part i of n (i/n), for a CI matrix or a Slurm array; join with merge",
        })
        .option("compare", {
          type: "string",
          describe: "an earlier grades.csv or --out folder: list every student whose grade changed",
        })
        .option("html", {
          type: "string",
          describe: "also write a self-contained HTML report (charts, common failures)",
        })
        .option("export", {
          type: "string",
          choices: EXPORT_NAMES,
          describe:
            "also write a gradebook import into --out: canvas (canvas.csv; needs a Canvas roster)",
        })
        .option("seed", {
          type: "string",
          describe: "grading seed (default: $GRADMARK_SEED if set, else the assignment's seed)",
        })
        .option("assignment", {
          type: "string",
          describe: "an assignment file made with defineAssignment; default: autodiff",
        })
        .example("$0 batch submissions --out results -j 4 --roster roster.csv", "grade a class")
        .example("$0 batch submissions --out results --resume", "finish a batch that was stopped")
        .example(
          "$0 batch submissions --out results-v2 --compare results",
          "regrade and list what changed",
        )
        .example(
          "$0 batch submissions --out results --roster canvas-gradebook.csv --export canvas",
          "also write results/canvas.csv for Canvas's gradebook import",
        )
        .epilogue(EXIT_CODES),
    handler: async (args) => context.exit(await runBatchCommand(args, context.io, context.deps)),
  };
}
