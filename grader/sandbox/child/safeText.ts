/**
 * Text from values the child cannot trust (thrown values, student results): getters may throw,
 * proxies may lie, and nothing may grow without bound. Evaluated before student code, so the
 * String it uses is the real one.
 */
const saved = { String };

/** `String(value)`, or a fixed sentence when that throws. */
export function safeString(value: unknown): string {
  try {
    return saved.String(value);
  } catch {
    return "a value that cannot be turned into text";
  }
}

/** `text` cut to `length` characters, with "..." when it was longer. */
export function cap(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}...` : text;
}
