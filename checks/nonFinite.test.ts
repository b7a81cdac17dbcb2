/**
 * No NaN or Infinity ever passes a comparison of gradmark/checks (issue 13): not in the actual
 * values, not in the expected values (finite differences of a function that is not finite near
 * the point), not in a tolerance, and not in the allowance a directional probe builds from the
 * gradient. One test per comparison that let one through.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import "./vitest.js";
import { matmul, mul, sum, type Tensor, tensor, zeros } from "../reference/tensor/index.js";
import { compareTensors } from "./compareTensors.js";
import { diagnose } from "./diagnose.js";
import { gradcheck } from "./gradcheck.js";
import { gradcheckProperty } from "./gradcheckProperty.js";
import { isClose } from "./internal/close.js";
import { directionalAgreement } from "./internal/directional.js";
import { numericalDerivative } from "./numericalDerivative.js";
import { numericalVjp } from "./numericalVjp.js";

const X = tensor([
  [0.5, -1.25, 2],
  [1.5, 0.75, -0.5],
]);
const W = tensor([
  [1, -2],
  [0.5, 3],
  [-1.5, 0.25],
]);
const linear = (x?: Tensor, w?: Tensor) => matmul(x!, w!);
const linearGradients = (g: Tensor, [x, w]: Tensor[]) => [
  matmul(g, w!.transpose()),
  matmul(x!.transpose(), g),
];

/** Zeros of `like`'s shape with one planted value at flat position `at` (the attack of issue 13). */
function planted(like: Tensor, value: number, at = 3): Tensor {
  const t = zeros(like.shape);
  t.data[at] = value;
  return t;
}

describe("isClose", () => {
  it("never calls a non-finite value close, not even to itself", () => {
    expect(isClose(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1e-6, 1e-5)).toBe(false);
    expect(isClose(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 0)).toBe(false);
    expect(isClose(Number.NaN, Number.NaN, 1e-6, 1e-5)).toBe(false);
    expect(isClose(1, Number.POSITIVE_INFINITY, 1e-6, 1e-5)).toBe(false);
  });

  it("never lets a non-finite tolerance make everything close", () => {
    expect(isClose(Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY, 0)).toBe(false);
    expect(isClose(1e300, 0, Number.POSITIVE_INFINITY, 0)).toBe(false);
    expect(isClose(1, 1, Number.NaN, 0)).toBe(false);
  });
});

describe("compareTensors", () => {
  it("fails Infinity against an expected Infinity, naming the tensor, the element and the value", () => {
    const expected = planted(X, Number.POSITIVE_INFINITY, 4);
    const c = compareTensors(expected.clone(), expected, { name: "gradient of X" });
    expect(c.passed).toBe(false);
    expect(c.outcome).toBe("non-finite");
    expect(c.message).toMatch(/^gradient of X: /);
    expect(c.message).toContain("[1, 1]");
    expect(c.message).toContain("Infinity");
  });

  it("fails NaN against an expected NaN as non-finite", () => {
    const expected = planted(X, Number.NaN, 0);
    const c = compareTensors(expected.clone(), expected, { name: "gradient of X" });
    expect(c).toMatchObject({ passed: false, outcome: "non-finite" });
    expect(c.message).toContain("NaN");
    expect(c.message).toContain("[0, 0]");
  });

  it("fails a finite result against non-finite expected values and says the expected side is not finite", () => {
    // The expected values of a gradient check are finite differences of the function: a function
    // that returns Infinity near the point gives NaN or Infinity there.
    const expected = planted(X, Number.NaN, 5);
    const c = compareTensors(zeros(X.shape), expected, { name: "gradient of X" });
    expect(c).toMatchObject({ passed: false, outcome: "non-finite" });
    expect(c.message).toContain("[1, 2]");
    expect(c.message).toMatch(/expected value.*not finite|expected.*NaN/);
  });

  it("names a planted Infinity in the first line, with its multi-index and the expected value", () => {
    const c = compareTensors(planted(X, Number.NEGATIVE_INFINITY, 1), zeros(X.shape), {
      name: "gradient of X",
    });
    expect(c).toMatchObject({ passed: false, outcome: "non-finite" });
    const [first] = c.message.split("\n");
    expect(first).toContain("-Infinity");
    expect(first).toContain("[0, 1]");
    expect(c.worst[0]).toMatchObject({ index: [0, 1], actual: Number.NEGATIVE_INFINITY });
  });

  it("refuses a tolerance that is not a finite number of 0 or more, naming it", () => {
    const bad = planted(X, Number.POSITIVE_INFINITY);
    expect(() => compareTensors(bad, zeros(X.shape), { atol: Number.POSITIVE_INFINITY })).toThrow(
      /atol.*Infinity/,
    );
    expect(() => compareTensors(X, X, { rtol: Number.NaN })).toThrow(/rtol.*NaN/);
    expect(() => compareTensors(X, X, { atol: -1e-6 })).toThrow(/atol/);
  });

  it("orders non-finite elements first without a NaN in the sort", () => {
    const actual = X.clone();
    actual.data[5] = Number.POSITIVE_INFINITY;
    actual.data[2] = Number.NaN;
    actual.data[0] = actual.data[0]! + 10;
    const c = compareTensors(actual, X, { worstCount: 3 });
    expect(c.worst.map((w) => w.index)).toEqual([
      [0, 2],
      [1, 2],
      [0, 0],
    ]);
    expect(c.mismatched).toBe(3);
  });
});

