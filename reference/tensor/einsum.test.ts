import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { einsum, matmul, Rng, type Tensor, tensor } from "./index.js";
import { type OperandCase, type OutputCase, outputKeys } from "./testing/outputKeys.js";

// ---------------------------------------------------------------------------------------------
// A naive einsum: a direct sum over the whole index space, written from the definition.
// ---------------------------------------------------------------------------------------------

interface EinsumCase {
  operands: OperandCase[];
  /** null: implicit output (no `->`). */
  output: OutputCase | null;
  spec: string;
  data: number[][];
}

/** The label of every axis of an operand; the dims of `...` are "#0", "#1", ... aligned right. */
function axisKeys(op: OperandCase, ellipsisDims: number): string[] {
  const dots = Array.from({ length: op.covered }, (_, t) => `#${ellipsisDims - op.covered + t}`);
  return [...op.before, ...dots, ...op.after];
}

function naiveEinsum(c: EinsumCase): { shape: number[]; data: number[] } {
  const ellipsisDims = Math.max(0, ...c.operands.map((op) => op.covered));
  const keysPerOperand = c.operands.map((op) => axisKeys(op, ellipsisDims));
  // The size of an index: the side that is not 1, if any (sides of 1 broadcast).
  const sides = new Map<string, number[]>();
  keysPerOperand.forEach((keys, i) => {
    keys.forEach((key, axis) => {
      sides.set(key, [...(sides.get(key) ?? []), c.operands[i]!.shape[axis]!]);
    });
  });
  const size = (key: string) => sides.get(key)!.find((s) => s !== 1) ?? 1;
  const outKeys = outputKeys(c.operands, c.output, ellipsisDims);
  const allKeys = [...sides.keys()];
  const outShape = outKeys.map(size);
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const value = new Map<string, number>();
  const visit = (depth: number): void => {
    if (depth === allKeys.length) {
      let product = 1;
      c.operands.forEach((op, i) => {
        let flat = 0;
        keysPerOperand[i]!.forEach((key, axis) => {
          const side = op.shape[axis]!;
          flat = flat * side + (side === 1 ? 0 : value.get(key)!);
        });
        product *= c.data[i]![flat]!;
      });
      let target = 0;
      outKeys.forEach((key, axis) => {
        target = target * outShape[axis]! + value.get(key)!;
      });
      out[target]! += product;
      return;
    }
    const key = allKeys[depth]!;
    for (let v = 0; v < size(key); v++) {
      value.set(key, v);
      visit(depth + 1);
    }
  };
  visit(0);
  return { shape: outShape, data: out };
}

// ---------------------------------------------------------------------------------------------
// The arbitrary: random specs and matching shapes, built by chaining fast-check arbitraries.
// ---------------------------------------------------------------------------------------------

const LETTERS = ["a", "b", "c", "i", "j", "k", "A", "Z"];

const sideArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 12 },
  { arbitrary: fc.constant(0), weight: 1 },
);

const skeletonArb = fc.record({
  letters: fc.shuffledSubarray(LETTERS, { minLength: 1, maxLength: 5 }),
  operandCount: fc.integer({ min: 1, max: 3 }),
  useEllipsis: fc.boolean(),
  ellipsisSizes: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  explicit: fc.boolean(),
});

function operandArb(
  letters: readonly string[],
  sizes: ReadonlyMap<string, number>,
  useEllipsis: boolean,
  ellipsisSizes: readonly number[],
) {
  return fc
    .record({
      // Mostly distinct letters; sometimes one of them again (a diagonal).
      subscripts: fc
        .record({
          distinct: fc.shuffledSubarray([...letters], { maxLength: Math.min(4, letters.length) }),
          repeat: fc.option(fc.tuple(fc.nat(), fc.nat()), { freq: 3 }),
        })
        .map(({ distinct, repeat }) => {
          if (repeat === null || distinct.length === 0) return distinct;
          const [which, at] = repeat;
          const copy = [...distinct];
          copy.splice(at % (copy.length + 1), 0, distinct[which % distinct.length]!);
          return copy;
        }),
      ellipsis: useEllipsis ? fc.boolean() : fc.constant(false),
      at: fc.nat(),
      covered: fc.integer({ min: 0, max: ellipsisSizes.length }),
      // A side becomes 1 (and broadcasts) where both masks have the bit: about one in four.
      ones: fc.tuple(fc.nat(), fc.nat()).map(([x, y]) => x & y),
    })
    .map(({ subscripts, ellipsis, at, covered, ones }): OperandCase => {
      const cut = ellipsis ? at % (subscripts.length + 1) : subscripts.length;
      const before = subscripts.slice(0, cut);
      const after = subscripts.slice(cut);
      const n = ellipsis ? covered : 0;
      const isOne = (bit: number) => ((ones >> bit) & 1) === 1;
      const letterSide = (letter: string) =>
        isOne(letters.indexOf(letter)) ? 1 : sizes.get(letter)!;
      const dotSides = ellipsisSizes
        .slice(ellipsisSizes.length - n)
        .map((s, t) => (isOne(8 + t) ? 1 : s));
      return {
        before,
        ellipsis,
        covered: n,
        after,
        shape: [...before.map(letterSide), ...dotSides, ...after.map(letterSide)],
      };
    });
}

