import { describe, expect, it } from "vitest";
import { map, mul, Rng, type Tensor } from "../reference/tensor/index.js";
import { type GradientFunction, gradcheck } from "./gradcheck.js";
import type { TensorFunction } from "./internal/perturb.js";

// Inputs much smaller than 1: the step is relativeStep * max(1, |x|), about 6e-6, so it is a
// large part of x itself. For x in (1e-4, 1e-3) the bend of 1/x over the seven samples made
// correct gradients "next to a kink" (20 of 30 seeds) and wrong ones too (29 of 30); for x in
// (1e-9, 1e-8), x - h leaves the domain of log and sqrt, and every check failed on the NaN.

/** f applied element-wise, its derivative times the downstream gradient as the gradient. */
function elementWise(f: (v: number) => number, derivative: (v: number) => number) {
  const fn: TensorFunction = (x) => map(x!, f);
  const gradients: GradientFunction = (g, [x]) => [mul(g, map(x!, derivative))];
  return { f: fn, gradients };
}

/** `seeds` inputs of shape [4], uniform in (low, high). */
function draws(name: string, low: number, high: number, seeds = 30): Tensor[] {
  return Array.from({ length: seeds }, (_, seed) =>
    new Rng(`${name}:${seed}`).rand([4], low, high),
  );
}

const reciprocal = elementWise(
  (v) => 1 / v,
  (v) => -1 / (v * v),
);

describe("gradcheck at inputs much smaller than its step", () => {
  it("passes a correct gradient of 1/x for x in (1e-4, 1e-3), where f bends within the step", () => {
    const notPassed: string[] = [];
    draws("reciprocal", 1e-4, 1e-3).forEach((x, seed) => {
      const report = gradcheck(reciprocal.f, reciprocal.gradients, [x], { seed });
      if (report.status !== "passed") notPassed.push(`seed ${seed}: ${report.message}`);
    });
    expect(notPassed).toEqual([]);
  });

  it("fails wrong gradients of 1/x there: doubled, another formula, one element off by 1%", () => {
    const bugs: Record<string, (v: number, j: number) => number> = {
      doubled: (v) => -2 / (v * v),
      "1/x^2": (v) => 1 / (v * v),
      "one element off by 1%": (v, j) => (-1 / (v * v)) * (j === 0 ? 1.01 : 1),
    };
    const notFailed: string[] = [];
    for (const [name, derivative] of Object.entries(bugs)) {
      const gradients: GradientFunction = (g, [x]) => [
        mul(
          g,
          map(x!, (v, j) => derivative(v, j)),
        ),
      ];
      draws("reciprocal", 1e-4, 1e-3).forEach((x, seed) => {
        const report = gradcheck(reciprocal.f, gradients, [x], { seed });
        if (report.status !== "failed") notFailed.push(`${name}, seed ${seed}: ${report.status}`);
      });
    }
    expect(notFailed).toEqual([]);
  });

  it("never fails a correct gradient of log or sqrt where x - h < 0, x in (1e-9, 1e-8)", () => {
    const subjects = {
      log: elementWise(Math.log, (v) => 1 / v),
      sqrt: elementWise(Math.sqrt, (v) => 0.5 / Math.sqrt(v)),
    };
    const failed: string[] = [];
    const statuses: Record<string, number> = { passed: 0, inconclusive: 0, failed: 0 };
    for (const [name, { f, gradients }] of Object.entries(subjects)) {
      draws(`domain ${name}`, 1e-9, 1e-8).forEach((x, seed) => {
        const report = gradcheck(f, gradients, [x], { seed });
        statuses[report.status]!++;
        if (report.status === "failed") failed.push(`${name}, seed ${seed}: ${report.message}`);
        if (report.status === "inconclusive") {
          expect(report.message).toMatch(/not finite within|next to a point|own error/);
        }
      });
    }
    expect(failed).toEqual([]);
    // f is finite at a smaller step for every element here: most checks decide there.
    expect(statuses.passed).toBeGreaterThan(statuses.inconclusive);
  });

  it("fails wrong gradients of log and sqrt there, judged at a step within the domain", () => {
    const subjects = {
      "log, doubled": { f: Math.log, derivative: (v: number) => 2 / v },
      "log, 1/x^2": { f: Math.log, derivative: (v: number) => 1 / (v * v) },
      "sqrt, doubled": { f: Math.sqrt, derivative: (v: number) => 1 / Math.sqrt(v) },
    };
    const notFailed: string[] = [];
    for (const [name, { f, derivative }] of Object.entries(subjects)) {
      const wrong = elementWise(f, derivative);
      draws(`domain ${name}`, 1e-9, 1e-8).forEach((x, seed) => {
        const report = gradcheck(wrong.f, wrong.gradients, [x], { seed });
        if (report.status !== "failed") notFailed.push(`${name}, seed ${seed}: ${report.status}`);
        // Failed on the values, not on a NaN of f next to the point.
        expect(report.message).not.toContain("NaN");
      });
    }
    expect(notFailed).toEqual([]);
  });

  it("leaves an element out, inconclusive, where f is not finite at any step tried", () => {
    // f is finite at the point, and NaN at every other x < 1e-3: no smaller step helps.
    const f: TensorFunction = (x) =>
      map(x!, (v, j) => (j === 1 && v !== 5e-4 ? Number.NaN : v * v));
    const gradients: GradientFunction = (g, [x]) => [mul(g, mul(x!, 2))];
    const x = new Rng("nowhere finite").rand([4], 1e-4, 1e-3);
    x.data[1] = 5e-4;
    for (const mode of ["directional", "full"] as const) {
      const report = gradcheck(f, gradients, [x], { seed: 1, mode });
      expect(report.status, mode).toBe("inconclusive");
      expect(report.inputs[0]!.notFiniteNearby, mode).toEqual([1]);
      expect(report.message, mode).toMatch(/1 element lies where f is not finite within/);
    }
  });
});
