/**
 * The values that cross the process boundary. Tensors travel as shape plus Float64Array; anything
 * that is not plain data is described in words, never passed through.
 */
export interface WireTensor {
  __wire: "tensor";
  shape: number[];
  data: Float64Array;
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
    (value as WireTensor).data instanceof Float64Array
  );
}

export function isWireOpaque(value: unknown): value is WireOpaque {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { __wire?: unknown }).__wire === "opaque"
  );
}
