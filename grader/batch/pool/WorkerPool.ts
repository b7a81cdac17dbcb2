import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { waitAtMost } from "../../common/waitAtMost.js";
import { type GradeJob, isWorkerMessage, type WorkerToParent } from "./workerProtocol.js";

/** How to start a worker process; tests may point at a fake worker. */
export interface WorkerSpec {
  file: string;
  execArgv: string[];
}

/**
 * The worker next to this module: batchWorker.js in the built package, batchWorker.ts run
 * through tsx from a checkout (vitest and `tsx` runs alike).
 */
export function defaultWorkerSpec(): WorkerSpec {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return { file: join(dirname(here), "batchWorker.js"), execArgv: [] };
  const tsx = createRequire(import.meta.url).resolve("tsx");
  return {
    file: join(dirname(here), "batchWorker.ts"),
    execArgv: ["--import", pathToFileURL(tsx).href],
  };
}

/** The worker went away before answering. */
interface Lost {
  type: "lost";
  message: string;
}

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  /** Settles the job in progress when the worker answers, exits or runs out of time. */
  settle: ((reply: WorkerToParent | Lost) => void) | null;
}

/**
 * A fixed number of batch workers, each grading one submission at a time. A worker that dies
 * or overruns `jobTimeoutMs` is killed with its whole process group (its sandboxes too); its
 * submission is answered with "failed" and a fresh worker takes the next one.
 */
export class WorkerPool {
  private readonly slots: (Slot | null)[];
  private readonly idle: number[] = [];
  private readonly waiting: ((slot: number) => void)[] = [];
  private closed = false;

  /**
   * `tempDir`, when given, is the workers' TMPDIR: the scratch folders of a grading that is
   * killed (its worker stopped mid-way) stay there, for the owner to remove with it.
   */
  constructor(
    readonly size: number,
    readonly jobTimeoutMs: number,
    private readonly spec: WorkerSpec = defaultWorkerSpec(),
    private readonly tempDir?: string,
  ) {
    this.slots = Array.from({ length: size }, () => null);
    for (let i = 0; i < size; i++) this.idle.push(i);
  }

  /** Grades one job on the next free worker. Never rejects: failures come back as "failed". */
  async grade(job: GradeJob): Promise<WorkerToParent> {
    const index = await this.acquire();
    try {
      return await this.runOn(index, job);
    } finally {
      this.release(index);
    }
  }

  /**
   * Asks every worker to exit (they are idle once every job is answered), waits for them at
   * most `graceMs`, then stops the rest as close() does.
   */
  async shutdown(graceMs = 2_000): Promise<void> {
    const exits = this.slots.flatMap((slot) => {
      if (!slot || slot.child.exitCode !== null || slot.child.signalCode !== null) return [];
      const exited = new Promise<void>((resolve) => slot.child.once("exit", () => resolve()));
      slot.child.send({ type: "stop" }, () => {});
      return [exited];
    });
    await waitAtMost(Promise.all(exits), graceMs);
    this.close();
  }

  /** Stops every worker and the sandboxes they run. */
  close(): void {
    this.closed = true;
    for (let i = 0; i < this.slots.length; i++) this.stop(i);
  }

  private acquire(): Promise<number> {
    const free = this.idle.shift();
    if (free !== undefined) return Promise.resolve(free);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(index: number): void {
    const next = this.waiting.shift();
    if (next) next(index);
    else this.idle.push(index);
  }

  private runOn(index: number, job: GradeJob): Promise<WorkerToParent> {
    const failed = (message: string): WorkerToParent => ({
      type: "failed",
      folder: job.folder,
      message,
    });
    if (this.closed) return Promise.resolve(failed("the batch was stopped"));
    const slot = this.slots[index] ?? this.start(index);
    return new Promise<WorkerToParent>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      slot.settle = (reply) => {
        clearTimeout(timer);
        slot.settle = null;
        if (reply.type === "lost") resolve(failed(reply.message));
        else if (reply.type !== "ready" && reply.folder === job.folder) resolve(reply);
        else
          resolve(
            failed(
              `the grader's worker answered about ${reply.type === "ready" ? "nothing" : reply.folder}`,
            ),
          );
      };
      slot.ready.then(
        () => {
          if (slot.settle === null) return;
          timer = setTimeout(() => {
            slot.settle?.({
              type: "lost",
              message: `grading took longer than ${Math.round(this.jobTimeoutMs / 1000)} s; the grader's worker was stopped`,
            });
            this.stop(index);
          }, this.jobTimeoutMs);
          slot.child.send({ type: "grade", job }, (error) => {
            if (error)
              slot.settle?.({
                type: "lost",
                message: `cannot reach the grader's worker: ${error.message}`,
              });
          });
        },
        (error: Error) => slot.settle?.({ type: "lost", message: error.message }),
      );
    });
  }

  private start(index: number): Slot {
    // detached: the worker leads a process group holding its sandboxes, stopped as one.
    const child = fork(this.spec.file, [], {
      execArgv: this.spec.execArgv,
      env: this.tempDir === undefined ? process.env : { ...process.env, TMPDIR: this.tempDir },
      detached: true,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    let markReady: () => void = () => {};
    let failStart: (error: Error) => void = () => {};
    const slot: Slot = {
      child,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
      settle: null,
    };
    slot.ready.catch(() => {});
    child.on("message", (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === "ready") markReady();
      else slot.settle?.(message);
    });
    child.on("exit", (code, signal) => {
      // Whatever the worker left in its group (its sandboxes) goes with it, however it died.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Nothing left.
        }
      }
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const detail = stderr.trim().split("\n").slice(-3).join(" | ");
      const message = `the grader's worker stopped (${how})${detail ? `: ${detail}` : ""}`;
      failStart(new Error(message));
      slot.settle?.({ type: "lost", message });
      if (this.slots[index] === slot) this.slots[index] = null;
    });
    this.slots[index] = slot;
    return slot;
  }

  private stop(index: number): void {
    const slot = this.slots[index];
    if (!slot) return;
    this.slots[index] = null;
    const pid = slot.child.pid;
    try {
      if (pid !== undefined) process.kill(-pid, "SIGKILL");
    } catch {
      slot.child.kill("SIGKILL");
    }
  }
}
