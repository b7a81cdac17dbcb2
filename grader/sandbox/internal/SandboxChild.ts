import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Isolation } from "../isolation/detectIsolation.js";
import { descendantsOf, processesNaming, treeResidentMb } from "../isolation/processTree.js";
import { MAX_CHILD_FRAME_BYTES, MESSAGE_FD, PROGRESS_FD } from "../protocol/channel.js";
import { encodeFrame, FrameReader } from "../protocol/framing.js";
import type { ChildMessage, RunRequest } from "../protocol/messages.js";
import { ProgressReader } from "../protocol/ProgressReader.js";
import { parseChildMessage } from "../protocol/validate.js";

const permissionFlag =
  Number(process.versions.node.split(".")[0]) >= 22 ? "--permission" : "--experimental-permission";

/** Children still alive, killed when the grader exits however it exits. */
const liveChildren = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const pid of liveChildren) killChild(pid);
  };
  process.on("exit", killAll);
  // A signal that ends the grader skips 'exit': the children go first, then the signal does
  // what it would have done. A command that handles the signal itself (batch stops gracefully
  // on Ctrl-C) is left to do so.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Kills a child and every process under it, all found before any is killed. The wrappers are
 * meant to take their namespace down with them (bubblewrap's die-with-parent, unshare's
 * kill-child), but bubblewrap arms die-with-parent in its forked process only after the fork: a
 * wrapper killed in that moment (a spare child closed right after its start) left that process
 * behind, reparented to init (8 of 40 quick kills did). A child without a wrapper can start
 * nothing (the permission model refuses it).
 */
