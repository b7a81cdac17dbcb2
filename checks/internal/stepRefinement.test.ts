import { describe, expect, it } from "vitest";
import { matmul, Tensor } from "../../reference/tensor/index.js";
import { nearKinkNetwork } from "../../testing/gradcheckCatalogue.js";
import { DEFAULT_RELATIVE_STEP, stepFor } from "./centralDifferences.js";
import { judgeLine, SAMPLE_OFFSETS } from "./kink.js";
import { type Sample, sampleOf } from "./sample.js";
import { judgeWithSmallerSteps, type SteppedLine, smallerSteps } from "./stepRefinement.js";

const RS = DEFAULT_RELATIVE_STEP;
const NO_ROUNDING_LIMIT = { scale: 0, tolerance: 1 };

/**
 * The line phi(t) = g(x + t h) of one element x (h its step), as judgeElement builds it, with its
 * smaller steps down to |x| RS; `forgiven` counts the values that were not finite and forgiven.
 */
function elementLine(g: (v: number) => number, x: number, analytic: number) {
  const h = stepFor(x, RS);
  let forgiven = 0;
  const at = (t: number): Sample => {
    const value = g(x + t * h);
    const sample: Sample = { value, scale: Math.abs(value) };
    return Number.isFinite(value) ? sample : { ...sample, forgive: () => forgiven++ };
  };
  const line = (factors = [1, ...smallerSteps(h, stepFor(x, RS, "relative"), NO_ROUNDING_LIMIT)]) =>
    ({
      at,
      h,
      analytic,
      tolerance: (n: number) => 1e-6 + 1e-5 * Math.abs(n),
      agreesWithinRounding: false,
      factors,
      from: 0,
      plus: at(1),
      minus: at(-1),
    }) satisfies SteppedLine;
  return { line, forgiven: () => forgiven };
}

describe("smallerSteps", () => {
  it("has none for inputs larger than 1/16, whose step is near the relative rule's, nor at 0", () => {
    for (const x of [0, 0.07, -0.5, 1, -3, 1e6]) {
      expect(smallerSteps(stepFor(x, RS), stepFor(x, RS, "relative"), NO_ROUNDING_LIMIT)).toEqual(
        [],
      );
    }
  });

  it("spreads at most four powers of 2, each 16 or more times smaller, down to |x| times the step", () => {
    expect(smallerSteps(RS, 1e-4 * RS, NO_ROUNDING_LIMIT)).toEqual([2 ** -4, 2 ** -8, 2 ** -12]);
    expect(smallerSteps(RS, 1e-9 * RS, NO_ROUNDING_LIMIT)).toEqual([2 ** -8, 2 ** -16, 2 ** -24]);
  });

  it("takes none at which an exact gradient's rounding exceeds the tolerance", () => {
    // 100 eps * 1000 / h' stays below 1e-4 only while h' > 2.2e-7: h / 16, not h / 256.
    expect(smallerSteps(RS, 1e-4 * RS, { scale: 1000, tolerance: 1e-4 })).toEqual([2 ** -4]);
  });
});

