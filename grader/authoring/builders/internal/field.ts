/** A field of a driver's result (undefined when the result is not a plain object). */
export function field(result: unknown, name: string): unknown {
  if (result === null || typeof result !== "object" || Array.isArray(result)) return undefined;
  return (result as Record<string, unknown>)[name];
}
