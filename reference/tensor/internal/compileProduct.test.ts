import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { einsum } from "../einsum.js";
import { Tensor } from "../Tensor.js";
import { type OperandCase, outputKeys } from "../testing/outputKeys.js";
import { compileEinsum } from "./compileEinsum.js";
import { compileProduct } from "./compileProduct.js";
import { parseEinsumSpec, planEinsum } from "./einsumSpec.js";

// The fast path for einsums that sum nothing must give the general path's bits exactly: -0
// against +0 and NaN included. Bits are compared with Object.is (NaN equals NaN, -0 is not 0).

interface ProductCase {
  spec: string;
  operands: OperandCase[];
  /** null: implicit output (no `->`). */
  output: { before: string[]; ellipsis: boolean; after: string[] } | null;
  data: number[][];
}

const LETTERS = ["a", "b", "i", "j", "A", "Z"];

/** Zeros of both signs, NaN and infinities often, so that every sign rule gets exercised. */
const valueArb = fc.oneof(
  { arbitrary: fc.constantFrom(0, -0, 1, -1, Number.NaN, Infinity, -Infinity), weight: 1 },
  { arbitrary: fc.double(), weight: 3 },
);

const sideArb = fc.oneof(
  { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 10 },
  { arbitrary: fc.constant(1), weight: 3 },
  { arbitrary: fc.constant(0), weight: 1 },
);

function operandArb(
  letters: readonly string[],
  sizes: ReadonlyMap<string, number>,
  dots: number[],
) {
  return fc
    .record({
      distinct: fc.shuffledSubarray([...letters], { maxLength: Math.min(3, letters.length) }),
      // Sometimes one letter twice (a diagonal), even three times.
      repeats: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }),
      ellipsis: dots.length > 0 ? fc.boolean() : fc.constant(false),
      at: fc.nat(),
      covered: fc.integer({ min: 0, max: dots.length }),
      // A side becomes 1 (and broadcasts against the others) where both masks have the bit.
      ones: fc.tuple(fc.nat(), fc.nat()).map(([x, y]) => x & y),
    })
    .map(({ distinct, repeats, ellipsis, at, covered, ones }): OperandCase => {
      const subscripts = [...distinct];
      for (const [which, where] of distinct.length > 0 ? repeats : []) {
        subscripts.splice(where % (subscripts.length + 1), 0, distinct[which % distinct.length]!);
      }
      const cut = ellipsis ? at % (subscripts.length + 1) : subscripts.length;
      const n = ellipsis ? covered : 0;
      const one = (bit: number) => ((ones >> bit) & 1) === 1;
      // A repeated letter keeps one side within its operand (the diagonal needs it).
      const side = (letter: string) => (one(LETTERS.indexOf(letter)) ? 1 : sizes.get(letter)!);
      const dotSides = dots.slice(dots.length - n).map((s, t) => (one(8 + t) ? 1 : s));
      const before = subscripts.slice(0, cut);
      const after = subscripts.slice(cut);
      return {
        before,
        ellipsis,
        covered: n,
        after,
        shape: [...before.map(side), ...dotSides, ...after.map(side)],
      };
    });
}

const productCaseArb: fc.Arbitrary<ProductCase> = fc
  .record({
    letters: fc.shuffledSubarray(LETTERS, { minLength: 1, maxLength: 4 }),
    sides: fc.array(sideArb, { minLength: LETTERS.length, maxLength: LETTERS.length }),
    dots: fc.oneof(
      fc.constant<number[]>([]),
      fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    ),
    operandCount: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 6 },
      { arbitrary: fc.constant(3), weight: 1 },
    ),
    implicit: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  })
  .chain(({ letters, sides, dots, operandCount, implicit }) => {
    const sizes = new Map(letters.map((letter, i) => [letter, sides[i]!]));
    return fc
      .array(operandArb(letters, sizes, dots), {
        minLength: operandCount,
        maxLength: operandCount,
      })
      .chain((operands) => {
        // Every letter in the output (nothing summed), in any order, `...` anywhere in it.
        const used = [...new Set(operands.flatMap((op) => [...op.before, ...op.after]))];
        const anyEllipsis = operands.some((op) => op.ellipsis);
        return fc.record({
          operands: fc.constant(operands),
          output: implicit
            ? fc.constant(null)
            : fc
                .record({
                  order: fc.shuffledSubarray(used, { minLength: used.length }),
                  at: fc.nat(),
                })
                .map(({ order, at }) => {
                  const cut = anyEllipsis ? at % (order.length + 1) : order.length;
                  return {
                    before: order.slice(0, cut),
                    ellipsis: anyEllipsis,
                    after: order.slice(cut),
                  };
                }),
          data: fc.tuple(
            ...operands.map((op) => {
              const n = op.shape.reduce((a, b) => a * b, 1);
              return fc.array(valueArb, { minLength: n, maxLength: n });
            }),
          ),
        });
      });
  })
  .map(({ operands, output, data }) => {
    const text = (t: { before: string[]; ellipsis: boolean; after: string[] }) =>
      `${t.before.join("")}${t.ellipsis ? "..." : ""}${t.after.join("")}`;
    const spec = `${operands.map(text).join(",")}${output ? `->${text(output)}` : ""}`;
    return { spec, operands, output, data: data as number[][] };
  });

