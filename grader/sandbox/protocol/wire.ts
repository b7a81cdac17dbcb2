/**
 * The values that cross the process boundary. A tensor travels as its shape and the place of its
 * numbers in the message's one packed Float64Array (see FloatPack); anything that is not plain
 * data is described in words, never passed through.
 */
export interface WireTensor {
  __wire: "tensor";
  shape: number[];
  /** Where its numbers start in the message's packed floats, and how many there are. */
  at: number;
  size: number;
}

export interface WireOpaque {
  __wire: "opaque";
  description: string;
}

export type Wire =
  | null
  | boolean
  | number
  | string
  | WireTensor
  | WireOpaque
  | Wire[]
  | { [key: string]: Wire };

export function isWireTensor(value: unknown): value is WireTensor {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { __wire?: unknown }).__wire === "tensor" &&
    Array.isArray((value as WireTensor).shape) &&
    typeof (value as WireTensor).at === "number" &&
    typeof (value as WireTensor).size === "number"
  );
}

export function isWireOpaque(value: unknown): value is WireOpaque {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { __wire?: unknown }).__wire === "opaque"
  );
}