function outputArb(operands: readonly OperandCase[], explicit: boolean) {
  if (!explicit) return fc.constant(null);
  const used = [...new Set(operands.flatMap((op) => [...op.before, ...op.after]))];
  const anyEllipsis = operands.some((op) => op.ellipsis);
  return fc
    .record({ letters: fc.shuffledSubarray(used), at: fc.nat() })
    .map(({ letters, at }): OutputCase => {
      const cut = anyEllipsis ? at % (letters.length + 1) : letters.length;
      return { before: letters.slice(0, cut), ellipsis: anyEllipsis, after: letters.slice(cut) };
    });
}

function termText(term: { before: string[]; ellipsis: boolean; after: string[] }): string {
  return `${term.before.join("")}${term.ellipsis ? "..." : ""}${term.after.join("")}`;
}

const einsumCaseArb: fc.Arbitrary<EinsumCase> = skeletonArb
  .chain((skeleton) =>
    fc
      .array(sideArb, {
        minLength: skeleton.letters.length,
        maxLength: skeleton.letters.length,
      })
      .chain((letterSizes) => {
        const sizes = new Map(skeleton.letters.map((l, i) => [l, letterSizes[i]!]));
        return fc.array(
          operandArb(skeleton.letters, sizes, skeleton.useEllipsis, skeleton.ellipsisSizes),
          { minLength: skeleton.operandCount, maxLength: skeleton.operandCount },
        );
      })
      .chain((operands) =>
        fc.record({
          operands: fc.constant(operands),
          output: outputArb(operands, skeleton.explicit),
          spaces: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
          data: fc.tuple(
            ...operands.map((op) => {
              const n = op.shape.reduce((a, b) => a * b, 1);
              return fc.array(fc.double({ min: -2, max: 2, noNaN: true }), {
                minLength: n,
                maxLength: n,
              });
            }),
          ),
        }),
      ),
  )
  .map(({ operands, output, spaces, data }) => {
    const compact = `${operands.map(termText).join(",")}${output ? `->${termText(output)}` : ""}`;
    // Spaces anywhere are ignored, even inside '...' and '->'.
    const spec = [...compact].map((ch, i) =>
      spaces[i % (spaces.length || 1)] === 0 ? ` ${ch}` : ch,
    );
    return { operands, output, spec: `${spec.join("")} `, data: data as number[][] };
  });

function expectClose(actual: Tensor, expected: { shape: number[]; data: number[] }): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data.length).toBe(expected.data.length);
  expected.data.forEach((want, i) => {
    const got = actual.data[i]!;
    if (Math.abs(got - want) > 1e-9 * (1 + Math.abs(want))) {
      throw new Error(`entry ${i}: got ${got}, expected ${want}`);
    }
  });
}

