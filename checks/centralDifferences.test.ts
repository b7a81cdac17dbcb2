import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, tensor, zeros } from "../reference/tensor/index.js";
import { tensorArb } from "./arbitraries/tensor.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP, stepFor } from "./centralDifferences.js";

/** Every call of evaluate and record, in order, with copies of what they were given. */
function trace(input: Tensor, options = {}) {
  const calls: (
    | { kind: "evaluate"; data: number[]; shape: readonly number[] }
    | { kind: "record"; k: number; plus: number; minus: number; h: number }
  )[] = [];
  let evaluations = 0;
  centralDifferences(
    input,
    (moved) => {
      calls.push({ kind: "evaluate", data: [...moved.data], shape: moved.shape });
      return evaluations++;
    },
    (k, plus, minus, h) => {
      calls.push({ kind: "record", k, plus, minus, h });
    },
    options,
  );
  return calls;
}

/** p(x) = sum_i c_i x^i and its derivative, by Horner's rule. */
function polynomial(c: readonly number[]) {
  const p = (x: number) => c.reduceRight((acc, ci) => acc * x + ci, 0);
  const dp = (x: number) => c.slice(1).reduceRight((acc, ci, i) => acc * x + (i + 1) * ci, 0);
  return { p, dp };
}

describe("centralDifferences", () => {
  it("finds the derivative of a polynomial at every entry (property, fixed seed)", () => {
    const coefficients = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 5 });
    const points = tensorArb({ minRank: 1, maxRank: 2, maxSide: 4, min: -3, max: 3 });
    fc.assert(
      fc.property(coefficients, points, (c, x) => {
        const { p, dp } = polynomial(c);
        // A scalar of all entries: entry k's derivative is p'(x_k) alone.
        const total = (t: Tensor) => t.data.reduce((acc, v) => acc + p(v), 0);
        const found = new Float64Array(x.size);
        centralDifferences(x, total, (k, plus, minus, h) => {
          found[k] = (plus - minus) / (2 * h);
        });
        x.data.forEach((v, k) => {
          // Central differences are off by h^2 p'''/6 plus rounding, about 1e-8 here; a
          // one-sided difference would be off by h p''/2, up to 1e-4.
          expect(Math.abs(found[k]! - dp(v))).toBeLessThan(1e-6 * (1 + Math.abs(dp(v))));
        });
      }),
      { seed: 20_161, numRuns: 200 },
    );
  });

  it("evaluates at +h then -h for each entry in turn, and records each entry once", () => {
    const calls = trace(tensor([0.5, -3, 0]));
    expect(calls.map((c) => (c.kind === "record" ? `r${c.k}` : "e"))).toEqual([
      "e",
      "e",
      "r0",
      "e",
      "e",
      "r1",
      "e",
      "e",
      "r2",
    ]);
    // record gets the values evaluate returned: plus first, then minus.
    const records = calls.filter((c) => c.kind === "record");
    expect(records.map((r) => [r.plus, r.minus])).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it("moves one entry by exactly the step it records, relativeStep * max(1, |x|)", () => {
    const x = tensor([
      [0, 0.5, -3],
      [1e8, -1e-300, 2],
    ]);
    const calls = trace(x);
    const evaluated = calls.filter((c) => c.kind === "evaluate");
    const records = calls.filter((c) => c.kind === "record");
    expect(records.map((r) => r.h)).toEqual(
      [0, 0.5, -3, 1e8, -1e-300, 2].map((v) => DEFAULT_RELATIVE_STEP * Math.max(1, Math.abs(v))),
    );
    records.forEach(({ k, h }) => {
      const expectedPlus = [...x.data];
      expectedPlus[k] = x.data[k]! + h;
      const expectedMinus = [...x.data];
      expectedMinus[k] = x.data[k]! - h;
      expect(evaluated[2 * k]).toEqual({ kind: "evaluate", data: expectedPlus, shape: [2, 3] });
      expect(evaluated[2 * k + 1]).toEqual({
        kind: "evaluate",
        data: expectedMinus,
        shape: [2, 3],
      });
    });
  });

  it('scales the step with |x| alone under "relative" (relativeStep itself at 0)', () => {
    const x = tensor([1e-300, 0, -4, 0.5]);
    const calls = trace(x, { relativeStep: 1e-3, scale: "relative" });
    const records = calls.filter((c) => c.kind === "record");
    expect(records.map((r) => r.h)).toEqual([1e-3 * 1e-300, 1e-3, 1e-3 * 4, 1e-3 * 0.5]);
    // The smallest entry stays positive on both sides, as no absolute step would let it.
    const evaluated = calls.filter((c) => c.kind === "evaluate");
    expect(evaluated[1]!.kind === "evaluate" && evaluated[1]!.data[0]).toBeGreaterThan(0);
  });

  it("takes the relative step from the options, and stepFor gives the same steps", () => {
    const x = tensor([0.25, -7]);
    const records = trace(x, { relativeStep: 1e-4 }).filter((c) => c.kind === "record");
    expect(records.map((r) => r.h)).toEqual([1e-4, 7e-4]);
    expect(records.map((r) => r.h)).toEqual([stepFor(0.25, 1e-4), stepFor(-7, 1e-4)]);
    expect(stepFor(-7)).toBe(7 * DEFAULT_RELATIVE_STEP);
    expect(stepFor(-7, 1e-4, "relative")).toBe(7e-4);
    expect(stepFor(0.25, 1e-4, "relative")).toBe(0.25e-4);
  });

  it("has a default step of about the cube root of machine epsilon", () => {
    expect(DEFAULT_RELATIVE_STEP).toBeCloseTo(Math.cbrt(Number.EPSILON), 15);
  });

  it("hands evaluate a fresh tensor every time and never writes into the input", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const seen: Tensor[] = [];
    centralDifferences(
      x,
      (moved) => {
        seen.push(moved);
        const snapshot = [...moved.data];
        // A caller may keep or even scribble on what it gets; the next call must not notice.
        moved.data.fill(Number.NaN);
        return snapshot;
      },
      (k, plus, minus) => {
        expect(plus.filter((_, j) => j !== k)).toEqual([...x.data].filter((_, j) => j !== k));
        expect(minus.filter((_, j) => j !== k)).toEqual([...x.data].filter((_, j) => j !== k));
      },
    );
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(new Set(seen.map((t) => t.data.buffer)).size).toBe(8);
    expect(seen.every((t) => t instanceof Tensor && t.data !== x.data)).toBe(true);
    expect([...x.data]).toEqual([1, 2, 3, 4]);
  });

  it("calls neither function for an empty input", () => {
    let calls = 0;
    centralDifferences(
      zeros([0, 3]),
      () => calls++,
      () => calls++,
    );
    expect(calls).toBe(0);
  });
});