describe("judgeWithSmallerSteps", () => {
  it("judges 1/x at x = 1e-4 where its samples are smooth: a correct slope agrees, a doubled one fails", () => {
    const x = 1e-4;
    const correct = elementLine((v) => 1 / v, x, -1 / (x * x)).line();
    // At h = 6e-6 the samples reach 12% of x: not smooth (what used to make it "next to a kink").
    const samples = SAMPLE_OFFSETS.map((t) => correct.at(t));
    const atH = judgeLine({
      samples: samples.map((s) => s.value),
      scales: samples.map((s) => s.scale),
      h: correct.h,
      analytic: correct.analytic,
      tolerance: 1e-6 + 1e-5 * 1e8,
    });
    expect(atH.verdict).toBe("kink");
    const agrees = judgeWithSmallerSteps(correct);
    expect(agrees.verdict).toBe("agrees");
    expect(agrees.factor).toBeLessThan(1);
    expect(Math.abs(agrees.numerical + 1e8)).toBeLessThan(1e3);
    const doubled = judgeWithSmallerSteps(elementLine((v) => 1 / v, x, -2 / (x * x)).line());
    expect(doubled.verdict).toBe("disagrees");
    expect(doubled.factor).toBeLessThan(1);
  });

  it("keeps a kink closer than the smallest step a kink, and gets past one farther away", () => {
    const relu = (v: number) => Math.max(v, 0);
    // At 0 no smaller step is allowed (the relative rule's step at 0 is the step itself).
    expect(judgeWithSmallerSteps(elementLine(relu, 0, 1).line()).verdict).toBe("kink");
    // x = 1e-4 with the kink 1e-12 away: the smallest step, h / 4096 = 1.5e-9, straddles it.
    const shifted = (v: number) => relu(v - (1e-4 - 1e-12));
    const close = judgeWithSmallerSteps(elementLine(shifted, 1e-4, 1).line());
    expect(close.verdict).toBe("kink");
    // The kink of relu at x = 1e-9 is 1e-9 away: the smallest step (3.6e-13) leaves it outside
    // its samples, where the slope is known.
    expect(judgeWithSmallerSteps(elementLine(relu, 1e-9, 1).line()).verdict).toBe("agrees");
    expect(judgeWithSmallerSteps(elementLine(relu, 1e-9, 0.5).line()).verdict).toBe("disagrees");
  });

  it("takes log where x - h < 0 at a step within its domain, forgiving the NaN it met", () => {
    const x = 2e-9;
    const correct = elementLine(Math.log, x, 1 / x);
    expect(Number.isNaN(correct.line().minus.value)).toBe(true);
    const judged = judgeWithSmallerSteps(correct.line());
    expect(judged.verdict).toBe("agrees");
    expect(judged.factor * correct.line().h).toBeLessThan(x);
    expect(correct.forgiven()).toBeGreaterThan(0);
    expect(judgeWithSmallerSteps(elementLine(Math.log, x, 2 / x).line()).verdict).toBe("disagrees");
  });

  it("fails a central difference that is not finite only where no smaller step is allowed", () => {
    const nowhere = (v: number) => (v === 2e-9 ? 0 : Number.NaN);
    const left = elementLine(nowhere, 2e-9, 1);
    expect(judgeWithSmallerSteps(left.line()).verdict).toBe("notFinite");
    expect(left.forgiven()).toBeGreaterThan(2);
    // f NaN next to 0.5 (no smaller step: 0.5 is more than 1/16): as before, a failure, and its
    // values are not forgiven (gradcheck names them).
    const ordinary = elementLine((v) => (v === 0.5 ? 0 : Number.NaN), 0.5, 1);
    expect(judgeWithSmallerSteps(ordinary.line()).verdict).toBe("disagrees");
    expect(ordinary.forgiven()).toBe(0);
  });

  it("stops within its allowance, unfinished, never failing for want of evaluations", () => {
    const x = 1e-4;
    const doubled = elementLine((v) => 1 / v, x, -2 / (x * x)).line();
    const short = judgeWithSmallerSteps({ ...doubled, allowance: 6 });
    expect(short.verdict).toBe("kink");
    expect(short.unfinished).toBe(true);
    expect(short.evaluations).toBeLessThanOrEqual(6);
    const full = judgeWithSmallerSteps(doubled);
    expect(full.unfinished).toBe(false);
    expect(full.verdict).toBe("disagrees");
  });

  it("does not trust a smaller step that looks smooth only as two kinks' trace falls below rounding", () => {
    // softmax(relu(X W)) of the near-kink test, seed 936: moving X[4, 9] moves row 4 of X W,
    // whose entries 9 and 10 cross ReLU's kink 1.8e-8 and 1.2e-7 away, on opposite sides. At
    // h / 16 both lie inside the middle samples and nearly cancel: the samples look smooth, and
    // the central difference is off by 4 tolerances; the fine look there is all rounding. It
    // failed this correct gradient before the roughness had to shrink as curvature's does.
    const c = nearKinkNetwork(936, { rows: 12, inner: 16, cols: 12 });
    const [X, W] = c.inputs as Tensor[];
    const downstream = new Tensor(new Float64Array([0.7]), []);
    const j = 4 * 16 + 9;
    const x = X!.data[j]!;
    expect(Math.abs(x)).toBeLessThan(1 / 16);
    const row = matmul(X!, W!).data.slice(4 * 12, 5 * 12);
    expect(Math.abs(row[9]!)).toBeLessThan(1e-7);
    expect(Math.abs(row[10]!)).toBeLessThan(1e-7);
    const h = stepFor(x, RS);
    const base = sampleOf(c.f(X!, W!), downstream);
    const at = (t: number): Sample => {
      if (t === 0) return base;
      const moved = X!.data.slice();
      moved[j] = x + t * h;
      return sampleOf(c.f(new Tensor(moved, X!.shape), W!), downstream);
    };
    const analytic = (c.gradients(downstream, [X!, W!])[0] as Tensor).data[j]!;
    const factors = [1, ...smallerSteps(h, stepFor(x, RS, "relative"), NO_ROUNDING_LIMIT)];
    expect(factors).toEqual([1, 1 / 16]);
    const smaller = SAMPLE_OFFSETS.map((t) => at(t / 16));
    const tolerance = 1e-6 + 1e-5 * Math.abs(analytic);
    const there = judgeLine({
      samples: smaller.map((s) => s.value),
      scales: smaller.map((s) => s.scale),
      h: h / 16,
      analytic,
      tolerance,
    });
    expect(there).toMatchObject({ smooth: true, verdict: "disagrees" });
    const judged = judgeWithSmallerSteps({
      at,
      h,
      analytic,
      tolerance: (n) => 1e-6 + 1e-5 * Math.abs(n),
      agreesWithinRounding: false,
      factors,
      from: 0,
      plus: at(1),
      minus: at(-1),
    });
    expect(judged.verdict).toBe("kink");
  });
});
