import { type ChildProcess, spawn } from "node:child_process";

/** Escape sequences (colours, clear screen) dropped before the output is parsed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
const ANSI = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

interface Waiter {
  done: (output: string) => boolean;
  resolve: (at: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Every watcher started and not yet stopped: killed if the bench exits without stopping them. */
const live = new Set<WatcherProcess>();
let exitHookInstalled = false;

/**
 * A long-lived watcher (gradmark check --watch, vitest --watch) spawned in its own process group
 * with stdout and stderr piped (not a terminal), its output kept (escape sequences stripped) and
 * waited on: `waitFor` resolves with the time (performance.now()) of the chunk of output after
 * which a predicate first holds. `stop` ends the whole process group.
 */
export class WatcherProcess {
  private readonly child: ChildProcess;
  private text = "";
  private waiter: Waiter | null = null;
  private exited: Promise<void>;
  private exitInfo: string | null = null;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", () => {
        for (const w of live) w.killGroup("SIGKILL");
      });
    }
    const onData = (chunk: Buffer) => {
      const at = performance.now();
      this.text += stripAnsi(chunk.toString("utf8"));
      this.check(at);
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    this.child.stdin!.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exitInfo = `exited with ${code ?? signal}`;
        const w = this.waiter;
        if (w !== null) {
          this.waiter = null;
          clearTimeout(w.timer);
          w.reject(new Error(`${this.name} ${this.exitInfo}:\n${this.tail()}`));
        }
        resolve();
      });
      this.child.on("error", (error) => {
        this.exitInfo = `failed to start: ${error.message}`;
        resolve();
      });
    });
  }

  /** Everything printed so far (escape sequences stripped). */
  get output(): string {
    return this.text;
  }

  /** The last lines printed, for error messages. */
  tail(chars = 3000): string {
    return this.text.slice(-chars);
  }

  /**
   * Resolves with the time of the output chunk after which `done(output)` holds (at once, with
   * now, when it already holds); rejects after `timeoutMs` or when the process ends.
   */
  waitFor(done: (output: string) => boolean, timeoutMs: number, what: string): Promise<number> {
    if (this.waiter !== null) throw new Error(`${this.name}: already waiting`);
    if (done(this.text)) return Promise.resolve(performance.now());
    if (this.exitInfo !== null)
      return Promise.reject(new Error(`${this.name} ${this.exitInfo}:\n${this.tail()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new Error(
            `${this.name}: no ${what} within ${timeoutMs / 1000} s; output:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      this.waiter = { done, resolve, reject, timer };
    });
  }

  private check(at: number): void {
    const w = this.waiter;
    if (w === null || !w.done(this.text)) return;
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve(at);
  }

  /** Sends a signal to the whole process group (the watcher and whatever it started). */
  killGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  /**
   * Asks the watcher to quit ("q" on stdin, then SIGINT to its group), waits up to `graceMs`
   * for it to exit, then kills the group with SIGKILL either way (children it left included).
   */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitInfo === null) {
      this.child.stdin!.write("q");
      this.killGroup("SIGINT");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exited,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.killGroup("SIGKILL");
    this.child.stdin!.destroy();
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
    live.delete(this);
  }
}
