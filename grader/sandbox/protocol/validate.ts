/**
 * The parent's one check of what a child sent: the child is untrusted, so a decoded frame is
 * used only once it is exactly a ChildMessage made of plain data. Anything else (another type,
 * a missing field, a class instance, a Map, a cycle, nesting past the child's own depth limit)
 * is rejected with the reason, and costs the check that was running.
 */
import type { ChildMessage, Outcome } from "./messages.js";
import type { Wire } from "./wire.js";

/** Deeper than any value the child's toWire produces (it describes deeper values in words). */
const MAX_DEPTH = 12;
/** More than toWire ever sends (it cuts arrays at 10,000 items and objects at 100 keys). */
const MAX_ITEMS = 10_000;
const MAX_KEYS = 100;
const MAX_TEXT = 100_000;
/**
 * Values a message may hold in all. V8's serialization keeps shared references, so a small frame
 * could name one big array many times over: the walk stops at this count, not at the frame size.
 */
const MAX_VALUES = 1_000_000;

export class ProtocolError extends Error {}

/** The message, if it is a well-formed ChildMessage; throws a ProtocolError saying why not. */
export function parseChildMessage(value: unknown): ChildMessage {
  if (!isPlainObject(value)) throw new ProtocolError("a message that is not a plain object");
  switch (value.type) {
    case "ready": {
      const modules = value.modules;
      if (!Array.isArray(modules) || !modules.every((m) => typeof m === "string"))
        throw new ProtocolError("a ready message without its list of modules");
      return { type: "ready", modules };
    }
    case "drivers": {
      const names = value.names;
      if (
        !Array.isArray(names) ||
        names.length > MAX_ITEMS ||
        !names.every((n) => typeof n === "string" && n.length <= MAX_TEXT)
      )
        throw new ProtocolError("a drivers message without the names of its drivers");
      return { type: "drivers", names };
    }
    case "drivers-error": {
      const text = (key: string): string => {
        const field = value[key];
        if (typeof field !== "string" || field.length > MAX_TEXT)
          throw new ProtocolError(`a drivers-error message has no text ${key}`);
        return field;
      };
      return {
        type: "drivers-error",
        name: text("name"),
        message: text("message"),
        stack: text("stack"),
      };
    }
    case "result": {
      const { id, outcomes, floats } = value;
      if (!Number.isSafeInteger(id)) throw new ProtocolError("a result without a request id");
      if (!(floats instanceof Float64Array))
        throw new ProtocolError("a result whose numbers are not a Float64Array");
      if (!Array.isArray(outcomes)) throw new ProtocolError("a result without outcomes");
      const budget = { left: MAX_VALUES };
      for (const [i, outcome] of outcomes.entries()) checkOutcome(outcome, i, budget);
      return { type: "result", id: id as number, outcomes: outcomes as Outcome[], floats };
    }
    default:
      throw new ProtocolError(`a message of unknown type ${describe(value.type)}`);
  }
}

interface Budget {
  left: number;
}

function checkOutcome(value: unknown, index: number, budget: Budget): void {
  const where = `outcome ${index}`;
  if (!isPlainObject(value)) throw new ProtocolError(`${where} is not a plain object`);
  const text = (key: string) => {
    const field = value[key];
    if (typeof field !== "string" || field.length > MAX_TEXT)
      throw new ProtocolError(`${where} has no text ${key}`);
  };
  switch (value.kind) {
    case "ok":
      if (typeof value.ms !== "number") throw new ProtocolError(`${where} has no time`);
      if (!("value" in value)) throw new ProtocolError(`${where} has no value`);
      checkWire(value.value, 0, where, budget);
      return;
    case "not-implemented":
      text("message");
      return;
    case "load-error":
      text("module");
      text("message");
      return;
    case "threw":
      text("name");
      text("message");
      text("stack");
      return;
    default:
      throw new ProtocolError(`${where} is of unknown kind ${describe(value.kind)}`);
  }
}

function checkWire(
  value: unknown,
  depth: number,
  where: string,
  budget: Budget,
): asserts value is Wire {
  if (depth > MAX_DEPTH) throw new ProtocolError(`${where} is nested too deeply`);
  if (--budget.left < 0) throw new ProtocolError(`${where} holds too many values`);
  if (value === null || typeof value === "boolean" || typeof value === "number") return;
  if (typeof value === "string") {
    if (value.length > MAX_TEXT) throw new ProtocolError(`${where} holds a text too long`);
    return;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || value.length > MAX_ITEMS)
      throw new ProtocolError(`${where} holds an array that is not plain or is too long`);
    for (const item of value) checkWire(item, depth + 1, where, budget);
    return;
  }
  if (!isPlainObject(value)) throw new ProtocolError(`${where} holds a value that is not data`);
  const keys = Object.keys(value);
  if (keys.length > MAX_KEYS)
    throw new ProtocolError(`${where} holds an object with too many keys`);
  if (value.__wire === "tensor") {
    const { shape, at, size } = value;
    const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (
      !Array.isArray(shape) ||
      shape.length > 32 ||
      !shape.every(isCount) ||
      !isCount(at) ||
      !isCount(size)
    )
      throw new ProtocolError(`${where} holds a tensor with a bad shape or place`);
    return;
  }
  if (value.__wire === "opaque") {
    if (typeof value.description !== "string" || value.description.length > MAX_TEXT)
      throw new ProtocolError(`${where} holds an opaque value without a description`);
    return;
  }
  for (const key of keys) checkWire(value[key], depth + 1, where, budget);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