function killChild(pid: number): void {
  for (const target of [pid, ...descendantsOf(pid)]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * After a killed child's wrapper has exited: kills what it left behind that still names its
 * bundle. A wrapper killed while it forks (unshare before its forked child arms its
 * parent-death signal, as seen in 2 of 5 runs of 30 quick kills without root) leaves that
 * process reparented and out of reach of descendantsOf; by the time the wrapper has exited the
 * fork is complete, so the process is found by name. Processes of live children (a fresh child
 * of the same bundle may already run) are spared: names first, then the live trees, so a process
 * a live wrapper forks in between is never taken for a straggler.
 */
function killStragglers(bundleFile: string): void {
  const named = processesNaming(bundleFile);
  if (named.length === 0) return;
  const live = new Set<number>();
  for (const pid of liveChildren) {
    live.add(pid);
    for (const below of descendantsOf(pid)) live.add(below);
  }
  for (const pid of named) {
    if (live.has(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** What the owner of a child hears from it. */
export interface ChildEvents {
  /** A valid message other than "ready". */
  message: (message: ChildMessage) => void;
  /** The child broke the protocol (a bad frame or message); it is killed, `exit` follows. */
  protocolError: (detail: string) => void;
  /** The latest progress record read from the child's progress pipe. */
  progress: (id: number, index: number) => void;
  /** The process ended; `detail` says how, in words. */
  exit: (detail: string, signal: NodeJS.Signals | null) => void;
}

/**
 * One sandboxed child process running a submission bundle, from start to exit, inside the OS
 * walls `isolation` gives (namespaces, an unprivileged user) and Node's permission model: it
 * may read its bundle and nothing else, and write, spawn, start workers or load addons not at
 * all. It talks to the parent only through framed messages on a private socket (MESSAGE_FD),
 * validated here before anyone uses them. `ready` settles when the child has loaded the bundle
 * (before any student module: those load on first use) or has ended before that.
 */
export class SandboxChild {
  readonly ready: Promise<void>;
  /** Settles once the process has ended and its output pipes are read to the end. */
  readonly closed: Promise<void>;
  isReady = false;
  exited = false;
  private readonly process: ChildProcess;
  private readonly channel: Writable & Readable;
  private readonly frames = new FrameReader(MAX_CHILD_FRAME_BYTES);
  private readonly progress = new ProgressReader();
  private broken = false;
  private killRequested = false;

  constructor(
    bundleFile: string,
    isolation: Isolation,
    options: {
      heapMb: number;
      env: Record<string, string>;
      stdout: (chunk: Buffer) => void;
      stderr: (chunk: Buffer) => void;
    },
    private readonly events: ChildEvents,
  ) {
    const nodeArgs = [
      permissionFlag,
      `--allow-fs-read=${bundleFile}`,
      `--max-old-space-size=${options.heapMb}`,
      // eval and new Function: no way to build code the bundler never saw.
      "--disallow-code-generation-from-strings",
      "--no-warnings",
      bundleFile,
    ];
    const { file, args } = isolation.command(process.execPath, nodeArgs, dirname(bundleFile));
    installExitHook();
    // Not detached: a session of its own would also be a scheduling group of its own (Linux
    // autogroups), and children would take CPU from the grader that feeds them; it stays in the
    // grader's process group, which a batch's pool or the terminal stops as one.
    const child = spawn(file, args, {
      cwd: dirname(bundleFile),
      env: options.env,
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    });
    this.process = child;
    if (child.pid !== undefined) liveChildren.add(child.pid);
    this.channel = child.stdio[MESSAGE_FD] as Writable & Readable;
    child.stdout!.on("data", options.stdout);
    child.stderr!.on("data", options.stderr);
    (child.stdio[PROGRESS_FD] as Readable).on("data", (chunk: Buffer) => {
      const record = this.progress.push(chunk);
      if (record) this.events.progress(record.id, record.index);
    });
    // A write to a child that is gone fails here; its exit is reported on its own.
    this.channel.on("error", () => {});
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      this.channel.on("data", (chunk: Buffer) => {
        if (this.broken) return;
        try {
          for (const decoded of this.frames.push(chunk)) {
            const message = parseChildMessage(decoded);
            if (message.type === "ready") {
              this.isReady = true;
              resolveReady();
            } else this.events.message(message);
          }
        } catch (error) {
          this.broken = true;
          this.kill();
          this.events.protocolError(`the child sent ${(error as Error).message}`);
        }
      });
      child.on("exit", (code, signal) => {
        this.exited = true;
        if (child.pid !== undefined) liveChildren.delete(child.pid);
        // Only a child killed before it was ready can have left a wrapper's fork behind: once
        // ready, its whole tree ran under the wrapper and was killed with it. So a child closed
        // at the end of its problem costs no scan of /proc.
        if (this.killRequested && !this.isReady) killStragglers(bundleFile);
        const ended = signal ?? signalOfWrapperCode(code);
        const detail = ended
          ? `the child was killed by ${ended}`
          : `the child exited with code ${code}`;
        rejectReady(new Error(`${detail} before it was ready`));
        this.events.exit(detail, ended);
      });
      child.on("error", () => {
        // 'exit' follows and reports it.
      });
    });
    this.ready.catch(() => {});
    this.closed = new Promise<void>((resolveClosed) => child.once("close", () => resolveClosed()));
  }

  /** Sends a run request; `onError` hears of a failed send (the exit event follows). */
  send(request: RunRequest, onError: (error: Error) => void): void {
    if (this.exited || this.broken || this.channel.destroyed) {
      onError(new Error("the child is gone"));
      return;
    }
    this.channel.write(encodeFrame(request), (error) => {
      if (error) onError(error);
    });
  }

  residentMb(): number | null {
    return treeResidentMb(this.process.pid);
  }

  /** Kills the child (SIGKILL) and, through its wrapper, whatever runs under it. */
  kill(): void {
    if (this.exited || this.process.pid === undefined) return;
    this.killRequested = true;
    killChild(this.process.pid);
  }
}

/**
 * The wrappers (bubblewrap, the shell under unshare) report a child that a signal ended as an
 * exit code of 128 + the signal's number.
 */
function signalOfWrapperCode(code: number | null): NodeJS.Signals | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  const number = code - 128;
  const name = Object.entries(constants.signals).find(([, n]) => n === number)?.[0];
  return (name as NodeJS.Signals | undefined) ?? null;
}
