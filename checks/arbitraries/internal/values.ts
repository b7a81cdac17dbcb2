/**
 * Element values of generated tensors: the allowed set (a range minus the neighbourhoods of kinks),
 * one shrinkable "cell" per element, and the maps from cells to values.
 *
 * A cell is a tuple `[mode, k, special]` of fast-check integers:
 *  - `k` picks a point of a fine grid over [min, max] (about 2^24 steps; unit steps for integers),
 *    anchored at the value of [min, max] closest to 0, so shrinking `k` moves the value to 0 (or
 *    to the bound closest to 0);
 *  - `mode` 0 rounds that value away from zero to an integer (so shrinking, which tries mode 0
 *    first, finds integer counterexamples: a failure at "v > 1" shrinks to exactly 2), mode 1
 *    takes `special` (0, 1 or -1, when `specialValues` is on), modes 2..7 keep the grid value;
 *  - the value is then mapped to the nearest allowed value: a value closer than `margin` to a kink
 *    is pushed outward to `kink ± margin` (upward on a tie), never filtered.
 *
 * fc.double is not used: it draws uniformly over the representable doubles, so most draws in
 * [-3, 3] would be tiny numbers such as 1e-200.
 */
import fc from "fast-check";
import { booleanField, numberField, show } from "./validate.js";

/** Constraints on the element values of generated tensors (shared by every tensor builder). */
export interface ValueConstraints {
  /** Smallest value (default -3, or as the builder documents). */
  min?: number;
  /** Largest value (default 3, or as the builder documents); must exceed `min`. */
  max?: number;
  /** Mix in exact 0, 1 and -1 (those that are allowed) about one element in eight. */
  specialValues?: boolean;
  /** Points where the function under test is not differentiable, e.g. `[0]` for ReLU. */
  kinks?: readonly number[];
  /**
   * Every value stays at least this far from every kink (default 1e-3 when kinks are given).
   * Values that come closer are moved outward to `kink ± margin`.
   */
  margin?: number;
  /** Only integer values. */
  integers?: boolean;
  /**
   * All values of one tensor pairwise at least this far apart (e.g. for max/argmax away from
   * ties). Done by a map: values are ranked, then spread apart in rank order, in the coordinates
   * of the allowed set, so the spread values stay in range and away from kinks.
   */
  distinctBy?: number;
}

export const VALUE_KEYS = [
  "min",
  "max",
  "specialValues",
  "kinks",
  "margin",
  "integers",
  "distinctBy",
] as const;

/** The default distance from kinks, far above the finite-difference step (about 6e-6). */
export const DEFAULT_KINK_MARGIN = 1e-3;

const SPECIALS = [0, 1, -1];

/** Number of grid steps over [min, max] for continuous values. */
const GRID_BITS = 24;

function bumped(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const cell = new Float64Array([x]);
  const bits = new BigInt64Array(cell.buffer);
  bits[0]! += x > 0 === up ? 1n : -1n;
  return cell[0]!;
}

/** The smallest double e >= k + m with e - k >= m as computed in floating point. */
function above(k: number, m: number): number {
  let e = k + m;
  while (e - k < m) e = bumped(e, true);
  return e;
}

/** The largest double e <= k - m with k - e >= m as computed in floating point. */
function below(k: number, m: number): number {
  let e = k - m;
  while (k - e < m) e = bumped(e, false);
  return e;
}

interface Piece {
  lo: number;
  hi: number;
  /** Coordinate of `lo`. */
  start: number;
}

/**
 * The allowed values: [min, max] minus the open `margin`-neighbourhoods of the kinks (integers
 * only, when asked), as sorted disjoint closed pieces. Coordinates measure the allowed set with the
 * gaps cut out (for integers: the index among allowed integers), so two values are at least as
 * far apart as their coordinates.
 */
export class ValueDomain {
  readonly pieces: readonly Piece[];
  /** Largest coordinate. */
  readonly span: number;

