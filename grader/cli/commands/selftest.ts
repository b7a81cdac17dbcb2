import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import { type CliIO, decideColor } from "../../common/io.js";
import { UsageError } from "../../common/UsageError.js";
import { formatSelftestReport } from "../../selftest/formatSelftestReport.js";
import { runSelftest } from "../../selftest/runSelftest.js";
import { assignmentTargets, type SelftestTarget } from "../../selftest/selftestTargets.js";
import {
  type CliDeps,
  type CommandContext,
  defaultDeps,
  EXIT_ERROR,
  EXIT_FAILED,
  EXIT_PASSED,
  parseOnly,
  parseSeed,
  runGuarded,
} from "../shared.js";

export interface SelftestArgs {
  seed?: string;
  seeds?: number;
  only?: string | string[];
  /** Gradings run at once (each in its own sandboxed child). */
  jobs?: number;
  /** With --seeds: grade every problem of every sample under every seed. */
  full?: boolean;
  /** A custom assignment file, graded on the folders below instead of the checkout's. */
  assignment?: string;
  solution?: string;
  starter?: string;
  samples?: string;
}

/**
 * `gradmark selftest`: runSelftest over the checkout's targets (or `targets`), then the table;
 * exits 0 when every target agrees, 1 when one disagrees, 2 when one could not be graded.
 */
export function runSelftestCommand(
  args: SelftestArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
  targets?: SelftestTarget[],
): Promise<number> {
  return runGuarded(io, "selftest", async () => {
    const seed = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
    const custom = customTargets(args, io.cwd);
    const report = await runSelftest(
      {
        assignment: () => deps.loadAssignment(args.assignment, io.cwd),
        ...(custom !== undefined ? { targets: custom } : targets !== undefined ? { targets } : {}),
        only: parseOnly(args.only),
        seed,
        seeds: args.seeds,
        jobs: args.jobs,
        full: args.full,
        grade: deps.gradeSubmission,
      },
      io,
    );
    io.stdout(formatSelftestReport(report, decideColor(io.env, io.isTTY)));
    if (report.rows.some((row) => row.error)) return EXIT_ERROR;
    return report.rows.every((row) => row.agrees) ? EXIT_PASSED : EXIT_FAILED;
  });
}

/** The targets of `selftest --assignment` (its --solution, --starter, --samples), else undefined. */
function customTargets(args: SelftestArgs, cwd: string): SelftestTarget[] | undefined {
  const folders = { solution: args.solution, starter: args.starter, samples: args.samples };
  if (args.assignment === undefined) {
    const given = Object.entries(folders).find(([, value]) => value !== undefined);
    if (given) {
      throw new UsageError(
        `--${given[0]} goes with --assignment <file> (the built-in assignment's targets are the checkout's)`,
      );
    }
    return undefined;
  }
  if (folders.solution === undefined) {
    throw new UsageError(
      "selftest --assignment needs --solution <dir>: the staff solution, graded for full marks",
    );
  }
  for (const [flag, value] of Object.entries(folders)) {
    if (value === undefined) continue;
    const dir = resolve(cwd, value);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`--${flag} ${value}: no such folder`);
  }
  const at = (value: string | undefined) => (value === undefined ? undefined : resolve(cwd, value));
  return assignmentTargets({
    solution: resolve(cwd, folders.solution),
    ...(folders.starter !== undefined ? { starter: at(folders.starter) } : {}),
    ...(folders.samples !== undefined ? { samples: at(folders.samples) } : {}),
  });
}

export function selftestCommand(context: CommandContext): CommandModule<object, SelftestArgs> {
  return {
    command: "selftest",
    describe:
      "grade the staff solution, the starter and every sample submission against what each expects",
    builder: (yargs) =>
      yargs
        .option("seed", {
          type: "string",
          describe:
            "grading seed (default: the assignment's; with --seeds, the first seed, default 1)",
        })
        .option("seeds", {
          type: "number",
          describe: "grade every target under this many seeds (flakiness and power)",
        })
        .option("only", {
          type: "string",
          describe: "grade only the targets whose name contains one of these (comma-separate)",
        })
        .option("jobs", {
          alias: "j",
          type: "number",
          describe: "gradings run at once, each in its own sandboxed child (default 1)",
        })
        .option("assignment", {
          type: "string",
          describe:
            "an assignment file to test instead of the built-in one, on --solution (and --starter, --samples)",
        })
        .option("solution", {
          type: "string",
          describe: "with --assignment: the staff solution's folder (its src/ or its modules)",
        })
        .option("starter", {
          type: "string",
          describe: "with --assignment: the starter's folder, graded as all not implemented",
        })
        .option("samples", {
          type: "string",
          describe:
            "with --assignment: a folder of sample submissions, each with an expected.json (base: solution or starter means the folders above)",
        })
        .option("full", {
          type: "boolean",
          describe:
            "with --seeds: grade every problem of every sample under every seed (default: after the first seed, a sample laid over the staff solution is graded only in the problems whose module is, or imports, a module it changes, and those its expected.json names; the rest is the staff solution's code, graded under every seed as 'reference solution')",
        })
        .epilogue(
          "With --seeds N, the figures after the table count false failures (checks expected to pass that did not, by seed), missed mistakes (checks expected not to pass that passed, by sample and seed) other disagreements and each sample's catch rate, with the run time. Progress goes to stderr, one line per grading. Per-call time limits are wall-clock: keep -j at or below the free cores.",
        ),
    handler: async (args) => context.exit(await runSelftestCommand(args, context.io, context.deps)),
  };
}
