import { resolve } from "node:path";
import { assignmentFileFor } from "../../assignments/repoAssignment.js";
import type { CliIO } from "../../common/io.js";
import { UsageError } from "../../common/UsageError.js";
import { isolationLevel } from "../../sandbox/isolation/requireIsolation.js";
import { type KeyInput, type WatchHandle, watchSubmission } from "../../watch/watchSubmission.js";
import type { GradeCommandArgs } from "../gradeFlow.js";
import {
  assertFolder,
  type CliDeps,
  defaultDeps,
  parseOnly,
  parseSeed,
  replayBase,
  runGuarded,
} from "../shared.js";

/** What the watcher needs from the process besides io (tests pass stand-ins). */
export interface WatchProcess {
  /** Keys are read from it when it is a terminal. */
  input: KeyInput;
  /** Whether SIGINT, SIGTERM and SIGHUP end the watch (the real CLI). */
  handleSignals: boolean;
  /** Called with the handle once the first run is drawn. */
  onStart?: (handle: WatchHandle) => void;
}

/**
 * `gradmark check --watch [dir]`: checks the options that make no sense in a loop, then hands
 * over to watchSubmission and returns its exit code when the student quits (the code of the
 * last screen: 0 every check shown passed, 1 otherwise; 2 for a usage error).
 */
export function runWatchCommand(
  args: GradeCommandArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
  proc: WatchProcess = { input: process.stdin, handleSignals: true },
): Promise<number> {
  return runGuarded(io, "check", async () => {
    if (args.format !== "terminal")
      throw new UsageError("--watch draws its own screen: it takes no --format");
    if (args.out !== undefined) throw new UsageError("--watch draws on the terminal: no --out");
    if (args.path !== undefined)
      throw new UsageError("--watch re-runs whole problems: replay a --path without --watch");
    const only = parseOnly(args.only);
    const seed = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
    const dir = resolve(io.cwd, args.dir);
    assertFolder(dir, args.dir);
    const assignment = await deps.loadAssignment(assignmentFileFor(args, dir, io.cwd), io.cwd);
    const handle = await watchSubmission({
      dir,
      assignment,
      ...(seed !== undefined ? { seed } : {}),
      ...(only.length > 0 ? { only } : {}),
      isolation: isolationLevel(args.isolation, io.env),
      io,
      input: proc.input,
      handleSignals: proc.handleSignals,
      grade: deps.gradeSubmission,
      randomSeed: deps.randomSeed,
      command: replayBase("check", args.dir, args.assignment),
    }).catch((error: unknown) => {
      // Name the folder as the user typed it, not as the absolute path given to the grader.
      if (error instanceof UsageError && dir !== args.dir)
        throw new UsageError(error.message.split(dir).join(args.dir));
      throw error;
    });
    proc.onStart?.(handle);
    return handle.closed;
  });
}
