import { resolve } from "node:path";
import { assignmentFileFor } from "../assignments/repoAssignment.js";
import type { CliIO } from "../common/io.js";
import { UsageError } from "../common/UsageError.js";
import { publishGradeReport } from "../integrations/publishGradeReport.js";
import { getReporter } from "../reporters/index.js";
import { isolationLevel } from "../sandbox/isolation/requireIsolation.js";
import {
  assertFolder,
  type CliDeps,
  defaultDeps,
  exitCodeFor,
  parseOnly,
  parseSeed,
  replayBase,
  runGuarded,
} from "./shared.js";

/** The options `check` and `grade` share, as yargs parses them. */
export interface GradeCommandArgs {
  dir: string;
  seed?: string;
  only?: string | string[];
  path?: string;
  assignment?: string;
  format: string;
  out?: string;
  isolation?: string;
}

/**
 * `check` and `grade`: validate the arguments, load the assignment, grade (gradeSubmission),
 * then print or write the report (publishGradeReport). Returns the exit code; never throws.
 */
export function runGradeFlow(
  mode: "check" | "grade",
  args: GradeCommandArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  return runGuarded(io, mode, async () => {
    const reporter = getReporter(args.format);
    const only = parseOnly(args.only);
    if (args.path !== undefined && only.length !== 1) {
      throw new UsageError("--path replays one check: name it with exactly one --only <check id>");
    }
    const { seed, redactSeed } = gradingSeed(mode, args, io, deps);
    const dir = resolve(io.cwd, args.dir);
    assertFolder(dir, args.dir);
    const assignment = await deps.loadAssignment(
      mode === "check" ? assignmentFileFor(args, dir, io.cwd) : args.assignment,
      io.cwd,
    );
    if (mode === "check") {
      // The seed comes first, on stdout only above a terminal report there.
      const line = `seed: ${seed}\n`;
      if (args.out === undefined && reporter.name === "terminal") io.stdout(line);
      else io.stderr(line);
    }
    const result = await deps
      .gradeSubmission({
        dir,
        assignment,
        seed,
        mode,
        isolation: isolationLevel(args.isolation, io.env),
        ...(only.length > 0 ? { only } : {}),
        ...(args.path !== undefined ? { path: args.path } : {}),
      })
      .catch((error: unknown) => {
        // Name the folder as the user typed it, not as the absolute path we passed.
        if (error instanceof UsageError && dir !== args.dir) {
          throw new UsageError(error.message.split(dir).join(args.dir));
        }
        throw error;
      });
    publishGradeReport(
      result,
      {
        reporter,
        out: args.out,
        submissionDir: dir,
        command: replayBase(mode, args.dir, args.assignment),
        redactSeed,
        hiddenVisibility: assignment.hiddenVisibility,
      },
      io,
    );
    return exitCodeFor(result);
  });
}

/**
 * The grading seed: --seed; else for check a fresh one; else for grade GRADMARK_SEED, a secret
 * the reports do not print; else undefined (the assignment's).
 */
function gradingSeed(
  mode: "check" | "grade",
  args: GradeCommandArgs,
  io: CliIO,
  deps: CliDeps,
): { seed: number | undefined; redactSeed: boolean } {
  if (args.seed !== undefined) return { seed: parseSeed(args.seed, "--seed"), redactSeed: false };
  if (mode === "check") return { seed: deps.randomSeed(), redactSeed: false };
  if (io.env.GRADMARK_SEED !== undefined) {
    return { seed: parseSeed(io.env.GRADMARK_SEED, "GRADMARK_SEED"), redactSeed: true };
  }
  return { seed: undefined, redactSeed: false };
}