/**
 * Written from the letters, not from the kit's plan: each output entry is the operand entry at
 * the output's index (side 1: index 0), or the product of two such entries plus 0 (a sum of one
 * product starts from +0). undefined when some letter is summed (not this loop's business).
 */
function naiveProduct(c: ProductCase): { shape: number[]; data: number[] } | undefined {
  const dotsCount = Math.max(0, ...c.operands.map((op) => op.covered));
  const keysOf = (op: OperandCase) => [
    ...op.before,
    ...Array.from({ length: op.covered }, (_, t) => `#${dotsCount - op.covered + t}`),
    ...op.after,
  ];
  const sides = new Map<string, number>();
  for (const op of c.operands) {
    keysOf(op).forEach((key, axis) => {
      const side = op.shape[axis]!;
      if (side !== 1 || !sides.has(key)) sides.set(key, side);
    });
  }
  const outKeys = outputKeys(c.operands, c.output, dotsCount);
  if ([...sides.keys()].some((key) => !outKeys.includes(key))) return undefined;
  const shape = outKeys.map((key) => sides.get(key)!);
  const size = shape.reduce((a, b) => a * b, 1);
  const data: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    const value = new Map<string, number>();
    let rest = flat;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      value.set(outKeys[axis]!, rest % shape[axis]!);
      rest = Math.floor(rest / shape[axis]!);
    }
    const entries = c.operands.map((op, i) => {
      let at = 0;
      keysOf(op).forEach((key, axis) => {
        const side = op.shape[axis]!;
        at = at * side + (side === 1 ? 0 : value.get(key)!);
      });
      return c.data[i]![at]!;
    });
    data.push(entries.length === 1 ? entries[0]! : entries[0]! * entries[1]! + 0);
  }
  return { shape, data };
}

/** A number as text, -0 included (String(-0) is "0"). */
function show(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

function expectSameBits(
  actual: Tensor,
  expected: { shape: readonly number[]; data: ArrayLike<number> },
) {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data.length).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    if (!Object.is(actual.data[i], expected.data[i])) {
      throw new Error(
        `entry ${i}: got ${show(actual.data[i]!)}, expected ${show(expected.data[i]!)}`,
      );
    }
  }
}

function compileBoth(spec: string, operands: readonly Tensor[]) {
  const shapes = operands.map((t) => t.shape);
  const plan = planEinsum(parseEinsumSpec(spec, operands.length), shapes);
  return { fast: compileProduct(plan, shapes), general: compileEinsum(plan, shapes) };
}

