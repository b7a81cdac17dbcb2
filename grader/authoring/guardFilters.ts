/**
 * A `.filter` that rejects every value never returns: fast-check's filter draws again until its
 * predicate holds, so an assignment whose cases can never pass its own filter (a spread of 0.5
 * asked of values in [0, 0.1]) would hang the grader while it draws. Once guarded, every filter
 * made afterwards (the assignment files' are made when they load) throws NeverYieldsError after
 * rejecting values for FILTER_LIMIT_MS in a row, which the engine reports as the assignment's
 * fault naming the check. A filter that is merely picky never rejects for that long.
 */
import fc from "fast-check";

/** How long a filter may reject in a row before its arbitrary counts as never yielding. */
export const FILTER_LIMIT_MS = 3000;

/** Rejections between two looks at the clock (reading it on every value would cost). */
const CLOCK_EVERY = 256;

export class NeverYieldsError extends Error {
  constructor(rejected: number, ms: number) {
    super(
      `a .filter(...) rejected every value it was offered (${rejected} in a row, for ${Math.round(ms)} ms): its arbitrary never yields a case; loosen the filter or build the values so that they fit`,
    );
    this.name = "NeverYieldsError";
  }
}

const GUARDED = Symbol.for("gradmark.guardedFilters");

type Refinement = (this: unknown, value: unknown) => boolean;
type Filter = (this: fc.Arbitrary<unknown>, refinement: Refinement) => fc.Arbitrary<unknown>;

/** The limit in force (tests shorten it). */
let limitMs = FILTER_LIMIT_MS;

/**
 * Guards every filter made from now on in this process; called again, it only sets the limit
 * (FILTER_LIMIT_MS by default) for every guarded filter.
 */
export function guardFilters(options: { limitMs?: number } = {}): void {
  limitMs = options.limitMs ?? FILTER_LIMIT_MS;
  const proto = fc.Arbitrary.prototype as unknown as { filter: Filter; [GUARDED]?: boolean };
  if (proto[GUARDED]) return;
  const original = proto.filter;
  proto.filter = function (this: fc.Arbitrary<unknown>, refinement: Refinement) {
    if (typeof refinement !== "function") return original.call(this, refinement);
    let streak = 0;
    let since = 0;
    const guarded: Refinement = function (this: unknown, value: unknown) {
      const kept = refinement.call(this, value);
      if (kept) {
        streak = 0;
        return kept;
      }
      streak++;
      if (streak === 1) since = performance.now();
      else if (streak % CLOCK_EVERY === 0) {
        const ms = performance.now() - since;
        if (ms > limitMs) {
          const rejected = streak;
          streak = 0;
          throw new NeverYieldsError(rejected, ms);
        }
      }
      return kept;
    };
    return original.call(this, guarded);
  };
  proto[GUARDED] = true;
}
