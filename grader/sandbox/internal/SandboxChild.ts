import { type ChildProcess, fork } from "node:child_process";
import { endianness } from "node:os";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import {
  type ChildMessage,
  isChildMessage,
  PROGRESS_FD,
  PROGRESS_RECORD_BYTES,
  type RunRequest,
} from "../protocol.js";
import { residentMb } from "./residentMb.js";

const permissionFlag =
  Number(process.versions.node.split(".")[0]) >= 22 ? "--permission" : "--experimental-permission";

const littleEndian = endianness() === "LE";

/** What the owner of a child hears from it. */
export interface ChildEvents {
  /** A message other than "ready" (the child is untrusted: it may be anything well-typed). */
  message: (message: ChildMessage) => void;
  /** The latest progress record read from the child's progress pipe. */
  progress: (id: number, index: number) => void;
  /** The process ended; `detail` says how, in words. */
  exit: (detail: string, signal: NodeJS.Signals | null) => void;
}

/**
 * One sandboxed child process running a submission bundle, from fork to exit. It may read its
 * bundle and nothing else, and write, spawn, start workers or load addons not at all (Node's
 * permission model). `ready` settles when the child has loaded the bundle (before any student
 * module: those load on first use) or has ended before that.
 */
export class SandboxChild {
  readonly ready: Promise<void>;
  /** Settles once the process has ended and its output pipes are read to the end. */
  readonly closed: Promise<void>;
  isReady = false;
  exited = false;
  private readonly process: ChildProcess;
  private rest = Buffer.alloc(0);

  constructor(
    bundleFile: string,
    options: {
      heapMb: number;
      env: Record<string, string>;
      stdout: (chunk: Buffer) => void;
      stderr: (chunk: Buffer) => void;
    },
    private readonly events: ChildEvents,
  ) {
    const child = fork(bundleFile, [], {
      cwd: dirname(bundleFile),
      env: options.env,
      execArgv: [
        permissionFlag,
        `--allow-fs-read=${bundleFile}`,
        `--max-old-space-size=${options.heapMb}`,
        "--no-warnings",
      ],
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"],
    });
    this.process = child;
    child.stdout!.on("data", options.stdout);
    child.stderr!.on("data", options.stderr);
    (child.stdio[PROGRESS_FD] as Readable).on("data", (chunk: Buffer) => this.readProgress(chunk));
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      child.on("message", (message: unknown) => {
        if (!isChildMessage(message)) return;
        if (message.type === "ready") {
          this.isReady = true;
          resolveReady();
        } else this.events.message(message);
      });
      child.on("exit", (code, signal) => {
        this.exited = true;
        const detail = signal
          ? `the child was killed by ${signal}`
          : `the child exited with code ${code}`;
        rejectReady(new Error(`${detail} before it was ready`));
        this.events.exit(detail, signal);
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
    if (this.exited || !this.process.connected) {
      onError(new Error("the child is gone"));
      return;
    }
    this.process.send(request, (error) => {
      if (error) onError(error);
    });
  }

  residentMb(): number | null {
    return residentMb(this.process.pid);
  }

  /** SIGTERM, then SIGKILL if it is still there half a second later. */
  kill(): void {
    if (this.exited) return;
    const child = this.process;
    child.kill("SIGTERM");
    const hard = setTimeout(() => child.kill("SIGKILL"), 500);
    hard.unref();
    child.once("exit", () => clearTimeout(hard));
  }

  /** Keeps the last whole record of what arrived (records may be split across chunks). */
  private readProgress(chunk: Buffer): void {
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const whole = data.length - (data.length % PROGRESS_RECORD_BYTES);
    this.rest = Buffer.from(data.subarray(whole));
    if (whole === 0) return;
    const at = whole - PROGRESS_RECORD_BYTES;
    const id = littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at);
    const index = littleEndian ? data.readUInt32LE(at + 4) : data.readUInt32BE(at + 4);
    this.events.progress(id, index);
  }
}
