/**
 * Validation of the constraint objects of the arbitraries. Everything here runs when an arbitrary
 * is built, never while it generates, and every message names the builder, the field and the
 * value: `shapeArb: minRank (3) must not exceed maxRank (2)`.
 */

/** A short, readable rendering of a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return "an object";
    }
  }
  return String(value);
}

/** Throws unless `constraints` is undefined or a plain object whose keys are all in `known`. */
export function checkKeys(
  where: string,
  constraints: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (constraints === undefined) return {};
  if (typeof constraints !== "object" || constraints === null || Array.isArray(constraints)) {
    throw new Error(`${where}: constraints must be an object, got ${show(constraints)}`);
  }
  for (const key of Object.keys(constraints)) {
    if (!known.includes(key)) {
      throw new Error(
        `${where}: unknown constraint '${key}' (${show((constraints as Record<string, unknown>)[key])}); known constraints are ${known.join(", ")}`,
      );
    }
  }
  return constraints as Record<string, unknown>;
}

interface IntegerBounds {
  min?: number;
  max?: number;
}

/** An integer field with a default, checked against optional bounds. */
export function integerField(
  where: string,
  name: string,
  value: unknown,
  fallback: number,
  bounds: IntegerBounds = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new Error(`${where}: ${name} (${show(value)}) must be an integer`);
  }
  if (bounds.min !== undefined && value < bounds.min) {
    throw new Error(`${where}: ${name} (${value}) must be at least ${bounds.min}`);
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new Error(`${where}: ${name} (${value}) must be at most ${bounds.max}`);
  }
  return value;
}

/** A finite number field with a default. */
export function numberField(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${where}: ${name} (${show(value)}) must be a finite number`);
  }
  return value;
}

export function booleanField(where: string, name: string, value: unknown, fallback: boolean) {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new Error(`${where}: ${name} (${show(value)}) must be true or false`);
  }
  return value;
}

/** Throws unless lo <= hi: `where: loName (lo) must not exceed hiName (hi)`. */
export function checkOrder(where: string, loName: string, lo: number, hiName: string, hi: number) {
  if (lo > hi) throw new Error(`${where}: ${loName} (${lo}) must not exceed ${hiName} (${hi})`);
}

export interface IntRange {
  min: number;
  max: number;
}

/** A field given as a fixed integer or as `{ min, max }`, returned as a range. */
export function rangeField(
  where: string,
  name: string,
  value: unknown,
  fallback: IntRange | undefined,
  floor: number,
): IntRange {
  if (value === undefined) {
    if (fallback === undefined) {
      throw new Error(`${where}: ${name} is required (a number or { min, max })`);
    }
    return fallback;
  }
  if (typeof value === "number") {
    const fixed = integerField(where, name, value, 0, { min: floor });
    return { min: fixed, max: fixed };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where}: ${name} (${show(value)}) must be an integer or { min, max }`);
  }
  const fields = checkKeys(`${where}: ${name}`, value, ["min", "max"]);
  if (fields.min === undefined || fields.max === undefined) {
    throw new Error(`${where}: ${name} (${show(value)}) needs both min and max`);
  }
  const min = integerField(where, `${name}.min`, fields.min, 0, { min: floor });
  const max = integerField(where, `${name}.max`, fields.max, 0, { min: floor });
  checkOrder(where, `${name}.min`, min, `${name}.max`, max);
  return { min, max };
}

/** Largest number of elements a generated tensor may have (keeps generation fast). */
export const MAX_ELEMENTS = 4096;

/** Throws when `side ** rank` elements is more than MAX_ELEMENTS. */
export function checkElementBudget(
  where: string,
  sideName: string,
  side: number,
  rankName: string,
  rank: number,
): number {
  const elements = side ** rank;
  if (elements > MAX_ELEMENTS) {
    throw new Error(
      `${where}: ${sideName} (${side}) ** ${rankName} (${rank}) allows tensors of ${elements} elements, more than ${MAX_ELEMENTS}; lower ${sideName} or ${rankName}`,
    );
  }
  return elements;
}
