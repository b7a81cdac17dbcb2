import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { einsum } from "../../reference/tensor/index.js";
import { type EinsumCase, einsumCaseArb } from "./einsumCase.js";

function parse(spec: string) {
  const [inputs, output] = spec.split("->") as [string, string | undefined];
  return { inputs: inputs.split(","), output };
}

/** Checks a case against the spec and runs it through the kit's einsum. */
function checkCase(c: EinsumCase) {
  const { inputs, output } = parse(c.spec);
  expect(inputs).toHaveLength(c.operands.length);
  const sizes = new Map<string, number>();
  inputs.forEach((subscripts, i) => {
    expect(c.operands[i]!.shape).toEqual(c.shapes[i]);
    expect(subscripts).toHaveLength(c.shapes[i]!.length);
    [...subscripts].forEach((label, axis) => {
      const side = c.shapes[i]![axis]!;
      expect(sizes.get(label) ?? side).toBe(side);
      sizes.set(label, side);
    });
  });
  if (output !== undefined) {
    expect(new Set(output).size).toBe(output.length);
    for (const label of output) expect(sizes.has(label)).toBe(true);
  }
  const result = einsum(c.spec, ...c.operands);
  expect(result.shape).toEqual(c.outputShape);
  return { inputs, output, sizes };
}

describe("einsumCaseArb", () => {
  it("produces specs whose operands run through the kit's einsum with the expected shape", () => {
    fc.assert(
      fc.property(einsumCaseArb({ implicit: true }), (c) => {
        checkCase(c);
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it("covers diagonals, summed labels, contractions, 0-d operands and implicit specs", () => {
    const cases = fc.sample(einsumCaseArb({ implicit: true }), { seed: 2, numRuns: 300 });
    const parsed = cases.map((c) => parse(c.spec));
    const some = (test: (p: ReturnType<typeof parse>) => boolean) => parsed.filter(test).length;
    expect(some((p) => p.inputs.some((s) => new Set(s).size < s.length))).toBeGreaterThan(20);
    expect(
      some(
        (p) => p.output !== undefined && [...p.inputs.join("")].some((l) => !p.output!.includes(l)),
      ),
    ).toBeGreaterThan(20);
    expect(
      some((p) => p.inputs.length >= 2 && [...p.inputs[0]!].some((l) => p.inputs[1]!.includes(l))),
    ).toBeGreaterThan(20);
    expect(some((p) => p.inputs.includes(""))).toBeGreaterThan(5);
    expect(some((p) => p.output === undefined)).toBeGreaterThan(20);
    expect(new Set(cases.map((c) => c.operands.length))).toEqual(new Set([1, 2, 3]));
  });

  it("makes explicit specs only, by default", () => {
    fc.assert(
      fc.property(einsumCaseArb(), (c) => c.spec.includes("->")),
      { seed: 3, numRuns: 100 },
    );
  });

  it("honours repeated: false and summed: false", () => {
    fc.assert(
      fc.property(einsumCaseArb({ repeated: false, summed: false, implicit: true }), (c) => {
        const { inputs, output } = checkCase(c);
        for (const s of inputs) expect(new Set(s).size).toBe(s.length);
        const labels = new Set(inputs.join(""));
        const out =
          output ?? [...labels].filter((l) => inputs.join("").split(l).length === 2).join("");
        expect(new Set(out)).toEqual(labels);
      }),
      { seed: 4, numRuns: 200 },
    );
  });

  it("keeps operand counts, ranks and sizes within the constraints", () => {
    const constraints = {
      minOperands: 2,
      maxOperands: 4,
      maxLabels: 3,
      minRankPerOperand: 1,
      maxRankPerOperand: 3,
      minSide: 2,
      maxSide: 4,
    };
    fc.assert(
      fc.property(einsumCaseArb(constraints), (c) => {
        const { inputs } = checkCase(c);
        expect(c.operands.length).toBeGreaterThanOrEqual(2);
        expect(c.operands.length).toBeLessThanOrEqual(4);
        expect(new Set(inputs.join("")).size).toBeLessThanOrEqual(3);
        for (const shape of c.shapes) {
          expect(shape.length).toBeGreaterThanOrEqual(1);
          expect(shape.length).toBeLessThanOrEqual(3);
          for (const side of shape) {
            expect(side).toBeGreaterThanOrEqual(2);
            expect(side).toBeLessThanOrEqual(4);
          }
        }
      }),
      { seed: 5, numRuns: 150 },
    );
  });

  it("shrinks 'fails when some operand repeats a label' to 'aa->a' with sides of 1", () => {
    for (const seed of [1, 2, 3]) {
      const out = fc.check(
        fc.property(einsumCaseArb(), (c) =>
          parse(c.spec).inputs.every((s) => new Set(s).size === s.length),
        ),
        { seed },
      );
      const c = out.counterexample![0];
      expect(c.spec).toBe("aa->a");
      expect(c.shapes).toEqual([[1, 1]]);
      expect(Array.from(c.operands[0]!.data)).toEqual([0]);
    }
  });

  it("shrinks 'fails with two operands' to two 0-d operands", () => {
    const out = fc.check(
      fc.property(einsumCaseArb(), (c) => c.operands.length < 2),
      { seed: 6 },
    );
    expect(out.counterexample![0].spec).toBe(",->");
  });

  it("validates its constraints when built", () => {
    expect(() => einsumCaseArb({ minOperands: 3, maxOperands: 2 })).toThrow(
      "einsumCaseArb: minOperands (3) must not exceed maxOperands (2)",
    );
    expect(() => einsumCaseArb({ minOperands: 0 })).toThrow(
      "einsumCaseArb: minOperands (0) must be at least 1",
    );
    expect(() => einsumCaseArb({ maxLabels: 27 })).toThrow(
      "einsumCaseArb: maxLabels (27) must be at most 26",
    );
    expect(() => einsumCaseArb({ repeated: false, maxLabels: 2, maxRankPerOperand: 3 })).toThrow(
      "einsumCaseArb: maxRankPerOperand (3) must not exceed maxLabels (repeated is false) (2)",
    );
    expect(() => einsumCaseArb({ implicit: "yes" } as never)).toThrow(
      'einsumCaseArb: implicit ("yes") must be true or false',
    );
    expect(() => einsumCaseArb({ maxSide: 9, maxRankPerOperand: 5 })).toThrow(
      "einsumCaseArb: maxSide (9) ** maxRankPerOperand (5) allows tensors of 59049 elements",
    );
  });
});