describe("diagnose", () => {
  it("names the multi-index of the first non-finite element", () => {
    const hint = diagnose(planted(X, Number.POSITIVE_INFINITY, 4), zeros(X.shape));
    expect(hint?.kind).toBe("non-finite");
    expect(hint?.message).toContain("Infinity");
    expect(hint?.message).toContain("[1, 1]");
  });

  it("says so when the expected values are not finite, instead of fitting a pattern to them", () => {
    const expected = planted(X, Number.NEGATIVE_INFINITY, 4);
    const actual = planted(X, Number.POSITIVE_INFINITY, 4);
    actual.data[4] = 1;
    const hint = diagnose(actual, expected);
    expect(hint?.kind).toBe("non-finite");
    expect(hint?.message).toContain("expected");
  });
});

describe("gradcheck", () => {
  it("fails right-shaped zeros with one Infinity in directional mode (they passed every probe)", () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      const report = gradcheck(
        linear,
        (_g, inputs) => [planted(inputs[0]!, value), planted(inputs[1]!, value, 1)],
        [X, W],
        { names: ["X", "W"], seed: 3 },
      );
      expect(report.status, String(value)).toBe("failed");
      expect(report.passed).toBe(false);
      expect(report.message).toContain(String(value));
      expect(report.message).toContain("[1, 0]");
    }
  });

  it("fails a finite but huge gradient element whose allowance overflows to Infinity", () => {
    const report = gradcheck(
      linear,
      (g, inputs) => {
        const [dx, dw] = linearGradients(g, inputs);
        dx!.data[2] = 1e200;
        return [dx!, dw!];
      },
      [X, W],
      { names: ["X", "W"], seed: 1 },
    );
    expect(report.status).toBe("failed");
    expect(report.inputs[0]!.status).toBe("failed");
  });

  it("fails (not inconclusive) when f returns Infinity next to the point, naming f's output", () => {
    // f is right at the point itself but returns Infinity at output [0, 1] as soon as X moves.
    const f = (x?: Tensor, w?: Tensor) => {
      const out = matmul(x!, w!);
      if (x!.data[0] !== X.data[0]) out.data[1] = Number.POSITIVE_INFINITY;
      return out;
    };
    for (const mode of ["directional", "full"] as const) {
      const report = gradcheck(f, linearGradients, [X, W], { names: ["X", "W"], mode });
      expect(report.status, mode).toBe("failed");
      expect(report.message).toContain("Infinity");
      expect(report.message).toContain("[0, 1]");
    }
  });

  it("fails when f returns NaN at the checked point itself", () => {
    const f = (x?: Tensor, w?: Tensor) => {
      const out = matmul(x!, w!);
      if (x === X) out.data[0] = Number.NaN;
      return out;
    };
    const report = gradcheck(f, linearGradients, [X, W], { names: ["X", "W"] });
    expect(report.status).toBe("failed");
    expect(report.message).toContain("NaN");
  });

  it("refuses non-finite tolerances, a non-finite downstream gradient and non-finite inputs", () => {
    const bad = (_g: Tensor, inputs: Tensor[]) => [
      planted(inputs[0]!, Number.POSITIVE_INFINITY),
      planted(inputs[1]!, Number.POSITIVE_INFINITY),
    ];
    expect(() => gradcheck(linear, bad, [X, W], { atol: Number.POSITIVE_INFINITY })).toThrow(
      /atol.*Infinity/,
    );
    expect(() => gradcheck(linear, bad, [X, W], { rtol: Number.NaN })).toThrow(/rtol.*NaN/);
    expect(() => gradcheck(linear, linearGradients, [X, W], { relativeStep: Number.NaN })).toThrow(
      /relativeStep/,
    );
    const downstream = planted(matmul(X, W), Number.NaN, 2);
    expect(() => gradcheck(linear, linearGradients, [X, W], { downstream })).toThrow(
      /downstream.*NaN.*\[1, 0\]/,
    );
    expect(() =>
      gradcheck(linear, linearGradients, [planted(X, Number.POSITIVE_INFINITY), W]),
    ).toThrow(/input 0.*Infinity/);
  });

  it("still passes a correct gradient (directional and full)", () => {
    for (const mode of ["directional", "full"] as const) {
      expect(gradcheck(linear, linearGradients, [X, W], { mode }).status).toBe("passed");
    }
  });
});