  constructor(
    min: number,
    max: number,
    kinks: readonly number[],
    margin: number,
    readonly integers: boolean,
  ) {
    let intervals: Array<[number, number]> = [[min, max]];
    if (margin > 0) {
      for (const kink of [...kinks].sort((a, b) => a - b)) {
        const lo = below(kink, margin);
        const hi = above(kink, margin);
        const next: Array<[number, number]> = [];
        for (const [a, b] of intervals) {
          if (a <= lo) next.push([a, Math.min(b, lo)]);
          if (b >= hi) next.push([Math.max(a, hi), b]);
        }
        intervals = next;
      }
    }
    if (integers) {
      intervals = intervals
        .map(([a, b]): [number, number] => [Math.ceil(a), Math.floor(b)])
        .filter(([a, b]) => a <= b);
    }
    const pieces: Piece[] = [];
    let start = 0;
    for (const [lo, hi] of intervals) {
      if (pieces.length > 0) start += integers ? 1 : 0;
      pieces.push({ lo, hi, start });
      start += hi - lo;
    }
    this.pieces = pieces;
    this.span = pieces.length === 0 ? -1 : start;
  }

  get empty(): boolean {
    return this.pieces.length === 0;
  }

  /** The allowed value closest to v (the upper one on a tie). */
  nearest(v: number): number {
    const target = this.integers ? Math.round(v) : v;
    let best = Number.NaN;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const { lo, hi } of this.pieces) {
      if (target >= lo && target <= hi) return target + 0;
      const candidate = target < lo ? lo : hi;
      const distance = Math.abs(candidate - target);
      if (distance <= bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best + 0;
  }

  toCoord(v: number): number {
    for (const { lo, hi, start } of this.pieces) {
      if (v >= lo && v <= hi) return start + (v - lo);
    }
    throw new Error(`ValueDomain: ${v} is not an allowed value`);
  }

  fromCoord(t: number): number {
    for (const { lo, hi, start } of this.pieces) {
      if (t <= start + (hi - lo)) return Math.min(hi, Math.max(lo, lo + (t - start))) + 0;
    }
    return this.pieces[this.pieces.length - 1]!.hi + 0;
  }

  describe(): string {
    return this.pieces.map(({ lo, hi }) => (lo === hi ? `{${lo}}` : `[${lo}, ${hi}]`)).join(" u ");
  }
}

/** Value constraints after validation, ready to generate. */
export interface ResolvedValues {
  readonly where: string;
  readonly min: number;
  readonly max: number;
  readonly integers: boolean;
  readonly kinks: readonly number[];
  readonly margin: number;
  readonly domain: ValueDomain;
  readonly specials: readonly number[];
  /** Grid: value = anchor + k * step, k in [kMin, kMax]. */
  readonly anchor: number;
  readonly step: number;
  readonly kMin: number;
  readonly kMax: number;
  readonly distinctBy: number | undefined;
  /** Spacing in domain coordinates that guarantees `distinctBy` in values. */
  readonly spacing: number;
}

export interface ValueDefaults {
  min: number;
  max: number;
}

/**
 * Validates the value fields of `c` (only those; the caller checks its other keys).
 * `maxCount` is the largest number of values one tensor can hold, if known, for `distinctBy`.
 */
export function resolveValues(
  where: string,
  c: Record<string, unknown>,
  maxCount: number | undefined,
  defaults: ValueDefaults = { min: -3, max: 3 },
): ResolvedValues {
  const min = numberField(where, "min", c.min, defaults.min);
  const max = numberField(where, "max", c.max, defaults.max);
  if (!(min < max)) throw new Error(`${where}: min (${min}) must be less than max (${max})`);
  const integers = booleanField(where, "integers", c.integers, false);
  if (integers && Math.ceil(min) > Math.floor(max)) {
    throw new Error(
      `${where}: integers is true but [min, max] = [${min}, ${max}] holds no integer`,
    );
  }
  const kinks = resolveKinks(where, c.kinks);
  const margin = numberField(where, "margin", c.margin, kinks.length > 0 ? DEFAULT_KINK_MARGIN : 0);
  if (margin < 0) throw new Error(`${where}: margin (${margin}) must not be negative`);
  const domain = new ValueDomain(min, max, kinks, margin, integers);
  if (domain.empty) {
    throw new Error(
      `${where}: margin (${margin}) leaves no ${integers ? "integer" : "value"} of [${min}, ${max}] at least ${margin} away from the kinks ${show(kinks)}`,
    );
  }
  const specialValues = booleanField(where, "specialValues", c.specialValues, false);
  const specials = specialValues ? SPECIALS.filter((s) => domain.nearest(s) === s) : [];
  const { distinctBy, spacing } = resolveDistinctBy(
    where,
    c.distinctBy,
    { min, max },
    domain,
    maxCount,
  );
  return {
    where,
    min,
    max,
    integers,
    kinks,
    margin,
    domain,
    specials,
    ...gridOf(min, max, integers),
    distinctBy,
    spacing,
  };
}

/** The kinks, checked to be finite numbers (default none). */
function resolveKinks(where: string, value: unknown): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Error(`${where}: kinks (${show(value)}) must be an array of numbers`);
  }
  return value.map((kink: unknown, i: number) => {
    if (typeof kink !== "number" || !Number.isFinite(kink)) {
      throw new Error(`${where}: kinks[${i}] (${show(kink)}) must be a finite number`);
    }
    return kink;
  });
}

