import { describe, expect, it } from "vitest";
import { type Tensor, tensor, zeros } from "../../reference/tensor/index.js";
import { Opaque } from "../sandbox/wireValues.js";
import { expectFinite, expectNumber, expectTensor, isOpaque } from "./judge.js";

const tolerance = { atol: 1e-6, rtol: 1e-5 };

/** Zeros of `shape` with `value` at flat position `at`. */
function planted(shape: number[], value: number, at: number): Tensor {
  const t = zeros(shape);
  t.data[at] = value;
  return t;
}

describe("judges: no NaN or Infinity ever passes (issue 13)", () => {
  it("expectNumber fails a non-finite result, naming it, whatever the expected value", () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      const verdict = expectNumber(value, value, { name: "chainRuleExample(2, 2, 3)", tolerance });
      expect(verdict.pass, String(value)).toBe(false);
      if (!verdict.pass) {
        expect(verdict.message).toContain("chainRuleExample(2, 2, 3)");
        expect(verdict.message).toContain(String(value));
      }
    }
  });

  it("expectNumber fails when the expected value is not finite (finite differences of a function that is not finite there)", () => {
    const verdict = expectNumber(1, Number.NaN, { name: "accuracy", tolerance });
    expect(verdict.pass).toBe(false);
    if (!verdict.pass) expect(verdict.message).toMatch(/expected value .*NaN|NaN.*expected/);
  });

  it("expectNumber refuses a tolerance that is not finite instead of passing everything", () => {
    expect(() =>
      expectNumber(Number.POSITIVE_INFINITY, 3, {
        name: "x",
        tolerance: { atol: Number.POSITIVE_INFINITY, rtol: 0 },
      }),
    ).toThrow(/atol.*Infinity/);
    expect(() =>
      expectNumber(3, 3, { name: "x", tolerance: { atol: 0, rtol: Number.NaN } }),
    ).toThrow(/rtol.*NaN/);
  });

  it("expectTensor fails Infinity against an expected Infinity and names the element", () => {
    const expected = planted([2, 3], Number.POSITIVE_INFINITY, 4);
    const verdict = expectTensor(expected.clone(), expected, { name: "Linear.grad", tolerance });
    expect(verdict.pass).toBe(false);
    if (!verdict.pass) {
      expect(verdict.message).toMatch(/^Linear\.grad: /);
      expect(verdict.message).toContain("[1, 1]");
    }
  });

  it("expectTensor refuses a non-finite tolerance", () => {
    expect(() =>
      expectTensor(tensor([1]), tensor([1]), {
        name: "x",
        tolerance: { atol: Number.NaN, rtol: 0 },
      }),
    ).toThrow(/atol.*NaN/);
  });

  it("expectFinite names the multi-index of the first non-finite value and how many there are", () => {
    const t = planted([2, 3], Number.NEGATIVE_INFINITY, 5);
    t.data[1] = Number.NaN;
    const verdict = expectFinite(t, "the gradient of X");
    expect(verdict.pass).toBe(false);
    if (!verdict.pass) {
      expect(verdict.message).toContain("the gradient of X");
      expect(verdict.message).toContain("NaN at [0, 1]");
      expect(verdict.message).toContain("2 values");
    }
    expect(expectFinite(tensor([1, 2]), "x").pass).toBe(true);
  });
});

describe("isOpaque", () => {
  it("tells results that were not plain data from data", () => {
    expect(isOpaque(new Opaque("a function"))).toBe(true);
    expect(isOpaque({ description: "a function" })).toBe(false);
    expect(isOpaque(tensor([1, 2]))).toBe(false);
    expect(isOpaque(null)).toBe(false);
  });
});
