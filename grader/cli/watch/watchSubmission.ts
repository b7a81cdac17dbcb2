import { randomInt } from "node:crypto";
import { existsSync, type FSWatcher, statSync, watch } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { Assignment } from "../../authoring/types.js";
import { AssignmentError } from "../../common/AssignmentError.js";
import { type CliIO, decideColor } from "../../common/io.js";
import { UsageError } from "../../common/UsageError.js";
import { type GradeOptions, gradeSubmission, selectChecks } from "../../engine/gradeSubmission.js";
import type { GradeResult, ProblemResult } from "../../model/results.js";
import { findModule } from "../../sandbox/bundleSubmission.js";
import type { IsolationLevel } from "../../sandbox/isolation/requireIsolation.js";
import { ImportGraph, stemOf } from "./importGraph.js";
import { CLEAR_SCREEN, renderWatchScreen, type WatchView } from "./watchScreen.js";

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
  /** From the start of the run (after the debounce) to its screen drawn. */
  durationMs: number;
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
 * Names an editor writes beside the file it saves (vim's swap files and its 4913 probe, emacs'
 * #autosave# and .#locks, backups ending in ~, JetBrains' ___jb_tmp___, .tmp, .crswap), dot
 * files and node_modules: changes to them start nothing.
 */
export function isEditorTempFile(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const name = parts.at(-1) ?? "";
  return (
    name === "" ||
    parts.some((part) => part.startsWith(".") || part === "node_modules") ||
    name.startsWith("#") ||
    name.endsWith("~") ||
    /^\d+$/.test(name) ||
    /\.(swp|swo|swx|tmp|bak|orig|crswap)$/i.test(name) ||
    /___jb_(tmp|old|bak)___$/.test(name)
  );
}

/** The folder the modules are in (as gradeSubmission finds it), or null when there is none. */
function findSrcDir(dir: string, assignment: Assignment): string | null {
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  if (!isFolder(dir)) return null;
  const src = join(dir, "src");
  if (existsSync(src)) return isFolder(src) ? src : null;
  return assignment.modules.some((m) => findModule(dir, m) !== null) ? dir : null;
}

/** fs.watch on the folder and what is under it where Node can (Linux, macOS, Windows). */
function watchFolder(
  dir: string,
  listener: (filename: string | null) => void,
  onError: (error: Error) => void,
): FSWatcher {
  const call = (_event: string, filename: string | Buffer | null) =>
    listener(filename === null ? null : String(filename));
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true }, call);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM") throw error;
    watcher = watch(dir, call);
  }
  watcher.on("error", onError);
  return watcher;
}

function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
}

type Reason = WatchRun["reasons"][number];

interface Job {
  reasons: Set<Reason>;
  /** Problems a save reaches. */
  problems: Set<string>;
  files: Set<string>;
  /** Every problem (`a`, and the first run). */
  all: boolean;
  /** A new seed first, unless --seed fixed it (`a`). */
  newSeed: boolean;
  /** The problems that did not pass last time (`f`). */
  failed: boolean;
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
    options.assignment ?? (await import("../../assignments/autodiff/index.js")).autodiff;
  const grade = options.grade ?? gradeSubmission;
  const { io } = options;
  const selected = selectChecks(assignment, options.only);
  const problems = assignment.problems.filter((p) => p.checks.some((c) => selected.has(c.id)));
  const byId = new Map(problems.map((p) => [p.id, p]));
  const dir = resolve(options.dir);
  const srcDir = findSrcDir(dir, assignment);
  const debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  const randomSeed = options.randomSeed ?? (() => randomInt(1, 2 ** 31 - 1));
  const pinnedSeed = options.seed !== undefined;
  let seed = options.seed ?? randomSeed();
  const color = decideColor(io.env, io.isTTY);
  const command = options.command ?? "npx gradmark check";
  const input = options.input;
  const interactive = input?.isTTY === true && typeof input.setRawMode === "function";
  const watching = srcDir === null || srcDir !== join(dir, "src") ? "the submission" : "src/";

  const latest = new Map<string, ProblemResult>();
  /** Problems whose verdict on screen is not from the session's seed or the files as they are. */
  const stale = new Set<string>(problems.map((p) => p.id));
  let fresh = new Set<string>();
  let output: GradeResult["output"] = { stdout: "", stderr: "" };
  let status = "";
  let error: string | null = null;
  let drawn = 0;