/**
 * `distinctBy` (undefined when not asked for) and the spacing in domain coordinates that
 * guarantees it (`range` is the caller's [min, max]), checked to fit `maxCount` values into the
 * domain when that is known.
 */
function resolveDistinctBy(
  where: string,
  value: unknown,
  range: { min: number; max: number },
  domain: ValueDomain,
  maxCount: number | undefined,
): { distinctBy: number | undefined; spacing: number } {
  if (value === undefined) return { distinctBy: undefined, spacing: 0 };
  const distinctBy = numberField(where, "distinctBy", value, 0);
  if (!(distinctBy > 0)) {
    throw new Error(`${where}: distinctBy (${distinctBy}) must be a positive number`);
  }
  // A hair of slack absorbs rounding when coordinates are turned back into values.
  const scale = Math.max(1, Math.abs(range.min), Math.abs(range.max), domain.span);
  const spacing = domain.integers
    ? Math.max(1, Math.ceil(distinctBy))
    : distinctBy * (1 + 1e-9) + 16 * Number.EPSILON * scale;
  if (maxCount !== undefined) checkRoomFor(where, distinctBy, spacing, domain, maxCount);
  return { distinctBy, spacing };
}

/**
 * The grid of the cells' `k`: value = anchor + k * step for k in [kMin, kMax], anchored at the
 * value of [min, max] closest to 0; unit steps for integers, else about 2^GRID_BITS steps (no
 * finer than the doubles near the bounds can resolve).
 */
function gridOf(
  min: number,
  max: number,
  integers: boolean,
): { anchor: number; step: number; kMin: number; kMax: number } {
  let anchor: number;
  let step: number;
  let lo: number;
  let hi: number;
  if (integers) {
    lo = Math.ceil(min);
    hi = Math.floor(max);
    anchor = Math.min(hi, Math.max(lo, 0));
    step = 1;
  } else {
    lo = min;
    hi = max;
    anchor = Math.min(max, Math.max(min, 0));
    const maxAbs = Math.max(Math.abs(min), Math.abs(max));
    const exponent = Math.max(
      Math.floor(Math.log2(max - min)) - GRID_BITS,
      Math.ceil(Math.log2(maxAbs)) - 52,
    );
    step = 2 ** exponent;
  }
  return {
    anchor,
    step,
    kMin: Math.ceil((lo - anchor) / step),
    kMax: Math.floor((hi - anchor) / step),
  };
}

function checkRoomFor(
  where: string,
  distinctBy: number,
  spacing: number,
  domain: ValueDomain,
  count: number,
): void {
  if (count >= 2 && (count - 1) * spacing > domain.span) {
    throw new Error(
      `${where}: distinctBy (${distinctBy}) needs room for ${count} values (${count - 1} gaps of ${distinctBy}) but the allowed values ${domain.describe()} only give room for ${Math.floor(domain.span / spacing) + 1}; lower distinctBy, widen [min, max] or allow fewer elements`,
    );
  }
}

