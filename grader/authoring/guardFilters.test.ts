import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { guardFilters, NeverYieldsError } from "./guardFilters.js";

guardFilters({ limitMs: 100 });
afterAll(() => guardFilters());

describe("guardFilters", () => {
  it("turns a filter that rejects everything into a NeverYieldsError instead of a hang", () => {
    const never = fc.integer().filter(() => false);
    expect(() => fc.sample(never, { numRuns: 1, seed: 1 })).toThrow(NeverYieldsError);
    expect(() => fc.sample(never, { numRuns: 1, seed: 1 })).toThrow(
      /a \.filter\(\.\.\.\) rejected every value it was offered \(\d+ in a row, for \d+ ms\): its arbitrary never yields a case/,
    );
  });

  it("leaves picky filters alone: 1 value in 1000 kept", () => {
    const picky = fc.integer({ min: 0, max: 999_999 }).filter((n) => n % 1000 === 7);
    const values = fc.sample(picky, { numRuns: 20, seed: 3 });
    expect(values.every((n) => n % 1000 === 7)).toBe(true);
  });

  it("keeps type-guard refinements working, and shrinking through the filter", () => {
    const even = fc.integer({ min: 0, max: 100 }).filter((n): n is number => n % 2 === 0);
    const result = fc.check(
      fc.property(even, (n) => n < 10),
      { seed: 5 },
    );
    expect(result.failed).toBe(true);
    const [n] = result.counterexample!;
    expect(n! % 2 === 0 && n! >= 10).toBe(true);
  });
});
