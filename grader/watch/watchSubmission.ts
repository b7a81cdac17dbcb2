import type { Assignment } from "../authoring/types.js";
import type { CliIO } from "../common/io.js";
import type { GradeOptions } from "../engine/gradeSubmission.js";
import type { GradeResult } from "../model/results.js";
import type { IsolationLevel } from "../sandbox/isolation/requireIsolation.js";
import { WatchSession } from "./WatchSession.js";

/** Quiet time after the last change before a run starts (an editor's save is a burst of events). */
export const DEBOUNCE_MS = 100;

/** Where keys come from: process.stdin, or a stand-in in tests. Read only when it is a TTY. */
export interface KeyInput {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface WatchOptions {
  /** The submission folder (holding src/, or the modules themselves). */
  dir: string;
  /** Default: the built-in autodiff assignment. */
  assignment?: Assignment;
  /** Fixes the seed for the whole session (`a` then keeps it); default: a fresh one. */
  seed?: number;
  /** `--only` tokens: the problems, exports or checks watched; default all. */
  only?: string[];
  isolation?: IsolationLevel;
  io: Pick<CliIO, "stdout" | "isTTY" | "env">;
  /** Keys (a, f, q, Ctrl-C) are read from it when it is a TTY; default none. */
  input?: KeyInput;
  /** Quit on SIGINT, SIGTERM and SIGHUP (the CLI sets it); default false. */
  handleSignals?: boolean;
  /** Default gradeSubmission (tests pass a fake). */
  grade?: (options: GradeOptions) => Promise<GradeResult>;
  /** Draws a seed (default: a random integer in [1, 2^31 - 1), as `check` does). */
  randomSeed?: () => number;
  debounceMs?: number;
  /** How replay lines invoke gradmark, e.g. "npx gradmark check hw". */
  command?: string;
  /** Called after each run's screen is drawn. */
  onRun?: (run: WatchRun) => void;
}

/** One run of the watcher, as onRun reports it. */
export interface WatchRun {
  /** What started it: the first run, a save, `a` or `f` (several when they were merged). */
  reasons: ("start" | "save" | "all" | "failed")[];
  /** The files (paths from src/) whose change started it. */
  files: string[];
  /** Problems graded, in the assignment's order (empty: the change reaches no problem). */
  problems: string[];
  seed: number;
  /** What gradeSubmission returned, or null (nothing graded, or an error). */
  result: GradeResult | null;
  /** Why it could not grade, when it could not. */
  error: string | null;
  /** From the start of the run (after the debounce) to its final screen drawn. */
  durationMs: number;
  /**
   * From the start of the run to its verdicts on screen: the same as durationMs, or less when
   * checks failed (their failing cases are shrunk after the verdicts are shown).
   */
  verdictMs: number;
  /** The screen drawn (without the clearing sequence). */
  screen: string;
}

export interface WatchHandle {
  /** The seed verdicts are drawn with now. */
  readonly seed: number;
  /** What the keys do: `all` (a) re-runs every problem with a new seed, `failed` (f) what failed. */
  rerun(kind: "all" | "failed"): void;
  /**
   * The exit code once the watcher has stopped (q, Ctrl-C, a signal, close()): 0 when every
   * check on the screen passed, 1 otherwise.
   */
  readonly closed: Promise<number>;
  /** Stops watching, restores the terminal and waits for a run in progress to end. */
  close(): Promise<number>;
}

/**
 * `gradmark check --watch`: grades the submission once, then again on every save, only the
 * problems the save can change, and redraws the screen (see watchScreen). One process stays warm
 * (the grader's modules, esbuild's service, the isolation probe); each run is one call of
 * gradeSubmission in check mode (hidden checks skipped) with `only` naming the checks of the
 * problems to grade. Which problems a save reaches is read from the import graph of src/
 * (ImportGraph): the problems whose module is, or loads, a changed file. Changes are gathered
 * until `debounceMs` pass without one; a run never overlaps another: changes and keys during a
 * run start one more run when it ends.
 *
 * The seed: one for the whole session, printed at the top, so a student fixing a failure sees
 * the same failing case after every save, and every verdict on the screen comes from the same
 * seed (its replay lines hold). `a` draws a new seed and grades everything with it; `--seed`
 * (options.seed) fixes it for the session. `f` grades again the problems that did not pass.
 *
 * Resolves once the first run is drawn; rejects with the UsageError of a first run that cannot
 * grade at all (no such folder, no modules, an unknown `only` token).
 */
export async function watchSubmission(options: WatchOptions): Promise<WatchHandle> {
  const assignment =
    options.assignment ?? (await import("../assignments/autodiff/index.js")).autodiff;
  const session = new WatchSession(
    { ...options, debounceMs: options.debounceMs ?? DEBOUNCE_MS },
    assignment,
  );
  await session.start();
  return session.handle;
}
