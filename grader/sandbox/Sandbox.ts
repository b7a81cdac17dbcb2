import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { OutputCapture } from "./OutputCapture.js";
import { type ChildMessage, isChildMessage, type Outcome } from "./protocol.js";

export interface SandboxLimits {
  /** V8 heap limit of the child, in MiB. */
  heapMb: number;
  /** Resident memory (heap plus typed arrays) above which the child is killed, in MiB. */
  rssMb: number;
  /** Bytes of stdout and of stderr kept per submission. */
  outputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { heapMb: 512, rssMb: 1024, outputBytes: 64 * 1024 };

/** How one batch of runs ended. A failure names the run that was in progress. */
export type BatchResult =
  | { kind: "outcomes"; outcomes: Outcome[]; wallMs: number }
  | { kind: "timeout"; index: number; wallMs: number }
  /** Not run: the submission's time budget was already spent. */
  | { kind: "budget"; index: number; wallMs: number }
  | { kind: "memory-limit"; index: number; wallMs: number }
  | { kind: "crashed"; index: number; detail: string; wallMs: number };

/**
 * The child's whole environment: empty, so nothing of the grader's (GRADMARK_SEED, tokens)
 * reaches student code. The one exception is Stryker's active-mutant id, set only by a staff
 * mutation run (`npm run mutation`), which instrumented solution code reads from its env.
 */
function childEnv(): Record<string, string> {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  return mutant === undefined ? {} : { __STRYKER_ACTIVE_MUTANT__: mutant };
}

const permissionFlag =
  Number(process.versions.node.split(".")[0]) >= 22 ? "--permission" : "--experimental-permission";

/**
 * One sandboxed child at a time for one submission bundle. A child that times out, crashes or
 * grows too large is killed (SIGTERM, then SIGKILL) and a fresh one starts on the next batch.
 * The child may read its bundle and nothing else, and write, spawn, start workers or load
 * addons not at all (Node's permission model).
 */
export class Sandbox {
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private listener: ((message: ChildMessage) => void) | null = null;
  private exitListener: ((detail: string, signal: NodeJS.Signals | null) => void) | null = null;
  private lastStderr = "";
  /** Child processes started so far (1 + restarts). */
  starts = 0;

  constructor(
    readonly bundleFile: string,
    readonly limits: SandboxLimits = DEFAULT_LIMITS,
  ) {
    this.stdout = new OutputCapture(limits.outputBytes);
    this.stderr = new OutputCapture(limits.outputBytes);
  }

  /**
   * Runs `driver` over every payload in the child. Each run gets `perCallMs` (the clock restarts
   * as the child reports the next run), and the batch as a whole at most `batchMs`.
   */
  async run(
    driver: string,
    payloads: unknown[],
    perCallMs: number,
    batchMs = Number.POSITIVE_INFINITY,
  ): Promise<BatchResult> {
    const timeoutMs = Math.min(perCallMs, batchMs);
    try {
      await this.start(timeoutMs);
    } catch (error) {
      return { kind: "crashed", index: 0, detail: (error as Error).message, wallMs: 0 };
    }
    // Wall time counts from the request, not from the child's start-up.
    const started = performance.now();
    const wall = () => performance.now() - started;
    const child = this.child!;
    const id = this.nextId++;
    let index = 0;
    return new Promise<BatchResult>((resolvePromise) => {
      let settled = false;
      const finish = (result: BatchResult, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (batchTimer) clearTimeout(batchTimer);
        clearInterval(watchdog);
        this.listener = null;
        this.exitListener = null;
        if (kill) this.kill();
        resolvePromise(result);
      };
      const onTimeout = () => finish({ kind: "timeout", index, wallMs: wall() }, true);
      let timer = setTimeout(onTimeout, timeoutMs);
      const batchTimer = Number.isFinite(batchMs) ? setTimeout(onTimeout, batchMs) : null;
      const watchdog = setInterval(() => {
        const rss = residentMb(child.pid);
        if (rss !== null && rss > this.limits.rssMb)
          finish({ kind: "memory-limit", index, wallMs: wall() }, true);
      }, 25);
      this.listener = (message) => {
        // The child is untrusted: a progress index is only believed within the batch.
        const valid = (i: unknown): i is number =>
          Number.isSafeInteger(i) && (i as number) > index && (i as number) < payloads.length;
        if (message.type === "progress" && message.id === id && valid(message.index)) {
          index = message.index;
          clearTimeout(timer);
          timer = setTimeout(onTimeout, timeoutMs);
        }
        if (message.type === "result" && message.id === id) {
          if (
            !Array.isArray(message.outcomes) ||
            message.outcomes.length !== payloads.length ||
            !message.outcomes.every(isOutcome)
          ) {
            finish(
              {
                kind: "crashed",
                index,
                detail: "the child sent a malformed result",
                wallMs: wall(),
              },
              true,
            );
          } else {
            finish({ kind: "outcomes", outcomes: message.outcomes, wallMs: wall() }, false);
          }
        }
      };
      this.exitListener = (detail, signal) => {
        // V8 aborts when the heap limit is reached: the exit signal says so, not the child's
        // output (which is the student's to write and is never parsed).
        const outOfMemory = signal === "SIGABRT";
        finish(
          outOfMemory
            ? { kind: "memory-limit", index, wallMs: wall() }
            : { kind: "crashed", index, detail, wallMs: wall() },
          false,
        );
      };
      child.send({ type: "run", id, driver, payloads }, (error) => {
        if (error)
          finish(
            {
              kind: "crashed",
              index,
              detail: `could not send to the child: ${error.message}`,
              wallMs: wall(),
            },
            true,
          );
      });
    });
  }

