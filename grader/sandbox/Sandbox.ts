import { chmodSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { waitAtMost } from "../common/waitAtMost.js";
import { SandboxChild } from "./internal/SandboxChild.js";
import { detectIsolation, type Isolation } from "./isolation/detectIsolation.js";
import { OutputCapture } from "./OutputCapture.js";
import type { ChildMessage, Outcome } from "./protocol/messages.js";

export interface SandboxLimits {
  /** V8 heap limit of the child, in MiB. */
  heapMb: number;
  /** Resident memory (heap plus typed arrays) above which the child is killed, in MiB. */
  rssMb: number;
  /** Bytes of stdout and of stderr kept per submission. */
  outputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { heapMb: 512, rssMb: 1024, outputBytes: 64 * 1024 };

/** A batch's payloads (wire values) and the packed numbers of their tensors (see FloatPack). */
export interface PayloadBatch {
  payloads: unknown[];
  floats: Float64Array;
}

/** How one batch of runs ended. A failure names the run that was in progress. */
export type BatchResult =
  /** `floats`: the packed numbers of the outcomes' tensors. */
  | { kind: "outcomes"; outcomes: Outcome[]; floats: Float64Array; wallMs: number }
  | { kind: "timeout"; index: number; wallMs: number }
  /** Not run: the submission's time budget was already spent. */
  | { kind: "budget"; index: number; wallMs: number }
  | { kind: "memory-limit"; index: number; wallMs: number }
  | { kind: "crashed"; index: number; detail: string; wallMs: number }
  /**
   * Not run: the assignment's drivers module threw while the child loaded it (the child's
   * drivers-error message), before any student code. The assignment's fault.
   */
  | {
      kind: "drivers-error";
      index: number;
      wallMs: number;
      name: string;
      message: string;
      stack: string;
    }
  /**
   * Not run: a driver the batch or the assignment needs (see requireDrivers) is not among those
   * the child's drivers module has (`known`). The assignment's fault, found before any batch
   * reaches the child.
   */
  | { kind: "unknown-driver"; index: number; wallMs: number; missing: string[]; known: string[] };

/** What a child said of its drivers module before it was ready. */
type DriversReport = Extract<ChildMessage, { type: "drivers" | "drivers-error" }>;

/**
 * The child's whole environment: empty, so nothing of the grader's (GRADMARK_SEED, tokens)
 * reaches student code. The one exception is Stryker's active-mutant id, set only by a staff
 * mutation run (`npm run mutation`), which instrumented solution code reads from its env.
 */
function childEnv(): Record<string, string> {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  return mutant === undefined ? {} : { __STRYKER_ACTIVE_MUTANT__: mutant };
}

/** The slowest start-up a child is allowed before its batch counts as crashed. */
const START_LIMIT_MS = 10_000;
/** The longest close() waits for killed children's output to be read to the end. */
const CLOSE_WAIT_MS = 2_000;
/**
 * An abort is taken for V8 running out of heap when the child's resident memory was seen at
 * this fraction of its heap limit or more (a heap that hits its limit has grown through many
 * collections, far slower than the watchdog's period).
 */
const HEAP_NEAR_FRACTION = 0.6;
/** How often the memory watchdog looks at the running child. */
const WATCHDOG_MS = 25;

interface Queued {
  driver: string;
  batch: PayloadBatch;
  perCallMs: number;
  batchMs: number;
  deadline: number;
  resolve: (result: BatchResult) => void;
  /** The child this request was sent to, under which id (requests are resent to a fresh child). */
  sentTo: SandboxChild | null;
  id: number;
}

/**
 * The child may run as an unprivileged user: it must be able to pass through the bundle's
 * folder (not list it) and read the bundle. The source map beside it stays the grader's.
 */
function openToTheChild(bundleFile: string): void {
  try {
    const dir = dirname(bundleFile);
    if ((statSync(dir).mode & 0o001) === 0) chmodSync(dir, statSync(dir).mode | 0o111);
    if ((statSync(bundleFile).mode & 0o004) === 0)
      chmodSync(bundleFile, statSync(bundleFile).mode | 0o444);
  } catch {
    // Not ours to change: a child as another user then fails to start, and says so.
  }
}

/** The batch the current child is working on, with its clocks. */
interface Active {
  request: Queued;
  started: number;
  index: number;
  /** When the run in progress started, as far as the parent knows. */
  lastProgress: number;
  timer: NodeJS.Timeout;
  batchTimer: NodeJS.Timeout | null;
  watchdog: NodeJS.Timeout;
  /** The most resident memory the watchdog saw, in MiB. */
  peakMb: number;
}

/**
 * Sandboxed children for one submission bundle, one at a time. Batches are queued and sent
 * ahead, so the child goes from one to the next without waiting for the parent; each batch's
 * clocks start when the child starts on it. A child that times out, crashes or grows too large
 * is killed (SIGKILL, with its process group), that batch reports it, and the batches behind it go to a
 * fresh child. A spare child can be kept started ahead (it has loaded the bundle but no student
 * module), so a restart does not wait for a process to boot.
 */
export class Sandbox {
  /** Where the children started from now on write (see captureInto). */
  stdout: OutputCapture;
  stderr: OutputCapture;
  /** Child processes started so far. */
  starts = 0;
  private current: SandboxChild | null = null;
  private spare: SandboxChild | null = null;
  private keepSpare = false;
  private readonly queue: Queued[] = [];
  private active: Active | null = null;
  private waitingFor: SandboxChild | null = null;
  /** The latest progress record of the current child, kept until its batch is active. */
  private latestProgress: { id: number; index: number; at: number } | null = null;
  private nextId = 1;
  private closed = false;
  /** Children started and not yet known to be closed. */
  private readonly children = new Set<SandboxChild>();
  /** Each child's output goes where the capture was when it became the current child. */
  private readonly captures = new WeakMap<
    SandboxChild,
    { stdout: OutputCapture; stderr: OutputCapture }
  >();

  private readonly isolation: Isolation;
  /** Each child's drivers or drivers-error message (sent before ready; see ChildMessage). */
  private readonly driverReports = new WeakMap<SandboxChild, DriversReport>();
  /** Drivers every batch needs the child to have, besides its own (see requireDrivers). */
  private requiredDrivers: readonly string[] = [];

  constructor(
    readonly bundleFile: string,
    readonly limits: SandboxLimits = DEFAULT_LIMITS,
    isolation?: Isolation,
  ) {
    this.stdout = new OutputCapture(limits.outputBytes);
    this.stderr = new OutputCapture(limits.outputBytes);
    this.isolation = isolation ?? detectIsolation();
    openToTheChild(bundleFile);
  }

  /**
   * Runs `driver` over every payload of `batch` in the child. Each run gets `perCallMs` (the
   * clock restarts as the child reports the next run), and the batch as a whole at most
   * `batchMs`, and none of it after `deadline` (a performance.now() time: the submission's
   * budget). Calls made while a batch is running queue behind it, in order; their clocks start
   * when the child starts on them.
   */
  run(
    driver: string,
    batch: PayloadBatch,
    perCallMs: number,
    batchMs = Number.POSITIVE_INFINITY,
    deadline = Number.POSITIVE_INFINITY,
  ): Promise<BatchResult> {
    return new Promise<BatchResult>((resolve) => {
      if (this.closed) {
        resolve({ kind: "crashed", index: 0, detail: "the sandbox was closed", wallMs: 0 });
        return;
      }
      this.queue.push({
        driver,
        batch,
        perCallMs,
        batchMs,
        deadline,
        resolve,
        sentTo: null,
        id: 0,
      });
      this.pump();
    });
  }

  /**
   * Names drivers that must all be in the drivers module before any batch runs (a grading gives
   * every driver its assignment's checks name): when the child reports that one is missing,
   * every batch settles as `unknown-driver` and none is sent, so no student code runs at all.
   */
  requireDrivers(names: readonly string[]): void {
    this.requiredDrivers = [...new Set(names)];
  }

  /**
   * Ends the current child; the next batch runs in a fresh one (no state carried over).
   * `startNow` starts that child now rather than with the next batch. With `spare`, one more
   * child waits started behind the current one from then on (until a restart without it), so
   * the restarts that follow need not wait for a process to boot.
   */
  restart(options: { startNow?: boolean; spare?: boolean } = {}): void {
    this.keepSpare = options.spare ?? false;
    this.dropCurrent();
    if (options.startNow && !this.closed) this.takeChild();
    this.pump();
  }

  /**
   * Sends the output of the children that become current from now on (after a restart) to
   * these captures, so output can be kept per problem whatever else runs at the same time.
   */
  captureInto(stdout: OutputCapture, stderr: OutputCapture): void {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Stops the children, if any; batches still queued report a crash. Settles once every child
   * this sandbox started has ended and its output has been read to the end (a child's last
   * lines can arrive after its last result), or after CLOSE_WAIT_MS at most.
   */
  close(): Promise<void> {
    this.closed = true;
    this.keepSpare = false;
    this.dropCurrent();
    this.spare?.kill();
    this.spare = null;
    for (const request of this.queue.splice(0)) {
      request.resolve({ kind: "crashed", index: 0, detail: "the sandbox was closed", wallMs: 0 });
    }
    const children = [...this.children];
    this.children.clear();
    return waitAtMost(Promise.all(children.map((c) => c.closed)), CLOSE_WAIT_MS);
  }

  /** Sends what is queued to the current child (starting one if needed) and clocks the head. */
  private pump(): void {
    if (this.closed || this.active) return;
    // Batches whose budget ran out while they waited are not run. The child may have them
    // already (they are sent ahead), so it is replaced before it starts on them.
    const now = performance.now();
    let sentExpired = false;
    while (this.queue.length > 0 && this.queue[0]!.deadline <= now) {
      const request = this.queue.shift()!;
      sentExpired ||= request.sentTo !== null && request.sentTo === this.current;
      request.resolve({ kind: "budget", index: 0, wallMs: 0 });
    }
    if (sentExpired) this.dropCurrent();
    if (this.queue.length === 0) return;
    const child = this.current ?? this.takeChild();
    if (!child.isReady) {
      this.waitForStart(child);
      return;
    }
    // The assignment's faults are found before anything is sent: nothing runs then.
    const fault = this.driversFault(child);
    if (fault) {
      for (const request of this.queue.splice(0)) request.resolve(fault);
      return;
    }
    for (const request of this.queue) {
      if (request.sentTo === child) continue;
      request.sentTo = child;
      request.id = this.nextId++;
      const { id, driver, batch } = request;
      child.send({ type: "run", id, driver, ...batch }, (error) => {
        if (this.active?.request === request) {
          this.finish(
            {
              kind: "crashed",
              index: this.active.index,
              detail: `could not send to the child: ${error.message}`,
              wallMs: performance.now() - this.active.started,
            },
            true,
          );
        }
        // Otherwise the child's exit follows and the request goes to a fresh child.
      });
    }
    this.activate(this.queue[0]!);
  }

  /**
   * Why no batch may run in `child` (its drivers module failed to load, or lacks a driver that
   * is required or queued), or null. A child that said nothing of its drivers is not doubted.
   */
  private driversFault(child: SandboxChild): BatchResult | null {
    const report = this.driverReports.get(child);
    if (!report) return null;
    if (report.type === "drivers-error") {
      const { name, message, stack } = report;
      return { kind: "drivers-error", index: 0, wallMs: 0, name, message, stack };
    }
    const needed = new Set([...this.requiredDrivers, ...this.queue.map((r) => r.driver)]);
    const missing = [...needed].filter((name) => !report.names.includes(name));
    if (missing.length === 0) return null;
    return { kind: "unknown-driver", index: 0, wallMs: 0, missing, known: [...report.names] };
  }

  /** The head batch waits for the child's start-up, within START_LIMIT_MS (or its own limit). */
  private waitForStart(child: SandboxChild): void {
    if (this.waitingFor === child) return;
    this.waitingFor = child;
    const head = this.queue[0]!;
    const limitMs = Math.max(Math.min(head.perCallMs, head.batchMs), START_LIMIT_MS);
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      if (this.waitingFor !== child) return; // dropped meanwhile: whoever dropped it moves on
      this.waitingFor = null;
      if (error) {
        if (this.current === child) this.dropCurrent();
        this.queue
          .shift()
          ?.resolve({ kind: "crashed", index: 0, detail: error.message, wallMs: 0 });
      }
      this.pump();
    };
    const timer = setTimeout(
      () => settle(new Error(`the sandbox did not start within ${limitMs} ms`)),
      limitMs,
    );
    child.ready.then(
      () => settle(null),
      (error: Error) => settle(error),
    );
  }

  /** Starts the clocks and the memory watchdog of the batch at the head of the queue. */
  private activate(request: Queued): void {
    const child = request.sentTo!;
    const started = performance.now();
    const batchMs = Math.max(1, Math.min(request.batchMs, request.deadline - started));
    const timeoutMs = Math.min(request.perCallMs, batchMs);
    const onTimeout = () => {
      const active = this.active;
      if (!active) return;
      // One timer per batch, pushed back as progress arrives rather than reset per run.
      const left = active.lastProgress + timeoutMs - performance.now();
      if (left > 0) {
        active.timer = setTimeout(onTimeout, left);
        return;
      }
      this.finish(
        { kind: "timeout", index: active.index, wallMs: performance.now() - active.started },
        true,
      );
    };
    const active: Active = {
      request,
      started,
      index: 0,
      lastProgress: started,
      timer: setTimeout(onTimeout, timeoutMs),
      batchTimer: Number.isFinite(batchMs)
        ? setTimeout(() => {
            if (this.active === active)
              this.finish(
                { kind: "timeout", index: active.index, wallMs: performance.now() - started },
                true,
              );
          }, batchMs)
        : null,
      peakMb: 0,
      watchdog: setInterval(() => {
        const rss = child.residentMb();
        if (rss !== null) active.peakMb = Math.max(active.peakMb, rss);
        if (rss !== null && rss > this.limits.rssMb && this.active === active)
          this.finish(
            { kind: "memory-limit", index: active.index, wallMs: performance.now() - started },
            true,
          );
      }, WATCHDOG_MS),
    };
    this.active = active;
    // Progress for this batch may have come in (on its own pipe) before the previous result.
    const early = this.latestProgress;
    if (early && early.id === request.id) this.onProgress(early.id, early.index, early.at);
  }

  private onProgress(id: number, index: number, at = performance.now()): void {
    const active = this.active;
    if (!active || active.request.id !== id) {
      this.latestProgress = { id, index, at };
      return;
    }
    // The child is untrusted: a progress index is only believed within the batch.
    if (
      Number.isSafeInteger(index) &&
      index > active.index &&
      index < active.request.batch.payloads.length
    ) {
      active.index = index;
      active.lastProgress = at;
    }
  }

  private onMessage(message: ChildMessage): void {
    const active = this.active;
    if (message.type !== "result" || !active || message.id !== active.request.id) return;
    const wallMs = performance.now() - active.started;
    if (message.outcomes.length !== active.request.batch.payloads.length) {
      this.finish(
        {
          kind: "crashed",
          index: active.index,
          detail: `the child sent ${message.outcomes.length} outcomes for ${active.request.batch.payloads.length} runs`,
          wallMs,
        },
        true,
      );
    } else {
      this.finish({ kind: "outcomes", ...message, wallMs }, false);
    }
  }

  /** A bad frame or message: the batch it interrupted is crashed, naming what was wrong. */
  private onProtocolError(child: SandboxChild, detail: string): void {
    if (this.current !== child) return;
    const active = this.active;
    if (!active) {
      this.dropCurrent();
      this.pump();
      return;
    }
    this.finish(
      {
        kind: "crashed",
        index: active.index,
        detail,
        wallMs: performance.now() - active.started,
      },
      true,
    );
  }

  private onExit(child: SandboxChild, detail: string, signal: NodeJS.Signals | null): void {
    if (this.spare === child) this.spare = null;
    if (this.current !== child) return; // one we dropped ourselves: old news
    this.current = null;
    const active = this.active;
    if (active) {
      const wallMs = performance.now() - active.started;
      // V8 aborts when the heap limit is reached, but so does a failed assertion in the
      // runtime: an abort counts as running out of memory only when the watchdog saw the child
      // near its heap limit. Never from the child's output (the student's to write, never read).
      const nearHeapLimit = active.peakMb >= HEAP_NEAR_FRACTION * this.limits.heapMb;
      this.finish(
        signal === "SIGABRT" && nearHeapLimit
          ? { kind: "memory-limit", index: active.index, wallMs }
          : { kind: "crashed", index: active.index, detail, wallMs },
        false,
      );
    }
  }

  /** Settles the active batch and moves on to the next (in a fresh child after a kill). */
  private finish(result: BatchResult, kill: boolean): void {
    const active = this.active;
    if (!active) return;
    clearTimeout(active.timer);
    if (active.batchTimer) clearTimeout(active.batchTimer);
    clearInterval(active.watchdog);
    this.active = null;
    this.queue.shift();
    if (kill) this.dropCurrent();
    active.request.resolve(result);
    this.pump();
  }

  /** The spare, or a new child, becomes the current one. */
  private takeChild(): SandboxChild {
    const child = this.spare ?? this.fork();
    this.spare = null;
    this.current = child;
    this.captures.set(child, { stdout: this.stdout, stderr: this.stderr });
    this.latestProgress = null;
    // The spare boots once the current child is up, so the two do not compete for the CPU.
    child.ready.then(
      () => this.refillSpare(),
      () => {},
    );
    return child;
  }

  private refillSpare(): void {
    // No spare for children whose drivers module is at fault: nothing will run in them.
    if (this.current && this.driversFault(this.current)) return;
    if (this.keepSpare && !this.closed && !this.spare) this.spare = this.fork();
  }

  private fork(): SandboxChild {
    this.starts++;
    const child: SandboxChild = new SandboxChild(
      this.bundleFile,
      this.isolation,
      {
        heapMb: this.limits.heapMb,
        env: childEnv(),
        // A spare has loaded no student module, so it has nothing to say before it is taken.
        stdout: (chunk) => (this.captures.get(child)?.stdout ?? this.stdout).add(chunk),
        stderr: (chunk) => (this.captures.get(child)?.stderr ?? this.stderr).add(chunk),
      },
      {
        message: (message) => {
          if (message.type === "drivers" || message.type === "drivers-error") {
            // Believed only before the child is ready, when no student code has run in it
            // (spares included: theirs is kept for when they become current).
            if (!child.isReady && !this.driverReports.has(child))
              this.driverReports.set(child, message);
            return;
          }
          if (this.current === child) this.onMessage(message);
        },
        protocolError: (detail) => this.onProtocolError(child, detail),
        progress: (id, index) => {
          if (this.current === child) this.onProgress(id, index);
        },
        exit: (detail, signal) => this.onExit(child, detail, signal),
      },
    );
    this.children.add(child);
    child.closed.then(() => this.children.delete(child));
    return child;
  }

  /** Kills the current child; a batch it was running goes back to the queue, unsent. */
  private dropCurrent(): void {
    const child = this.current;
    if (!child) return;
    const active = this.active;
    if (active) {
      clearTimeout(active.timer);
      if (active.batchTimer) clearTimeout(active.batchTimer);
      clearInterval(active.watchdog);
      this.active = null;
    }
    for (const request of this.queue) request.sentTo = null;
    this.current = null;
    this.waitingFor = null;
    child.kill();
  }
}