describe("compileProduct (einsums that sum nothing)", () => {
  it("gives the general path's bits and a naive loop's on random specs that sum nothing", () => {
    fc.assert(
      fc.property(productCaseArb, (c) => {
        const operands = c.operands.map(
          (op, i) => new Tensor(Float64Array.from(c.data[i]!), op.shape),
        );
        const { fast, general } = compileBoth(c.spec, operands);
        const naive = naiveProduct(c);
        // Taken exactly when nothing is summed and there are at most two operands.
        expect(fast === null).toBe(naive === undefined || operands.length > 2);
        if (fast === null) return;
        const result = fast(operands);
        expectSameBits(result, general(operands));
        expectSameBits(result, naive!);
        // And through einsum itself, twice (the second call is a cache hit): new arrays.
        const first = einsum(c.spec, ...operands);
        const again = einsum(c.spec, ...operands);
        expectSameBits(first, result);
        expectSameBits(again, result);
        expect(again.data).not.toBe(first.data);
        for (const operand of operands) expect(result.data).not.toBe(operand.data);
      }),
      { seed: 20261205, numRuns: 600 },
    );
  });

  it("generates the cases it claims to", () => {
    const seen = {
      oneOperand: 0,
      twoOperands: 0,
      threeOperands: 0,
      zeroDim: 0,
      sideOne: 0,
      sideZero: 0,
      repeated: 0,
      upperCase: 0,
      ellipsis: 0,
      implicit: 0,
      summed: 0,
      negativeZero: 0,
    };
    fc.assert(
      fc.property(productCaseArb, (c) => {
        const n = c.operands.length;
        if (n === 1) seen.oneOperand++;
        if (n === 2) seen.twoOperands++;
        if (n === 3) seen.threeOperands++;
        if (c.operands.some((op) => op.shape.length === 0)) seen.zeroDim++;
        if (c.operands.some((op) => op.shape.includes(1))) seen.sideOne++;
        if (c.operands.some((op) => op.shape.includes(0))) seen.sideZero++;
        if (
          c.operands.some(
            (op) => new Set([...op.before, ...op.after]).size < op.before.length + op.after.length,
          )
        ) {
          seen.repeated++;
        }
        if (/[A-Z]/.test(c.spec)) seen.upperCase++;
        if (c.spec.includes("...")) seen.ellipsis++;
        if (c.output === null) seen.implicit++;
        if (naiveProduct(c) === undefined) seen.summed++;
        if (c.data.some((values) => values.some((v) => Object.is(v, -0)))) seen.negativeZero++;
      }),
      { seed: 20261205, numRuns: 600 },
    );
    for (const [what, count] of Object.entries(seen)) {
      expect(count, what).toBeGreaterThan(10);
    }
  });

  it("examples: outer, broadcast and element-wise products, diagonals, transposes, 0-d", () => {
    const t = (values: number[], shape: number[]) => new Tensor(Float64Array.from(values), shape);
    const v = t([-1, 2], [2]);
    const w = t([0, 3, -0], [3]);
    const m = t([1, 2, 3, 4, 5, 6], [2, 3]);
    const cases: [string, Tensor[], number[], number[]][] = [
      ["i,j->ij", [v, w], [2, 3], [0, -3, 0, 0, 6, 0]],
      ["ij,j->ij", [m, w], [2, 3], [0, 6, 0, 0, 15, 0]],
      ["ij,j->ij", [m, t([-2], [1])], [2, 3], [-2, -4, -6, -8, -10, -12]],
      ["ij,ij->ji", [m, m], [3, 2], [1, 16, 4, 25, 9, 36]],
      ["ii->i", [t([-0, 1, 2, -0], [2, 2])], [2], [-0, -0]],
      ["iji->ji", [t([...Array(12).keys()], [2, 3, 2])], [3, 2], [0, 7, 2, 9, 4, 11]],
      ["ij->ji", [m], [3, 2], [1, 4, 2, 5, 3, 6]],
      ["Ab", [m], [2, 3], [1, 2, 3, 4, 5, 6]],
      [",->", [t([-0], []), t([5], [])], [], [0]],
      ["->", [t([-0], [])], [], [-0]],
      ["i,->i", [v, t([0], [])], [2], [0, 0]],
      ["...i,i->...i", [m, w], [2, 3], [0, 6, 0, 0, 15, 0]],
    ];
    for (const [spec, operands, shape, data] of cases) {
      const { fast, general } = compileBoth(spec, operands);
      expect(fast, spec).not.toBeNull();
      expectSameBits(fast!(operands), { shape, data });
      expectSameBits(general(operands), { shape, data });
    }
  });

  it("leaves sums and three or more operands to the general path", () => {
    const m = new Tensor(new Float64Array(4), [2, 2]);
    for (const [spec, operands] of [
      ["ij->i", [m]],
      ["ii->", [m]],
      ["ii", [m]],
      ["ij,jk->ik", [m, m]],
      ["ij,ij->", [m, m]],
      ["ij,ij,ij->ij", [m, m, m]],
    ] as [string, Tensor[]][]) {
      expect(compileBoth(spec, operands).fast, spec).toBeNull();
    }
  });
});