  private start(timeoutMs: number): Promise<void> {
    if (this.ready) return this.ready;
    this.starts++;
    const readable = this.bundleFile;
    const child = fork(this.bundleFile, [], {
      cwd: dirname(this.bundleFile),
      env: childEnv(),
      execArgv: [
        permissionFlag,
        `--allow-fs-read=${readable}`,
        `--max-old-space-size=${this.limits.heapMb}`,
        "--no-warnings",
        "--enable-source-maps",
      ],
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    this.lastStderr = "";
    child.stdout!.on("data", (chunk: Buffer) => this.stdout.add(chunk));
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr.add(chunk);
      this.lastStderr = (this.lastStderr + chunk.toString("utf8")).slice(-4096);
    });
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      const timer = setTimeout(
        () => {
          this.kill();
          rejectReady(new Error(`the sandbox did not start within ${timeoutMs} ms`));
        },
        Math.max(timeoutMs, 10_000),
      );
      child.on("message", (message: unknown) => {
        if (!isChildMessage(message)) return;
        if (message.type === "ready") {
          clearTimeout(timer);
          resolveReady();
        } else if (this.child === child) {
          this.listener?.(message);
        }
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        const detail = signal
          ? `the child was killed by ${signal}`
          : `the child exited with code ${code}`;
        rejectReady(new Error(`${detail} before it was ready`));
        // A child we killed ourselves (timeout, restart) is no longer current: its exit is old news.
        if (this.child !== child) return;
        this.child = null;
        this.ready = null;
        this.exitListener?.(detail, signal);
      });
      child.on("error", () => {
        // 'exit' follows and reports it.
      });
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  private kill(): void {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.ready = null;
    child.kill("SIGTERM");
    const hard = setTimeout(() => child.kill("SIGKILL"), 500);
    hard.unref();
    child.once("exit", () => clearTimeout(hard));
  }

  /** Ends the current child; the next batch starts a fresh one (no state carried over). */
  restart(): void {
    this.kill();
  }

  /** Stops the child, if any. */
  close(): void {
    this.kill();
  }
}

/** Resident set size of a process in MiB, from /proc (Linux); null elsewhere. */
function residentMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A well-formed outcome (the child is untrusted: anything else counts as a crash). */
function isOutcome(value: unknown): value is Outcome {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Record<string, unknown>;
  switch (o.kind) {
    case "ok":
      return typeof o.ms === "number" && "value" in o;
    case "not-implemented":
      return typeof o.message === "string";
    case "load-error":
      return typeof o.module === "string" && typeof o.message === "string";
    case "threw":
      return (
        typeof o.name === "string" && typeof o.message === "string" && typeof o.stack === "string"
      );
    default:
      return false;
  }
}