describe("directionalAgreement", () => {
  const direction = new Float64Array([0.5, -1, 0.25]);
  const tolerance = { atol: 1e-6, rtol: 1e-5 };

  it("agrees for a matching rate of change and disagrees otherwise", () => {
    const gradient = new Float64Array([2, 1, 4]); // <g, v> = 1
    const h = 1e-3;
    const yes = directionalAgreement({
      plus: 1 * h,
      minus: -1 * h,
      h,
      gradient,
      direction,
      tolerance,
    });
    expect(yes).toMatchObject({ agrees: true, nonFinite: null });
    const no = directionalAgreement({
      plus: 2 * h,
      minus: -2 * h,
      h,
      gradient,
      direction,
      tolerance,
    });
    expect(no.agrees).toBe(false);
  });

  it("never agrees when the gradient, the forward values or the allowance are not finite", () => {
    const h = 1e-3;
    const cases = [
      { gradient: new Float64Array([0, Number.POSITIVE_INFINITY, 0]), plus: 0, minus: 0 },
      { gradient: new Float64Array([0, Number.NaN, 0]), plus: 0, minus: 0 },
      { gradient: new Float64Array([0, 0, 0]), plus: Number.POSITIVE_INFINITY, minus: 0 },
      { gradient: new Float64Array([0, 0, 0]), plus: 0, minus: Number.NaN },
      // Finite, but <g, v> overflows.
      { gradient: new Float64Array([1.7e308, -1.7e308, 1.7e308]), plus: 0, minus: 0 },
    ];
    for (const c of cases) {
      const result = directionalAgreement({ ...c, h, direction, tolerance });
      expect(
        result.agrees,
        JSON.stringify(c, (_, v) => String(v)),
      ).toBe(false);
      expect(result.nonFinite).not.toBeNull();
    }
  });

  it("keeps the allowance finite for huge finite gradients, so they cannot pass by overflow", () => {
    const gradient = new Float64Array([0, 1e200, 0]);
    const result = directionalAgreement({
      plus: 0,
      minus: 0,
      h: 1e-3,
      gradient,
      direction,
      tolerance,
    });
    expect(Number.isFinite(result.allowance)).toBe(true);
    expect(result.agrees).toBe(false);
    expect(result.nonFinite).toBeNull();
  });
});

describe("numerical derivatives of a function that is not finite near the point", () => {
  it("come out non-finite (never a finite number that could pass), and every comparison fails", () => {
    const f = (x?: Tensor) => {
      const out = mul(x!, 2);
      if (x!.data[0]! > 1) out.data[1] = Number.POSITIVE_INFINITY;
      return out;
    };
    const x = tensor([1, 3]);
    const d = numericalDerivative(f, [x]);
    expect(Number.isFinite(d.data[1]!)).toBe(false);
    // Infinity * 0 in the projection with the downstream gradient stays NaN.
    const vjp = numericalVjp(f, [x], tensor([1, 0]));
    expect(Number.isFinite(vjp.data[0]!)).toBe(false);
    expect(compareTensors(tensor([2, 0]), vjp).passed).toBe(false);
  });
});

describe("matchers", () => {
  it("toBeCloseToTensor fails Infinity against Infinity", () => {
    const inf = tensor([1, Number.POSITIVE_INFINITY]);
    expect(() => expect(inf).toBeCloseToTensor(inf)).toThrow(/Infinity/);
  });

  it("toPassGradcheck fails an operation whose backwardCall plants an Infinity in zeros", () => {
    const op = {
      forwardCall: (x: Tensor) => sum(mul(x, x)),
      backwardCall: () => [planted(X, Number.POSITIVE_INFINITY)],
    };
    expect(() => expect(op).toPassGradcheck(X)).toThrow(/Infinity/);
  });
});

describe("gradcheckProperty", () => {
  it("fails (does not skip as inconclusive) a function that is not finite near every drawn point", () => {
    const f = (x?: Tensor) => {
      const out = mul(x!, x!);
      out.data[0] = x!.data[0] === Math.round(x!.data[0]!) ? 0 : Number.POSITIVE_INFINITY;
      return out;
    };
    const inputs = fc.integer({ min: -3, max: 3 }).map((v) => [tensor([v, v + 1])]);
    const property = gradcheckProperty(f, (g, [x]) => [mul(mul(g, x!), 2)], inputs);
    const details = fc.check(property, { numRuns: 5, seed: 1 });
    expect(details.failed).toBe(true);
    expect(details.numSkips).toBe(0);
    expect(String(details.errorInstance)).toContain("Infinity");
  });
});
