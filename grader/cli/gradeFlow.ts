import { resolve } from "node:path";
import { type CliIO, decideColor } from "../common/io.js";
import { UsageError } from "../common/UsageError.js";
import {
  emitGitHubActions,
  inGitHubActions,
  isHumanFormat,
  protectReport,
  stopToken,
} from "../integrations/githubActions.js";
import { getReporter } from "../reporters/index.js";
import { formatPoints } from "../reporters/text.js";
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
  writeReport,
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
 * `check` and `grade`: validate the arguments, load the assignment, grade, render, write.
 * Returns the exit code; never throws.
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

    let seed: number | undefined;
    let redactSeed = false;
    if (args.seed !== undefined) {
      seed = parseSeed(args.seed, "--seed");
    } else if (mode === "check") {
      seed = deps.randomSeed();
    } else if (io.env.GRADMARK_SEED !== undefined) {
      seed = parseSeed(io.env.GRADMARK_SEED, "GRADMARK_SEED");
      redactSeed = true;
    }

    const dir = resolve(io.cwd, args.dir);
    assertFolder(dir, args.dir);
    const assignment = await deps.loadAssignment(args.assignment, io.cwd);

    const reportToStdout = args.out === undefined;
    if (mode === "check") {
      const line = `seed: ${seed}\n`;
      if (reportToStdout && reporter.name === "terminal") io.stdout(line);
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

    const command = replayBase(mode, args.dir, args.assignment);
    const text = reporter.render(result, {
      color: decideColor(io.env, reportToStdout && io.isTTY),
      command,
      showOutput: true,
      redactSeed,
      hiddenVisibility: assignment.hiddenVisibility,
    });
    // In GitHub Actions the runner reads stdout for workflow commands: the report (which
    // holds what the submission printed and threw) must not be able to issue any.
    const actions = inGitHubActions(io.env);
    let framed = false;
    if (reportToStdout) {
      const printed = actions
        ? protectReport(text, reporter.name, stopToken())
        : { text, framed: false };
      framed = printed.framed;
      io.stdout(printed.text);
    } else {
      writeReport(io.cwd, args.out!, text);
      io.stdout(
        `score ${formatPoints(result.score)}/${formatPoints(result.maxScore)}; ${reporter.name} report written to ${args.out}\n`,
      );
    }
    if (actions) {
      emitGitHubActions(result, io, dir, {
        command,
        redactSeed,
        ...(reportToStdout ? {} : { reportFile: resolve(io.cwd, args.out!) }),
        // A machine-readable report on stdout stays parseable: annotations go to stderr, which
        // the runner reads for commands just the same. Not after a framed report: the runner
        // reads the two streams concurrently, and stderr could arrive while commands are stopped.
        annotationsTo:
          reportToStdout && !isHumanFormat(reporter.name) && !framed ? "stderr" : "stdout",
      });
    }
    return exitCodeFor(result);
  });
}
