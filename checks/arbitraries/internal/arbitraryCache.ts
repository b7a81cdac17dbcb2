/**
 * Arbitraries built from plain constraints, kept for reuse. Assignments build tensor arbitraries
 * inside `chain` (a downstream gradient of the shape just drawn), so the same constraints are
 * validated and built again for every case: a grading did it some 2,500 times. fast-check's
 * arbitraries hold no state between draws, so one built arbitrary can serve every call with the
 * same constraints and draws exactly what a new one would.
 */
import type fc from "fast-check";

const MAX_ENTRIES = 512;
const cache = new Map<string, fc.Arbitrary<unknown>>();

/**
 * The arbitrary `build()` makes for these constraints, built once per key. Constraints that
 * hold anything but numbers, strings, booleans, undefined and arrays of those (an arbitrary of
 * shapes, say) are built every time.
 */
export function cachedArbitrary<T>(
  where: string,
  constraints: Record<string, unknown>,
  build: () => fc.Arbitrary<T>,
): fc.Arbitrary<T> {
  const key = plainKey(where, constraints);
  if (key === null) return build();
  const found = cache.get(key);
  if (found) return found as fc.Arbitrary<T>;
  const built = build();
  // Oldest first out: Map keeps insertion order.
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, built);
  return built;
}

function plainKey(where: string, constraints: Record<string, unknown>): string | null {
  let key = where;
  for (const name of Object.keys(constraints).sort()) {
    const part = plainPart(constraints[name]);
    if (part === null) return null;
    key += `|${name}=${part}`;
  }
  return key;
}

function plainPart(value: unknown): string | null {
  if (value === undefined) return "u";
  if (typeof value === "number") return Object.is(value, -0) ? "n-0" : `n${value}`;
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value === "string") return `s${JSON.stringify(value)}`;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      if (Array.isArray(item)) return null;
      const part = plainPart(item);
      if (part === null) return null;
      parts.push(part);
    }
    return `[${parts.join(",")}]`;
  }
  return null;
}
