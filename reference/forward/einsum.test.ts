import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { einsumCaseArb } from "../../checks/index.js";
import { type Tensor, tensor, zeros } from "../tensor/index.js";
import { einsumForward, einsumTerms } from "./einsum.js";

/** The definition: the sum over every assignment of the labels of the product of the entries. */
function naiveEinsum(spec: string, operands: readonly Tensor[]): Tensor {
  const { inputs, output } = einsumTerms(spec);
  const labels = [...new Set(inputs.join(""))];
  const size = new Map<string, number>();
  inputs.forEach((term, i) => {
    [...term].forEach((l, axis) => {
      size.set(l, operands[i]!.shape[axis]!);
    });
  });
  const outShape = [...output].map((l) => size.get(l)!);
  const out = zeros(outShape).data;
  const value = new Map<string, number>();
  const visit = (depth: number): void => {
    if (depth === labels.length) {
      let product = 1;
      inputs.forEach((term, i) => {
        product *= operands[i]!.get(...[...term].map((l) => value.get(l)!));
      });
      let offset = 0;
      for (const l of output) offset = offset * size.get(l)! + value.get(l)!;
      out[offset]! += product;
      return;
    }
    for (let v = 0; v < size.get(labels[depth]!)!; v++) {
      value.set(labels[depth]!, v);
      visit(depth + 1);
    }
  };
  visit(0);
  return tensor(out, outShape);
}

describe("reference einsum forward", () => {
  it("matches the definition on generated explicit specs", () => {
    fc.assert(
      fc.property(einsumCaseArb({ specialValues: true }), ({ spec, operands, outputShape }) => {
        const value = einsumForward(spec)(...operands);
        const naive = naiveEinsum(spec, operands);
        expect(value.shape).toEqual(outputShape);
        value.data.forEach((v, i) => {
          expect(Math.abs(v - naive.data[i]!)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(v)));
        });
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it("splits explicit specs into terms", () => {
    expect(einsumTerms("hihk,okh,oo->ko")).toEqual({ inputs: ["hihk", "okh", "oo"], output: "ko" });
    expect(einsumTerms("ij->")).toEqual({ inputs: ["ij"], output: "" });
    expect(() => einsumTerms("ij,jk")).toThrow(/explicit/);
  });
});
