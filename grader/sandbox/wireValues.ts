import { Tensor } from "../../reference/tensor/index.js";
import { isWireOpaque, isWireTensor, type Wire } from "./wire.js";

/** A result that was not plain data (a class instance, a fake tensor, a function...). */
export class Opaque {
  constructor(readonly description: string) {}
  toString(): string {
    return this.description;
  }
}

/** Payloads for the child: kit Tensors become wire tensors, deeply. */
export function toWirePayload(value: unknown): unknown {
  if (isTensorLike(value)) {
    return { __wire: "tensor", shape: [...value.shape], data: value.data.slice() };
  }
  if (Array.isArray(value)) return value.map(toWirePayload);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWirePayload(v)]));
  }
  return value;
}

/** Results from the child: wire tensors are checked and become kit Tensors. */
export function fromWireResult(value: Wire): unknown {
  if (isWireTensor(value)) {
    const size = value.shape.reduce((a, b) => a * b, 1);
    const validShape = value.shape.every((side) => Number.isSafeInteger(side) && side >= 0);
    if (!validShape || size !== value.data.length) {
      return new Opaque(
        `a Tensor whose shape [${value.shape.join(", ")}] does not match its ${value.data.length} values`,
      );
    }
    return new Tensor(value.data, value.shape);
  }
  if (isWireOpaque(value)) return new Opaque(value.description);
  if (Array.isArray(value)) return value.map(fromWireResult);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, fromWireResult(v as Wire)]),
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
