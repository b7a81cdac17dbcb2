/**
 * One run of a driver, as the child performs it: the payload revived, the driver called, and
 * whatever came back or was thrown turned into an Outcome for the parent. Apart from the child's
 * runtime (which opens the parent's channel when it loads) so that tests can run drivers
 * in-process through the very same conversion.
 */
import type { FloatPack } from "../protocol/FloatPack.js";
import type { Outcome } from "../protocol/messages.js";
import type { Driver } from "./driver.js";
import { cap, safeString } from "./safeText.js";
import { fromWire, toWire } from "./wireCodec.js";

// Saved when the child's bundle evaluates this module, before any student module loads.
const saved = { now: performance.now.bind(performance), String, Error };

/** A submission module that is missing or threw while loading (see the runtime's module proxy). */
export class LoadError extends saved.Error {
  constructor(
    readonly module: string,
    message: string,
  ) {
    super(message);
  }
}

export function runOutcome(
  driver: Driver,
  modules: Record<string, Record<string, unknown>>,
  payload: unknown,
  floats: Float64Array,
  pack: FloatPack,
): Outcome {
  try {
    const started = saved.now();
    const value = driver(modules, fromWire(payload, floats));
    const ms = saved.now() - started;
    return { kind: "ok", value: toWire(value, 0, pack), ms };
  } catch (error) {
    if (error instanceof LoadError)
      return { kind: "load-error", module: error.module, message: error.message };
    const { name, message, stack } = describeError(error);
    if (message.trim().toLowerCase() === "not implemented")
      return { kind: "not-implemented", message };
    return { kind: "threw", name, message, stack };
  }
}

/** Reads a thrown value without trusting it: getters may throw, proxies may lie. */
export function describeError(error: unknown): { name: string; message: string; stack: string } {
  try {
    if (error instanceof saved.Error || (typeof error === "object" && error !== null)) {
      const e = error as { name?: unknown; message?: unknown; stack?: unknown };
      const message = typeof e.message === "string" ? e.message : safeString(error);
      const name = typeof e.name === "string" ? e.name : "Error";
      const stack = typeof e.stack === "string" ? e.stack : "";
      return { name: cap(name, 200), message: cap(message, 2000), stack: cap(stack, 4000) };
    }
    return { name: "thrown value", message: cap(safeString(error), 2000), stack: "" };
  } catch {
    return { name: "thrown value", message: "a value that could not be read", stack: "" };
  }
}
