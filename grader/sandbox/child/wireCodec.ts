/**
 * Converting values at the process boundary, inside the child. Evaluated before student code,
 * so the built-ins it uses are captured first.
 */
import { Tensor } from "../../../reference/tensor/index.js";
import { type FloatPack, unpackFloats } from "../protocol/FloatPack.js";
import type { Wire } from "../protocol/wire.js";
import { cap, safeString } from "./safeText.js";

const saved = {
  Float64Array,
  isArray: Array.isArray,
  keys: Object.keys,
  getPrototypeOf: Object.getPrototypeOf,
  objectPrototype: Object.prototype,
  String,
};

const MAX_ITEMS = 10_000;

/**
 * Copies a student's result into plain data (the numbers of its tensors into `pack`); anything
 * else is described, never passed on.
 */
export function toWire(value: unknown, depth: number, pack: FloatPack): Wire {
  try {
    if (value === null || value === undefined) return null;
    if (typeof value === "number" || typeof value === "boolean") return value;
    if (typeof value === "string") return cap(value, 10_000);
    if (typeof value !== "object") return { __wire: "opaque", description: `a ${typeof value}` };
    if (depth > 8) return { __wire: "opaque", description: "a value nested too deeply" };
    if (value instanceof Tensor) {
      const data = value.data;
      const shape = value.shape;
      if (!(data instanceof saved.Float64Array) || !saved.isArray(shape)) {
        return { __wire: "opaque", description: "a Tensor whose data or shape was replaced" };
      }
      return {
        __wire: "tensor",
        shape: [...shape].map(Number),
        at: pack.push(data),
        size: data.length,
      };
    }
    if (saved.isArray(value)) {
      return value.slice(0, MAX_ITEMS).map((item) => toWire(item, depth + 1, pack));
    }
    const proto = saved.getPrototypeOf(value);
    if (proto === saved.objectPrototype || proto === null) {
      const out: Record<string, Wire> = {};
      for (const key of saved.keys(value).slice(0, 100)) {
        out[key] = toWire((value as Record<string, unknown>)[key], depth + 1, pack);
      }
      return out;
    }
    const name = (proto as { constructor?: { name?: unknown } })?.constructor?.name;
    const looksLikeTensor = "shape" in value && "data" in value;
    return {
      __wire: "opaque",
      description: looksLikeTensor
        ? `an object of class ${safeString(name)} that looks like a Tensor but is not one (build results with the kit)`
        : `an object of class ${safeString(name)}`,
    };
  } catch {
    return { __wire: "opaque", description: "an object that could not be inspected" };
  }
}

/**
 * Revives payload tensors as kit Tensors, their numbers copied from `floats` (the request's
 * packed floats); everything else is plain data already.
 */
export function fromWire(value: unknown, floats: Float64Array): unknown {
  if (value === null || typeof value !== "object") return value;
  if ((value as { __wire?: unknown }).__wire === "tensor") {
    const t = value as { shape: number[]; at: number; size: number };
    return new Tensor(unpackFloats(floats, t.at, t.size) ?? new saved.Float64Array(0), t.shape);
  }
  if (saved.isArray(value)) return value.map((item) => fromWire(item, floats));
  const out: Record<string, unknown> = {};
  for (const key of saved.keys(value))
    out[key] = fromWire((value as Record<string, unknown>)[key], floats);
  return out;
}