describe("einsum against a direct sum over the index space", () => {
  it("agrees on random specs and shapes", () => {
    fc.assert(
      fc.property(einsumCaseArb, (c) => {
        const operands = c.operands.map((op, i) => tensor(c.data[i]!, op.shape));
        expectClose(einsum(c.spec, ...operands), naiveEinsum(c));
      }),
      { seed: 20240611, numRuns: 400 },
    );
  });

  it("generates the cases it claims to (diagonals, sums, ellipsis, 0-d, broadcasting)", () => {
    const seen = {
      diagonal: false,
      ellipsis: false,
      zeroD: false,
      sizeOneBroadcast: false,
      implicit: false,
      explicit: false,
      three: false,
      summed: false,
    };
    fc.assert(
      fc.property(einsumCaseArb, (c) => {
        for (const op of c.operands) {
          const letters = [...op.before, ...op.after];
          if (new Set(letters).size < letters.length) seen.diagonal = true;
          if (op.covered > 0) seen.ellipsis = true;
          if (op.shape.length === 0) seen.zeroD = true;
        }
        const sidesOf = new Map<string, Set<number>>();
        for (const op of c.operands) {
          op.before.forEach((l, axis) => {
            sidesOf.set(l, (sidesOf.get(l) ?? new Set()).add(op.shape[axis]!));
          });
        }
        for (const s of sidesOf.values()) if (s.has(1) && s.size > 1) seen.sizeOneBroadcast = true;
        if (c.output === null) seen.implicit = true;
        else {
          seen.explicit = true;
          const kept = new Set([...c.output.before, ...c.output.after]);
          if (c.operands.some((op) => op.before.some((l) => !kept.has(l)))) seen.summed = true;
        }
        if (c.operands.length === 3) seen.three = true;
      }),
      { seed: 20240611, numRuns: 400 },
    );
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, true])));
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-written examples (the lecture's and numpy's).
// ---------------------------------------------------------------------------------------------

/** 0..n-1 (plus an offset) reshaped, so results are easy to check by hand. */
function counting(shape: number[], offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, (_, i) => i + offset),
    shape,
  );
}

describe("einsum examples", () => {
  it("'abc, bad -> ab' (the lecture's slide, with spaces)", () => {
    const X = counting([2, 3, 4]);
    const Y = counting([3, 2, 5], 1);
    const Z = einsum("abc, bad -> ab", X, Y);
    expect(Z.shape).toEqual([2, 3]);
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 3; b++) {
        let want = 0;
        for (let c = 0; c < 4; c++)
          for (let d = 0; d < 5; d++) want += X.get(a, b, c) * Y.get(b, a, d);
        expect(Z.get(a, b)).toBe(want);
      }
    }
  });

  it("'ik, ikj -> ij' is a batched matrix-vector product", () => {
    const X = counting([3, 2]);
    const M = counting([3, 2, 4], -5);
    const Y = einsum("ik, ikj -> ij", X, M);
    expect(Y.shape).toEqual([3, 4]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        expect(Y.get(i, j)).toBe(X.get(i, 0) * M.get(i, 0, j) + X.get(i, 1) * M.get(i, 1, j));
      }
    }
  });

  it("'ij->ji' transposes and 'ii->' is the trace", () => {
    expect(einsum("ij->ji", counting([2, 3])).toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    const trace = einsum("ii->", counting([3, 3]));
    expect(trace.shape).toEqual([]);
    expect(trace.item()).toBe(0 + 4 + 8);
    expect(einsum("ii", counting([3, 3])).item()).toBe(12);
    expect(einsum("ii->i", counting([3, 3])).toArray()).toEqual([0, 4, 8]);
  });

  it("implicit output keeps letters seen once, in char-code order", () => {
    expect(einsum("ij,jk", counting([2, 3]), counting([3, 4])).shape).toEqual([2, 4]);
    expect(einsum("ba", counting([2, 3])).toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    // Upper case sorts before lower case.
    expect(einsum("aB", counting([2, 3])).shape).toEqual([3, 2]);
    expect(einsum("i,i", counting([3]), counting([3])).item()).toBe(0 + 1 + 4);
    expect(einsum("...ij,...jk", counting([5, 2, 3]), counting([3, 4])).shape).toEqual([5, 2, 4]);
  });

  it("matrix products, outer products, totals and 0-d operands", () => {
    const A = counting([2, 3]);
    const B = counting([3, 2]);
    expect(einsum("ij,jk->ik", A, B).toArray()).toEqual([
      [10, 13],
      [28, 40],
    ]);
    expect(einsum("i,j->ij", counting([2], 1), counting([3], 1)).toArray()).toEqual([
      [1, 2, 3],
      [2, 4, 6],
    ]);
    expect(einsum("ij->", A).item()).toBe(15);
    expect(einsum(",ij->ij", tensor(2), A).toArray()).toEqual([
      [0, 2, 4],
      [6, 8, 10],
    ]);
    expect(einsum("->", tensor(7)).item()).toBe(7);
    expect(einsum("", tensor(7)).item()).toBe(7);
  });

  it("size-1 sides broadcast against a larger size of the same index", () => {
    const A = counting([2, 3]);
    const b = tensor([10]);
    expect(einsum("ij,j->ij", A, b).toArray()).toEqual([
      [0, 10, 20],
      [30, 40, 50],
    ]);
    expect(einsum("ij,j", A, b).toArray()).toEqual([30, 120]);
  });

  it("'...' broadcasts dims aligned on the right", () => {
    const A = counting([2, 1, 3]);
    const B = counting([4, 3]);
    const C = einsum("...i,...i->...", A, B);
    expect(C.shape).toEqual([2, 4]);
    for (let x = 0; x < 2; x++) {
      for (let y = 0; y < 4; y++) {
        let want = 0;
        for (let i = 0; i < 3; i++) want += A.get(x, 0, i) * B.get(y, i);
        expect(C.get(x, y)).toBe(want);
      }
    }
    expect(einsum("i...->...i", counting([2, 3, 4])).shape).toEqual([3, 4, 2]);
    expect(einsum("...->...", tensor(3)).item()).toBe(3);
  });

  it("a three-operand chain equals two matrix products", () => {
    const A = counting([2, 3]);
    const B = counting([3, 4], 1);
    const C = counting([4, 2], 2);
    const ABC = einsum("ij,jk,kl->il", A, B, C);
    const AB = einsum("ij,jk->ik", A, B);
    expect(ABC.toArray()).toEqual(einsum("ik,kl->il", AB, C).toArray());
  });

  it("does not depend on the blocked kernel's block sizes (long summed index)", () => {
    const A = counting([3, 300], -100);
    const B = counting([300, 2], 7);
    const C = einsum("ik,kj->ij", A, B);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        let want = 0;
        for (let k = 0; k < 300; k++) want += A.get(i, k) * B.get(k, j);
        expect(C.get(i, j)).toBe(want);
      }
    }
  });
});

