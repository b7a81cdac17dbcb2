/**
 * The code that runs inside the sandboxed child, bundled in one file together with the kit, the
 * assignment's drivers and the submission. It is evaluated before any student module (those are
 * loaded lazily, one by one), so it saves everything it relies on first.
 */
import { writeSync } from "node:fs";
import { Socket } from "node:net";
import { MAX_PARENT_FRAME_BYTES, MESSAGE_FD, PROGRESS_FD } from "../protocol/channel.js";
import { FloatPack } from "../protocol/FloatPack.js";
import { encodeFrame, FrameReader } from "../protocol/framing.js";
import type { ChildMessage, Outcome, ParentMessage } from "../protocol/messages.js";
import type { Driver } from "./driver.js";
import { lockDown } from "./lockDown.js";
import { describeError, LoadError, runOutcome } from "./runOutcome.js";
import { withStandardDrivers } from "./standard/standardDrivers.js";

const saved = {
  on: process.on.bind(process),
  exit: process.exit.bind(process),
  now: performance.now.bind(performance),
  keys: Object.keys,
  String,
  apply: Reflect.apply,
  Error,
  writeSync,
};

/**
 * The private channel to the parent (see protocol/channel.ts), opened before student code can
 * reach the `net` module. Node's own IPC channel is not used: it accepts handles and internal
 * commands from anyone holding `process.send`.
 */
const channel = new Socket({ fd: MESSAGE_FD, readable: true, writable: true });
const write = (message: ChildMessage, then?: () => void): void => {
  channel.write(encodeFrame(message), then && (() => then()));
};

// One progress record, reused: two uint32 (request id, run index), written whole or not at all.
const progress = new Uint32Array(2);
const progressBytes = new Uint8Array(progress.buffer);

/** Tells the parent that run `index` of request `id` starts (see protocol.ts). */
function reportProgress(id: number, index: number): void {
  progress[0] = id;
  progress[1] = index;
  try {
    saved.writeSync(PROGRESS_FD, progressBytes);
  } catch {
    // The pipe is gone (student code may close descriptors): the per-call timeout still holds.
  }
}

// Everything above is saved: from here on, what the walls leave reachable is refused.
lockDown();

/**
 * Whether startChild has begun. Until then what runs is the assignment's drivers module and what
 * it imports (the bundle evaluates them after this module, before its entry calls startChild;
 * student modules load only later, on first use), so a throw in between is the drivers' fault:
 * the child says so in a message of its own (drivers-error) instead of dying with exit code 1,
 * which the parent would take for the submission's crash. Afterwards these handlers do nothing
 * (startChild installs its own).
 */
let started = false;
const onLoadFailure = (error: unknown): void => {
  if (started) return;
  started = true;
  const { name, message, stack } = describeError(error);
  write({ type: "drivers-error", name, message, stack });
  // Ready, to run nothing: the parent sees the drivers-error first and sends no batch. The open
  // channel keeps the child alive until the parent ends it.
  write({ type: "ready", modules: [] });
};
saved.on("uncaughtException", onLoadFailure);
saved.on("unhandledRejection", onLoadFailure);

/** A submission's module, loaded on first use. */
export type ModuleLoader = () => Record<string, unknown>;

/**
 * The submission's modules as drivers see them: each loaded on first use, once; a module that
 * did not compile, is missing or threw while loading is a LoadError for every driver that asks.
 */
function lazyModules(
  loaders: Record<string, ModuleLoader>,
  moduleErrors: Record<string, string>,
): Record<string, Record<string, unknown>> {
  const cache = new Map<string, Record<string, unknown>>();
  const failed = new Map<string, string>();
  return new Proxy({} as Record<string, Record<string, unknown>>, {
    get(_, name) {
      const key = saved.String(name);
      if (moduleErrors[key] !== undefined) throw new LoadError(key, moduleErrors[key]!);
      const loaded = cache.get(key);
      if (loaded) return loaded;
      if (failed.has(key)) throw new LoadError(key, failed.get(key)!);
      const loader = loaders[key];
      if (!loader) throw new LoadError(key, `src/${key} is missing`);
      try {
        const exports = loader();
        cache.set(key, exports);
        return exports;
      } catch (error) {
        const message = `src/${key} threw while loading: ${describeError(error).message}`;
        failed.set(key, message);
        throw new LoadError(key, message);
      }
    },
  });
}

export function startChild(
  ownDrivers: Record<string, Driver>,
  loaders: Record<string, ModuleLoader>,
  moduleErrors: Record<string, string>,
): void {
  if (started) return;
  // Still the drivers module's moment: a drivers export that is not an object is reported as a
  // drivers-error (the throw reaches onLoadFailure).
  if (typeof ownDrivers !== "object" || ownDrivers === null) {
    throw new saved.Error(
      `its export "drivers" is ${ownDrivers === null ? "null" : typeof ownDrivers}, not an object of driver functions`,
    );
  }
  const drivers = withStandardDrivers(ownDrivers);
  const driverNames = saved.keys(drivers).filter((name) => typeof drivers[name] === "function");
  started = true;
  const modules = lazyModules(loaders, moduleErrors);

  // Student code may start promises or timers that fail later; they must not end the child.
  saved.on("unhandledRejection", () => {});
  saved.on("uncaughtException", () => {});
  // The parent sends a problem's batches ahead. Each one starts only once the previous result
  // is written out: a batch that never returns (an infinite loop) blocks this event loop, and a
  // result still waiting to be written would then never reach the parent, which would time out
  // the wrong check. Plain indices, not Array methods: student code may have replaced those.
  const pending: ParentMessage[] = [];
  let head = 0;
  let tail = 0;
  let busy = false;
  const runNext = (): void => {
    if (head === tail) {
      busy = false;
      return;
    }
    busy = true;
    const message = pending[head]!;
    pending[head] = undefined as never;
    head++;
    const driver = drivers[message.driver];
    const outcomes: Outcome[] = [];
    const pack = new FloatPack();
    message.payloads.forEach((payload, index) => {
      reportProgress(message.id, index);
      if (!driver) {
        outcomes.push({
          kind: "threw",
          name: "Error",
          message: `unknown driver ${message.driver}`,
          stack: "",
        });
        return;
      }
      outcomes.push(runOutcome(driver, modules, payload, message.floats, pack));
    });
    write({ type: "result", id: message.id, outcomes, floats: pack.finish() }, runNext);
  };
  const reader = new FrameReader(MAX_PARENT_FRAME_BYTES);
  channel.on("data", (chunk: Buffer) => {
    let messages: unknown[] = [];
    try {
      messages = reader.push(chunk);
    } catch {
      saved.exit(70); // the parent's frames are not to be misread: end, and let it see why
    }
    for (const message of messages) {
      if ((message as ParentMessage | null)?.type !== "run") continue;
      pending[tail] = message as ParentMessage;
      tail++;
    }
    if (!busy) runNext();
  });
  // The parent is gone or done with this child.
  channel.on("end", () => saved.exit(0));
  channel.on("error", () => saved.exit(0));
  write({ type: "drivers", names: driverNames });
  write({ type: "ready", modules: saved.keys(loaders) });
}
