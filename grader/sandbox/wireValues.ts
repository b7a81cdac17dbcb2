import { Tensor } from "../../reference/tensor/index.js";
import { type FloatPack, unpackFloats } from "./protocol/FloatPack.js";
import { isWireOpaque, isWireTensor, type Wire } from "./protocol/wire.js";

/** A result that was not plain data (a class instance, a fake tensor, a function...). */
export class Opaque {
  constructor(readonly description: string) {}
  toString(): string {
    return this.description;
  }
}

/** Payloads for the child: kit Tensors become wire tensors (their numbers go to `pack`), deeply. */
export function toWirePayload(value: unknown, pack: FloatPack): unknown {
  if (isTensorLike(value)) {
    return {
      __wire: "tensor",
      shape: [...value.shape],
      at: pack.push(value.data),
      size: value.data.length,
    };
  }
  if (Array.isArray(value)) return value.map((item) => toWirePayload(item, pack));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWirePayload(v, pack)]));
  }
  return value;
}

/**
 * Results from the child: wire tensors are checked and become kit Tensors, with their numbers
 * from `floats` (the result message's packed floats).
 */
export function fromWireResult(value: Wire, floats: Float64Array): unknown {
  if (isWireTensor(value)) {
    const size = value.shape.reduce((a, b) => a * b, 1);
    const validShape = value.shape.every((side) => Number.isSafeInteger(side) && side >= 0);
    if (!validShape || size !== value.size) {
      return new Opaque(
        `a Tensor whose shape [${value.shape.join(", ")}] does not match its ${value.size} values`,
      );
    }
    const data = unpackFloats(floats, value.at, value.size);
    if (!data) return new Opaque("a Tensor whose values were not sent");
    return new Tensor(data, value.shape);
  }
  if (isWireOpaque(value)) return new Opaque(value.description);
  if (Array.isArray(value)) return value.map((item) => fromWireResult(item, floats));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, fromWireResult(v as Wire, floats)]),
    );
  }
  return value;
}

/**
 * A kit Tensor, possibly from another copy of the kit (an assignment file loaded apart from the
 * grader): payloads come from trusted assignment code, so the shape of the object is enough.
 */
export function isTensorLike(value: unknown): value is Tensor {
  if (value instanceof Tensor) return true;
  if (typeof value !== "object" || value === null) return false;
  const t = value as { shape?: unknown; data?: unknown };
  return Array.isArray(t.shape) && t.data instanceof Float64Array;
}
