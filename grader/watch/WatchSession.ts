import { randomInt } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Assignment } from "../authoring/types.js";
import { AssignmentError } from "../common/AssignmentError.js";
import { decideColor } from "../common/io.js";
import { UsageError } from "../common/UsageError.js";
import { type GradeOptions, gradeSubmission, selectChecks } from "../engine/gradeSubmission.js";
import type { GradeResult, ProblemResult } from "../model/results.js";
import { findModule } from "../sandbox/bundleSubmission.js";
import { SaveWatcher } from "./SaveWatcher.js";
import { CLEAR_SCREEN, renderWatchScreen } from "./watchScreen.js";
import type { WatchHandle, WatchOptions, WatchRun } from "./watchSubmission.js";

type Reason = WatchRun["reasons"][number];
type Problem = Assignment["problems"][number];

/** A run asked for: what started it and what it grades. */
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

/** A request for a run, as the keys and saves make it (merged into the next Job). */
interface JobRequest {
  reasons: Reason[];
  problems?: string[];
  files?: string[];
  all?: boolean;
  newSeed?: boolean;
  failed?: boolean;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * One `check --watch` session (see watchSubmission): the verdicts on screen and the seed they
 * were drawn with, the runs (one at a time; what is asked meanwhile is merged into the next),
 * and what starts them (saves, keys) or ends the session (q, Ctrl-C, signals, close()).
 */
export class WatchSession {
  readonly handle: WatchHandle;
  private readonly grade: (options: GradeOptions) => Promise<GradeResult>;
  private readonly selected: Set<string>;
  private readonly problems: Problem[];
  private readonly byId: Map<string, Problem>;
  private readonly dir: string;
  private readonly srcDir: string | null;
  private readonly randomSeed: () => number;
  private readonly pinnedSeed: boolean;
  private readonly color: boolean;
  private readonly command: string;
  private readonly interactive: boolean;
  /** Where it watches, as the screen names it. */
  private readonly watching: string;
  private seed: number;

  private readonly latest = new Map<string, ProblemResult>();
  /** Problems whose verdict on screen is not from the session's seed or the files as they are. */
  private readonly stale: Set<string>;
  private fresh = new Set<string>();
  private output: GradeResult["output"] = { stdout: "", stderr: "" };
  private status = "";
  private error: string | null = null;
  private drawn = 0;
  private first = true;

  private pending: Job | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private saves: SaveWatcher | null = null;
  private resolveClosed: (code: number) => void = () => {};
  private readonly onKeys = (chunk: Buffer | string) => this.readKeys(chunk);
  private readonly onSignal = () => this.quit();

  constructor(
    private readonly options: WatchOptions & { debounceMs: number },
    private readonly assignment: Assignment,
  ) {
    this.grade = options.grade ?? gradeSubmission;
    this.selected = selectChecks(assignment, options.only);
    this.problems = assignment.problems.filter((p) =>
      p.checks.some((c) => this.selected.has(c.id)),
    );
    this.byId = new Map(this.problems.map((p) => [p.id, p]));
    this.dir = resolve(options.dir);
    this.srcDir = findSrcDir(this.dir, assignment);
    this.randomSeed = options.randomSeed ?? (() => randomInt(1, 2 ** 31 - 1));
    this.pinnedSeed = options.seed !== undefined;
    this.seed = options.seed ?? this.randomSeed();
    this.color = decideColor(options.io.env, options.io.isTTY);
    this.command = options.command ?? "npx gradmark check";
    const input = options.input;
    this.interactive = input?.isTTY === true && typeof input.setRawMode === "function";
    this.watching =
      this.srcDir === null || this.srcDir !== join(this.dir, "src") ? "the submission" : "src/";
    this.stale = new Set(this.problems.map((p) => p.id));
    this.handle = this.makeHandle();
  }