/**
 * One element: `[mode, k, special]`, see the module comment. Without special values there is
 * no third entry (it would never be read): a pair costs fast-check a third less per element.
 */
export type Cell = [number, number, number] | [number, number];

/** The fast-check arbitrary of one cell. */
export function cellArb(r: ResolvedValues): fc.Arbitrary<Cell> {
  const mode = fc.integer({ min: 0, max: 7 });
  // No bias: fast-check's bias would crowd values like 4e-6 around 0. Modes 0 and 1 already
  // give integers and special values; shrinking is unaffected.
  const k = fc.noBias(fc.integer({ min: r.kMin, max: r.kMax }));
  if (r.specials.length === 0) return fc.tuple(mode, k);
  return fc.tuple(mode, k, fc.constantFrom(...r.specials));
}

/** Cells for one tensor: `length` cells exactly, or between `minLength` and `maxLength`. */
export function cellsArb(r: ResolvedValues, minLength: number, maxLength: number) {
  return fc.array(cellArb(r), { minLength, maxLength, size: "max" });
}

/** The value of one cell (before any distinctBy spreading). */
export function cellValue(r: ResolvedValues, cell: Cell): number {
  const [mode, k, special = 0] = cell;
  let v = Math.min(r.max, Math.max(r.min, r.anchor + k * r.step));
  if (mode === 0 && !r.integers) {
    v = v === 0 ? 0 : Math.sign(v) * Math.ceil(Math.abs(v));
  } else if (mode === 1 && r.specials.length > 0) {
    v = special;
  }
  return r.domain.nearest(v);
}

/** The data of a tensor of `count` elements from the first `count` cells. */
export function valuesFromCells(
  r: ResolvedValues,
  cells: readonly Cell[],
  count: number,
): Float64Array {
  if (cells.length < count) {
    throw new Error(`${r.where}: internal error: ${count} values needed, ${cells.length} cells`);
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = cellValue(r, cells[i]!);
  if (r.distinctBy !== undefined) spreadApart(r, data);
  return data;
}

/**
 * Moves values apart until every pair is at least `distinctBy` apart, in place. In domain
 * coordinates: rank the values (ties by position), push each one up to at least `spacing` above
 * the previous, then, if the last one passed the end, push down from the end. Values already far
 * enough apart do not move; equal values (such as shrunk zeros) become 0, d, 2d, ...
 */
export function spreadApart(r: ResolvedValues, data: Float64Array): void {
  const n = data.length;
  if (n < 2 || r.distinctBy === undefined) return;
  const { domain, spacing } = r;
  checkRoomFor(r.where, r.distinctBy, spacing, domain, n);
  const coords = Array.from(data, (v) => domain.toCoord(v));
  const order = coords.map((_, i) => i).sort((i, j) => coords[i]! - coords[j]! || i - j);
  const placed = order.map((i) => coords[i]!);
  for (let rank = 1; rank < n; rank++) {
    placed[rank] = Math.max(placed[rank]!, placed[rank - 1]! + spacing);
  }
  if (placed[n - 1]! > domain.span) {
    placed[n - 1] = domain.span;
    for (let rank = n - 2; rank >= 0; rank--) {
      placed[rank] = Math.min(placed[rank]!, placed[rank + 1]! - spacing);
    }
  }
  order.forEach((i, rank) => {
    data[i] = domain.fromCoord(placed[rank]!);
  });
  const sorted = Array.from(data).sort((a, b) => a - b);
  for (let i = 1; i < n; i++) {
    if (sorted[i]! - sorted[i - 1]! < r.distinctBy) {
      throw new Error(
        `${r.where}: internal error: distinctBy (${r.distinctBy}) not met by ${sorted[i - 1]} and ${sorted[i]}`,
      );
    }
  }
}