  const draw = (running: string | null): string => {
    const view: WatchView = {
      assignment: { id: assignment.id, title: assignment.title },
      seed,
      pinnedSeed,
      problems: problems.map((p) => ({
        id: p.id,
        title: p.title,
        module: p.module,
        result: latest.get(p.id) ?? null,
      })),
      fresh,
      output,
      status,
      running,
      error,
      interactive,
      watching,
    };
    const screen = renderWatchScreen(view, { color, command });
    // On a terminal the screen is redrawn in place; piped, the screens follow one another.
    io.stdout((io.isTTY ? CLEAR_SCREEN : drawn > 0 ? "\n" : "") + screen);
    drawn++;
    return screen;
  };

  const label = (ids: readonly string[]) => {
    if (ids.length === problems.length && ids.length > 1) return "every problem";
    if (ids.length === 1) return `problem ${ids[0]}, ${byId.get(ids[0]!)!.title},`;
    return `problems ${ids.join(", ")}`;
  };
  const why = (job: Job) => {
    const parts: string[] = [];
    if (job.reasons.has("start")) parts.push("at start");
    if (job.reasons.has("all")) parts.push(pinnedSeed ? "on a" : "on a, with a new seed");
    if (job.reasons.has("failed")) parts.push("on f");
    if (job.files.size > 0) {
      const files = [...job.files].sort();
      const shown = files.slice(0, 3).map((f) => (watching === "src/" ? `src/${f}` : f));
      const more = files.length > 3 ? ` and ${files.length - 3} more` : "";
      parts.push(`after ${shown.join(", ")}${more} changed`);
    }
    return parts.join(" and ");
  };
  const failedIds = () =>
    problems
      .filter((p) =>
        latest.get(p.id)?.checks.some((c) => c.status !== "passed" && c.status !== "skipped"),
      )
      .map((p) => p.id);

  let first = true;
  const runJob = async (job: Job): Promise<void> => {
    if (job.newSeed && !pinnedSeed) {
      seed = randomSeed();
      for (const p of problems) stale.add(p.id);
    }
    const wanted = new Set([...job.problems, ...stale, ...(job.failed ? failedIds() : [])]);
    const ids = problems.filter((p) => job.all || wanted.has(p.id)).map((p) => p.id);
    const started = performance.now();
    let result: GradeResult | null = null;
    if (ids.length === 0) {
      fresh = new Set();
      status = job.failed
        ? "nothing to re-run: every problem passed last time"
        : `${why(job)}: no${options.only?.length ? " selected" : ""} problem loads ${job.files.size === 1 ? "it" : "them"}, nothing graded`;
    } else {
      if (io.isTTY) draw(`grading ${label(ids)} ${why(job)}`);
      const only = ids.flatMap((id) =>
        byId
          .get(id)!
          .checks.filter((c) => selected.has(c.id))
          .map((c) => c.id),
      );
      try {
        result = await grade({
          dir,
          assignment,
          seed,
          mode: "check",
          only,
          ...(options.isolation !== undefined ? { isolation: options.isolation } : {}),
        });
        for (const problem of result.problems) {
          if (!ids.includes(problem.id)) continue;
          latest.set(problem.id, problem);
          stale.delete(problem.id);
        }
        output = result.output;
        error = null;
        fresh = new Set(ids);
      } catch (caught) {
        if (first && (caught instanceof UsageError || caught instanceof AssignmentError))
          throw caught;
        error = caught instanceof Error ? caught.message : String(caught);
        fresh = new Set();
        for (const id of ids) stale.add(id);
      }
      const took = ((performance.now() - started) / 1000).toFixed(2);
      status = `${error === null ? "graded" : "tried"} ${label(ids)} ${why(job)} · ${took} s · ${clock(new Date())}`;
    }
    first = false;
    if (stopped) return;
    const screen = draw(null);
    options.onRun?.({
      reasons: [...job.reasons],
      files: [...job.files].sort(),
      problems: ids,
      seed,
      result,
      error,
      durationMs: Math.round(performance.now() - started),
      screen,
    });
  };

