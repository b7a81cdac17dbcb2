import type { CommandModule } from "yargs";
import { type CliIO, decideColor } from "../../common/io.js";
import { formatSelftestReport } from "../../selftest/formatSelftestReport.js";
import { runSelftest } from "../../selftest/runSelftest.js";
import type { SelftestTarget } from "../../selftest/selftestTargets.js";
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

// Tests outside the CLI still import the staff solution's expectation from here.

export interface SelftestArgs {
  seed?: string;
  seeds?: number;
  only?: string | string[];
  /** Gradings run at once (each in its own sandboxed child). */
  jobs?: number;
  /** With --seeds: grade every problem of every sample under every seed. */
  full?: boolean;
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
    const report = await runSelftest(
      {
        assignment: () => deps.loadAssignment(undefined, io.cwd),
        ...(targets !== undefined ? { targets } : {}),
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