describe("einsum's compiled programs (cached by spec and shapes)", () => {
  it("a batched product equals one matrix product per batch, bit for bit", () => {
    const rng = new Rng(5);
    const A = rng.randn([3, 9, 13]);
    const B = rng.randn([3, 13, 6]);
    const C = einsum("bij,bjk->bik", A, B);
    for (let b = 0; b < 3; b++) {
      const a = tensor(A.data.subarray(b * 9 * 13, (b + 1) * 9 * 13), [9, 13]);
      const c = tensor(B.data.subarray(b * 13 * 6, (b + 1) * 13 * 6), [13, 6]);
      expect([...C.data.subarray(b * 9 * 6, (b + 1) * 9 * 6)]).toEqual([...matmul(a, c).data]);
    }
  });

  it("repeated calls give the same bits in new arrays; other shapes are planned and checked anew", () => {
    const A = counting([2, 3]);
    const B = counting([3, 4], 1);
    const first = einsum("ij,jk->ik", A, B);
    const again = einsum("ij,jk->ik", A, B);
    expect(again.data).not.toBe(first.data);
    expect([...again.data]).toEqual([...first.data]);
    expect(einsum("ij,jk->ik", counting([3, 2]), counting([2, 1])).toArray()).toEqual([
      [1],
      [3],
      [5],
    ]);
    expect(() => einsum("ij,jk->ik", A, A)).toThrow(
      /^einsum: index 'j' has size 3 in operand 0 \(axis 1\) but size 2 in operand 1 \(axis 0\)/,
    );
    expect(() => einsum("ij,jk->ik", A, [[1]] as unknown as Tensor)).toThrow(
      /^einsum: operand 1 must be a Tensor/,
    );
    expect(einsum("ij,jk->ik", A, B).toArray()).toEqual(first.toArray());
  });

  it("a cached spec still checks what it did not compile for (count, type, rank)", () => {
    const a = counting([3]);
    const b = counting([4]);
    expect(einsum("i,j->ij", a, b).shape).toEqual([3, 4]); // compiled and cached
    expect(() => einsum("i,j->ij", a)).toThrow(
      /^einsum: spec 'i,j->ij' names 2 operands but 1 was given/,
    );
    // A look-alike with the cached shape is still no Tensor.
    const fake = { shape: [4], data: new Float64Array(4) } as unknown as Tensor;
    expect(() => einsum("i,j->ij", a, fake)).toThrow(/^einsum: operand 1 must be a Tensor, got /);
    expect(() => einsum("i,j->ij", a, counting([4, 1]))).toThrow(
      /^einsum: operand 1 has 2 dims \(shape \[4, 1\]\) but its subscripts 'j' name 1/,
    );
    expect(einsum("i,j->ij", a, b).toArray()).toEqual(einsum("i,j->ij", a, b).toArray());
  });

  it("a result that needs no arithmetic is still a copy", () => {
    const A = counting([2, 3]);
    for (const spec of ["ij->ij", "ij", "...->...", "ij,->ij"]) {
      const operands = spec.includes(",") ? [A, tensor(1)] : [A];
      const out = einsum(spec, ...operands);
      expect(out.data).not.toBe(A.data);
      expect(out.toArray()).toEqual(A.toArray());
    }
  });
});