  /**
   * Starts watching (saves, keys, signals), then grades everything once (while the import graph
   * is read); that first run's usage error (no such folder, no modules) ends the session.
   */
  async start(): Promise<void> {
    this.listen();
    const start = this.runJob({
      reasons: new Set<Reason>(["start"]),
      problems: new Set(),
      files: new Set(),
      all: true,
      newSeed: false,
      failed: false,
    });
    this.running = start.then(
      () => {},
      () => {},
    );
    try {
      await start;
    } catch (caught) {
      this.quit();
      throw caught;
    } finally {
      this.running = null;
    }
    this.pump();
  }

  private makeHandle(): WatchHandle {
    const session = this;
    const closed = new Promise<number>((resolve) => {
      this.resolveClosed = resolve;
    });
    return {
      get seed() {
        return session.seed;
      },
      rerun(kind) {
        if (session.stopped) return;
        session.request(
          kind === "all"
            ? { reasons: ["all"], all: true, newSeed: true }
            : { reasons: ["failed"], failed: true },
        );
      },
      closed,
      async close() {
        session.quit();
        await session.running;
        return closed;
      },
    };
  }

  /** Saves (when there are modules to watch), then keys on a terminal, then signals. */
  private listen(): void {
    if (this.srcDir !== null) {
      this.saves = new SaveWatcher(
        this.srcDir,
        this.problems,
        this.options.debounceMs,
        (problems, files) => this.request({ reasons: ["save"], problems, files }),
        (watchError) => {
          this.error = `stopped watching ${this.watching}: ${watchError.message}`;
          this.status = "not watching any more";
          if (!this.stopped) this.draw(null);
          this.quit();
        },
      );
    }
    const input = this.options.input;
    if (this.interactive) {
      input!.setRawMode!(true);
      input!.on("data", this.onKeys);
      input!.resume();
    }
    if (this.options.handleSignals) for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  private readKeys(chunk: Buffer | string): void {
    for (const key of String(chunk)) {
      if (key === "a") this.handle.rerun("all");
      else if (key === "f") this.handle.rerun("failed");
      // q, Ctrl-C (raw mode turns it into a key), Ctrl-D.
      else if (key === "q" || key === "\u0003" || key === "\u0004") this.quit();
    }
  }

  /** Stops everything and settles `closed` with the exit code of the screen as it is. */
  private quit(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.saves?.close();
    const input = this.options.input;
    if (this.interactive) {
      input!.removeListener("data", this.onKeys);
      input!.setRawMode!(false);
      input!.pause();
    }
    if (this.options.handleSignals) {
      for (const s of SIGNALS) process.removeListener(s, this.onSignal);
    }
    this.resolveClosed(exitCode(this.latest, this.problems.length, this.error));
  }

  /** Merges a request into the pending job and starts it when no run is in progress. */
  private request(job: JobRequest): void {
    const next: Job = this.pending ?? {
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
    this.pending = next;
    this.pump();
  }

  private pump(): void {
    if (this.running !== null || this.stopped || this.pending === null) return;
    const job = this.pending;
    this.pending = null;
    this.running = this.runJob(job)
      .catch(() => {})
      .finally(() => {
        this.running = null;
        this.pump();
      });
  }

  /** One run: the problems it reaches graded (stale ones too), the screen drawn, onRun told. */
  private async runJob(job: Job): Promise<void> {
    if (job.newSeed && !this.pinnedSeed) {
      this.seed = this.randomSeed();
      for (const p of this.problems) this.stale.add(p.id);
    }
    const wanted = new Set([
      ...job.problems,
      ...this.stale,
      ...(job.failed ? this.failedIds() : []),
    ]);
    const ids = this.problems.filter((p) => job.all || wanted.has(p.id)).map((p) => p.id);
    const started = performance.now();
    let result: GradeResult | null = null;
    if (ids.length === 0) {
      this.fresh = new Set();
      this.status = job.failed
        ? "nothing to re-run: every problem passed last time"
        : `${this.why(job)}: no${this.options.only?.length ? " selected" : ""} problem loads ${job.files.size === 1 ? "it" : "them"}, nothing graded`;
    } else {
      result = await this.gradeProblems(ids, job, started);
    }
    this.first = false;
    if (this.stopped) return;
    const failing = result === null ? [] : this.shrinkable(result, ids);
    const status = this.status;
    if (failing.length > 0) {
      this.status = `${status} · shrinking ${failing.length === 1 ? "the failing case" : `${failing.length} failing cases`}`;
    }
    let screen = this.draw(null);
    const verdictMs = Math.round(performance.now() - started);
    if (failing.length > 0) {
      await this.shrinkFailures(failing);
      this.status = status;
      if (this.stopped) return;
      screen = this.draw(null);
      result = {
        ...result!,
        problems: result!.problems.map((p) => (ids.includes(p.id) ? this.latest.get(p.id)! : p)),
      };
    }
    this.options.onRun?.({
      reasons: [...job.reasons],
      files: [...job.files].sort(),
      problems: ids,
      seed: this.seed,
      result,
      error: this.error,
      durationMs: Math.round(performance.now() - started),
      verdictMs,
      screen,
    });
  }

  /**
   * The checks of problems `ids` that failed or threw in `result`: graded without shrinking, they
   * show the first failing case as drawn, and are graded again to shrink it.
   */
  private shrinkable(result: GradeResult, ids: readonly string[]): string[] {
    return (
      result.problems
        .filter((p) => ids.includes(p.id))
        .flatMap((p) => p.checks)
        // A check failed only for another's sake (requires) has no case of its own to shrink.
        .filter((c) => (c.status === "failed" || c.status === "error") && c.counterexample !== null)
        .map((c) => c.id)
    );
  }

  /**
   * The second step of a run with failures: the failing checks graded again, shrinking, with the
   * same seed (so the same first failure), and their smallest cases and replay lines put on
   * screen. A check whose status comes out otherwise (student code that is not deterministic)
   * keeps the first step's verdict.
   */
  private async shrinkFailures(checkIds: string[]): Promise<void> {
    try {
      const shrunk = await this.grade({
        dir: this.dir,
        assignment: this.assignment,
        seed: this.seed,
        mode: "check",
        only: checkIds,
        ...(this.options.isolation !== undefined ? { isolation: this.options.isolation } : {}),
      });
      const byId = new Map(shrunk.problems.flatMap((p) => p.checks).map((c) => [c.id, c]));
      for (const [id, problem] of this.latest) {
        const checks = problem.checks.map((c) => {
          const again = checkIds.includes(c.id) ? byId.get(c.id) : undefined;
          if (!again || again.status !== c.status) return c;
          const { message, counterexample, replay } = again;
          return { ...c, message, counterexample, replay };
        });
        this.latest.set(id, { ...problem, checks });
      }
    } catch {
      // The first step's verdicts stay (a save meanwhile, or a fault, shows on the next run).
    }
  }

  /**
   * Grades the problems `ids` (their selected checks) and keeps their verdicts; an error keeps
   * the verdicts on screen and marks the problems stale, except in the first run, where a usage
   * error or a fault of the assignment is thrown.
   */
  private async gradeProblems(
    ids: string[],
    job: Job,
    started: number,
  ): Promise<GradeResult | null> {
    if (this.options.io.isTTY) this.draw(`grading ${this.label(ids)} ${this.why(job)}`);
    const only = ids.flatMap((id) =>
      this.byId
        .get(id)!
        .checks.filter((c) => this.selected.has(c.id))
        .map((c) => c.id),
    );
    let result: GradeResult | null = null;
    try {
      result = await this.grade({
        dir: this.dir,
        assignment: this.assignment,
        seed: this.seed,
        mode: "check",
        only,
        // The verdicts first; the failing cases are shrunk afterwards (shrinkFailures).
        shrink: false,
        ...(this.options.isolation !== undefined ? { isolation: this.options.isolation } : {}),
      });
      for (const problem of result.problems) {
        if (!ids.includes(problem.id)) continue;
        this.latest.set(problem.id, problem);
        this.stale.delete(problem.id);
      }
      this.output = result.output;
      this.error = null;
      this.fresh = new Set(ids);
    } catch (caught) {
      if (this.first && (caught instanceof UsageError || caught instanceof AssignmentError))
        throw caught;
      this.error = caught instanceof Error ? caught.message : String(caught);
      this.fresh = new Set();
      for (const id of ids) this.stale.add(id);
    }
    const took = ((performance.now() - started) / 1000).toFixed(2);
    this.status = `${this.error === null ? "graded" : "tried"} ${this.label(ids)} ${this.why(job)} · ${took} s · ${clock(new Date())}`;
    return result;
  }

  /** Draws the screen (`running`: the run about to grade) and returns it. */
  private draw(running: string | null): string {
    const screen = renderWatchScreen(
      {
        assignment: { id: this.assignment.id, title: this.assignment.title },
        seed: this.seed,
        pinnedSeed: this.pinnedSeed,
        problems: this.problems.map((p) => ({
          id: p.id,
          title: p.title,
          module: p.module,
          result: this.latest.get(p.id) ?? null,
        })),
        fresh: this.fresh,
        output: this.output,
        status: this.status,
        running,
        error: this.error,
        interactive: this.interactive,
        watching: this.watching,
      },
      { color: this.color, command: this.command },
    );
    // On a terminal the screen is redrawn in place; piped, the screens follow one another.
    const { io } = this.options;
    io.stdout((io.isTTY ? CLEAR_SCREEN : this.drawn > 0 ? "\n" : "") + screen);
    this.drawn++;
    return screen;
  }

  /** "every problem", "problem 3, Layers," or "problems 1, 3". */
  private label(ids: readonly string[]): string {
    if (ids.length === this.problems.length && ids.length > 1) return "every problem";
    if (ids.length === 1) return `problem ${ids[0]}, ${this.byId.get(ids[0]!)!.title},`;
    return `problems ${ids.join(", ")}`;
  }

  /** What started a run: "at start", "on a", "on f", "after src/a.ts changed", joined. */
  private why(job: Job): string {
    const parts: string[] = [];
    if (job.reasons.has("start")) parts.push("at start");
    if (job.reasons.has("all")) parts.push(this.pinnedSeed ? "on a" : "on a, with a new seed");
    if (job.reasons.has("failed")) parts.push("on f");
    if (job.files.size > 0) {
      const files = [...job.files].sort();
      const shown = files.slice(0, 3).map((f) => (this.watching === "src/" ? `src/${f}` : f));
      const more = files.length > 3 ? ` and ${files.length - 3} more` : "";
      parts.push(`after ${shown.join(", ")}${more} changed`);
    }
    return parts.join(" and ");
  }

  /** The problems that did not pass in their latest run. */
  private failedIds(): string[] {
    return this.problems
      .filter((p) =>
        this.latest.get(p.id)?.checks.some((c) => c.status !== "passed" && c.status !== "skipped"),
      )
      .map((p) => p.id);
  }
}

/** 0 when every problem has a verdict and every check on screen passed; 1 otherwise. */
function exitCode(
  latest: ReadonlyMap<string, ProblemResult>,
  problemCount: number,
  error: string | null,
): number {
  if (error !== null || latest.size < problemCount) return 1;
  const passed = [...latest.values()].every((p) =>
    p.checks.every((c) => c.status === "passed" || c.status === "skipped"),
  );
  return passed ? 0 : 1;
}

/** The folder the modules are in (as gradeSubmission finds it), or null when there is none. */
function findSrcDir(dir: string, assignment: Assignment): string | null {
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  if (!isFolder(dir)) return null;
  const src = join(dir, "src");
  if (existsSync(src)) return isFolder(src) ? src : null;
  return assignment.modules.some((m) => findModule(dir, m) !== null) ? dir : null;
}

function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
}
