/**
 * The numbers of every tensor of one message, packed into one Float64Array: a message then
 * carries one typed array instead of one per tensor, which halves the cost of serializing it
 * (each typed array is a separate host object for Node's serializer). Tensors on the wire name
 * their place in it (`at`, `size`).
 *
 * Used on both sides; in the child it runs after student code has loaded, so it relies only on
 * built-ins saved when the module is evaluated.
 */
const saved = {
  Float64Array,
  set: Float64Array.prototype.set,
  apply: Reflect.apply,
  isSafeInteger: Number.isSafeInteger,
};

export class FloatPack {
  private floats = new saved.Float64Array(256);
  private length = 0;

  /** Appends `data` and returns where it starts. */
  push(data: Float64Array): number {
    const at = this.length;
    const needed = at + data.length;
    if (needed > this.floats.length) {
      let capacity = this.floats.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new saved.Float64Array(capacity);
      saved.apply(saved.set, grown, [this.floats]);
      this.floats = grown;
    }
    saved.apply(saved.set, this.floats, [data, at]);
    this.length = needed;
    return at;
  }

  /** The packed numbers, exactly as many as were pushed (a copy). */
  finish(): Float64Array {
    return new saved.Float64Array(new saved.Float64Array(this.floats.buffer, 0, this.length));
  }
}

/**
 * A copy of `size` numbers from `at`, or null when they are not all inside `floats` (the parent
 * reads what an untrusted child sent with this).
 */
export function unpackFloats(
  floats: Float64Array,
  at: unknown,
  size: unknown,
): Float64Array | null {
  if (typeof at !== "number" || typeof size !== "number") return null;
  if (!saved.isSafeInteger(at) || !saved.isSafeInteger(size) || at < 0 || size < 0) return null;
  if (at + size > floats.length) return null;
  return new saved.Float64Array(
    new saved.Float64Array(floats.buffer, floats.byteOffset + at * 8, size),
  );
}