  // One run at a time; what is asked meanwhile is merged into the next.
  let pending: Job | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const request = (job: {
    reasons: Reason[];
    problems?: string[];
    files?: string[];
    all?: boolean;
    newSeed?: boolean;
    failed?: boolean;
  }) => {
    const next: Job = pending ?? {
      reasons: new Set(),
      problems: new Set(),
      files: new Set(),
      all: false,
      newSeed: false,
      failed: false,
    };
    for (const r of job.reasons) next.reasons.add(r);
    for (const p of job.problems ?? []) next.problems.add(p);
    for (const f of job.files ?? []) next.files.add(f);
    next.all ||= job.all ?? false;
    next.newSeed ||= job.newSeed ?? false;
    next.failed ||= job.failed ?? false;
    pending = next;
    pump();
  };
  const pump = () => {
    if (running !== null || stopped || pending === null) return;
    const job = pending;
    pending = null;
    running = runJob(job)
      .catch(() => {})
      .finally(() => {
        running = null;
        pump();
      });
  };

  // Saves: gathered until they stop for debounceMs, then the import graph is brought up to date
  // with the changed files and the problems they reach are graded.
  const graph = srcDir === null ? null : new ImportGraph(srcDir);
  const changed = new Set<string>();
  let everything = false;
  let timer: NodeJS.Timeout | null = null;
  let graphReady: Promise<void> = graph ? graph.scanAll().catch(() => {}) : Promise.resolve();
  const flush = async () => {
    timer = null;
    const files = [...changed];
    const whole = everything;
    changed.clear();
    everything = false;
    const stems = files.map(stemOf);
    graphReady = graphReady
      .then(() => (whole ? graph!.scanAll() : graph!.update(stems)))
      .catch(() => {});
    await graphReady;
    if (stopped) return;
    const reached = whole
      ? problems.map((p) => p.id)
      : problems.filter((p) => graph!.reaches(stemOf(p.module), stems)).map((p) => p.id);
    request({ reasons: ["save"], problems: reached, files });
  };
  const onChange = (filename: string | null) => {
    if (stopped) return;
    if (filename === null) everything = true;
    else {
      const path = filename.split(sep).join("/");
      if (isEditorTempFile(path)) return;
      changed.add(path);
    }
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => void flush(), debounceMs);
  };
  let watcher: FSWatcher | null = null;
  if (srcDir !== null) {
    watcher = watchFolder(srcDir, onChange, (watchError) => {
      error = `stopped watching ${watching}: ${watchError.message}`;
      status = "not watching any more";
      if (!stopped) draw(null);
      quit();
    });
  }

  // Keys and signals.
  let resolveClosed: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => {
    resolveClosed = resolve;
  });
  const onKeys = (chunk: Buffer | string) => {
    for (const key of String(chunk)) {
      if (key === "a") handle.rerun("all");
      else if (key === "f") handle.rerun("failed");
      // q, Ctrl-C (raw mode turns it into a key), Ctrl-D.
      else if (key === "q" || key === "\u0003" || key === "\u0004") quit();
    }
  };
  if (interactive) {
    input!.setRawMode!(true);
    input!.on("data", onKeys);
    input!.resume();
  }
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = () => quit();
  if (options.handleSignals) for (const s of signals) process.on(s, onSignal);

  const exitCode = () => {
    if (error !== null || latest.size < problems.length) return 1;
    const passed = [...latest.values()].every((p) =>
      p.checks.every((c) => c.status === "passed" || c.status === "skipped"),
    );
    return passed ? 0 : 1;
  };
  function quit(): void {
    if (stopped) return;
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    watcher?.close();
    if (interactive) {
      input!.removeListener("data", onKeys);
      input!.setRawMode!(false);
      input!.pause();
    }
    if (options.handleSignals) for (const s of signals) process.removeListener(s, onSignal);
    resolveClosed(exitCode());
  }

  const handle: WatchHandle = {
    get seed() {
      return seed;
    },
    rerun(kind) {
      if (stopped) return;
      request(
        kind === "all"
          ? { reasons: ["all"], all: true, newSeed: true }
          : { reasons: ["failed"], failed: true },
      );
    },
    closed,
    async close() {
      quit();
      await running;
      return closed;
    },
  };

  // The first run grades everything (while the import graph is read); its usage error (no such
  // folder, no modules) ends the watcher before it starts.
  const start = runJob({
    reasons: new Set<Reason>(["start"]),
    problems: new Set(),
    files: new Set(),
    all: true,
    newSeed: false,
    failed: false,
  });
  running = start.then(
    () => {},
    () => {},
  );
  try {
    await start;
  } catch (caught) {
    quit();
    throw caught;
  } finally {
    running = null;
  }
  pump();
  return handle;
}