describe("einsum errors name the problem", () => {
  const m23 = counting([2, 3]);
  const m33 = counting([3, 3]);
  const t234 = counting([2, 3, 4]);

  it("rejects an output index that is in no operand", () => {
    expect(() =>
      einsum("abcd, daa, be -> adf", counting([2, 2, 2, 2]), counting([2, 2, 2]), m23),
    ).toThrow(/output index 'f' .*appears in no operand/);
  });

  it("names the operand whose rank disagrees with its subscripts", () => {
    expect(() => einsum("ij,ij->", m23, t234)).toThrow(
      /operand 1 has 3 dims .*but its subscripts 'ij' name 2/,
    );
    expect(() => einsum("ijk->", m23)).toThrow(
      /operand 0 has 2 dims .*but its subscripts 'ijk' name 3/,
    );
    expect(() => einsum("...ijk->", m23)).toThrow(/operand 0 has 2 dims .*name 3 besides '...'/);
  });

  it("names the index whose sizes differ", () => {
    expect(() => einsum("ij,jk->ik", m23, m23)).toThrow(
      /index 'j' has size 3 in operand 0 .*but size 2 in operand 1/,
    );
    expect(() => einsum("ii->i", m23)).toThrow(
      /operand 0 repeats index 'i' on axes 0 and 1 with different sizes 2 and 3/,
    );
    expect(() => einsum("...i,...i->...", counting([2, 3]), counting([4, 3]))).toThrow(
      /index \.\.\. dim 0 has size 2 .*but size 4/,
    );
  });

  it("rejects bad characters and malformed arrows, dots and commas", () => {
    expect(() => einsum("i1->i", counting([2]))).toThrow(/contains '1'/);
    expect(() => einsum("i_j", m23)).toThrow(/contains '_'/);
    expect(() => einsum("ij->j->i", m23)).toThrow(/more than one '->'/);
    expect(() => einsum("ij>ji", m23)).toThrow(/'-' or '>' that is not part of '->'/);
    expect(() => einsum("ij-ji", m23)).toThrow(/'-' or '>' that is not part of '->'/);
    expect(() => einsum("...i...->i", m23)).toThrow(/operand 0 .*more than one '...'/);
    expect(() => einsum("...i->......", m23)).toThrow(/the output .*more than one '...'/);
    expect(() => einsum("i..j->ij", m23)).toThrow(/'.' that is not part of '...'/);
    expect(() => einsum("ij->i,j", m23)).toThrow(/',' in its output/);
  });

  it("rejects output indices named twice", () => {
    expect(() => einsum("ij->ii", m33)).toThrow(/names output index 'i' more than once/);
  });

  it("rejects a '...' that the output drops or that no operand has", () => {
    expect(() => einsum("...i->i", m23)).toThrow(
      /'...' stands for 1 dim in the operands but the output 'i' has no '...'/,
    );
    expect(() => einsum("ij->...ij", m23)).toThrow(/'...' in the output but in no operand/);
  });

  it("checks the operand count and types", () => {
    expect(() => einsum("ij,jk->ik", m23)).toThrow(/names 2 operands but 1 was given/);
    expect(() => einsum("ij", m23, m23)).toThrow(/names 1 operand but 2 were given/);
    expect(() => einsum("ij", [[1]] as unknown as Tensor)).toThrow(/operand 0 must be a Tensor/);
    expect(() => einsum(42 as unknown as string, m23)).toThrow(/spec must be a string/);
  });
});
