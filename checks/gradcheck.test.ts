import { describe, expect, it } from "vitest";
import { exp, matmul, mul, Rng, sum, tensor } from "../reference/tensor/index.js";
import { correctCases, nearKinkNetwork, plantedBugs } from "../testing/gradcheckCatalogue.js";
import {
  drawNetwork,
  networkFunction,
  networkGradients,
  pickElement,
  plantElement,
} from "../testing/softmaxReluNetwork.js";
import { gradcheck } from "./gradcheck.js";

describe("gradcheck", () => {
  it("catches every planted bug with its hint, for 200 seeds", () => {
    const misses: string[] = [];
    for (let seed = 0; seed < 200; seed++) {
      for (const bug of plantedBugs(seed)) {
        const report = gradcheck(bug.f, bug.gradients, bug.inputs, {
          seed,
          context: { batchSize: bug.batchSize },
        });
        const said = bug.says === undefined || report.hint?.message.includes(bug.says);
        if (report.status !== "failed" || report.hint?.kind !== bug.hint || !said) {
          misses.push(
            `seed ${seed}, ${bug.name}: ${report.status}, hint ${report.hint?.kind} (${report.message})`,
          );
        }
      }
    }
    expect(misses).toEqual([]);
  });

  it("fails gradients swapped between two scalars (or one-element inputs), for 200 seeds", () => {
    // Probed together, two scalars once moved by the same ±h: the swapped gradients of x y
    // agreed along every probe whose two signs matched (7 seeds in 50 passed).
    const passed: string[] = [];
    for (let seed = 0; seed < 200; seed++) {
      const rng = new Rng(`swapped ${seed}`);
      for (const shape of [[], [1]]) {
        const x = rng.randn(shape);
        const y = rng.randn(shape);
        const report = gradcheck(
          (a, b) => mul(a!, b!),
          (g, [a, b]) => [mul(g, a!), mul(g, b!)],
          [x, y],
          { seed },
        );
        if (report.status !== "failed")
          passed.push(`seed ${seed}, shape [${shape}]: ${report.status}`);
      }
    }
    expect(passed).toEqual([]);
  });

  it("fails a doubled gradient of exp near 700, where most elements fall within the rounding", () => {
    // <downstream, exp(x)> sums terms up to e^700, so the central difference of an element
    // near e^600 is within its own rounding, and wrong or not it is excused. The check goes
    // past 2n + 1 evaluations until an element fails, rather than end inconclusive.
    const notFailed: string[] = [];
    for (let seed = 0; seed < 50; seed++) {
      const rng = new Rng(`exp near 700 ${seed}`);
      const x = tensor([...rng.rand([5]).data].map((u) => 600 + 100 * u));
      const report = gradcheck(
        (a) => exp(a!),
        (g, [a]) => [mul(mul(g, exp(a!)), 2)],
        [x],
        { seed },
      );
      if (report.status !== "failed") notFailed.push(`seed ${seed}: ${report.status}`);
    }
    expect(notFailed).toEqual([]);
  });

  it("never rejects a correct gradient, near kinks included, for 1000 seeds", () => {
    const rejected: string[] = [];
    const counts = { passed: 0, inconclusive: 0 };
    for (let seed = 0; seed < 1000; seed++) {
      for (const c of correctCases(seed)) {
        const report = gradcheck(c.f, c.gradients, c.inputs, { seed });
        if (report.status === "failed") rejected.push(`seed ${seed}, ${c.name}: ${report.message}`);
        else counts[report.status]++;
      }
    }
    expect(rejected).toEqual([]);
    // Inputs next to kinks do occur and are reported as inconclusive, not as failures.
    expect(counts.inconclusive).toBeGreaterThan(0);
    expect(counts.passed).toBeGreaterThan(counts.inconclusive);
  });

  it("never fails a correct gradient of softmax(relu(X W)) with X W within 1e-7 of the kink", () => {
    // Issue 17: the kink probe and the comparison used to disagree about how large an error a
    // kink can cause, and errors in between failed correct gradients (about 1.5% of seeds at
    // 8 entries of X W, 22% at 96, up to 81% at 384). 1000 seeds at the small size, fewer at
    // the sizes.
    const sizes = [
      { size: { rows: 2, inner: 3, cols: 4 }, seeds: 1000 },
      { size: { rows: 8, inner: 6, cols: 12 }, seeds: 100 },
      { size: { rows: 16, inner: 8, cols: 24 }, seeds: 30 },
    ];
    const rejected: string[] = [];
    let nearKink = 0;
    for (const { size, seeds } of sizes) {
      for (let seed = 0; seed < seeds; seed++) {
        const c = nearKinkNetwork(seed, size);
        nearKink += c.nearKink;
        const report = gradcheck(c.f, c.gradients, c.inputs, { seed, names: ["X", "W"] });
        if (report.status === "failed") {
          rejected.push(`${size.rows * size.cols} entries, seed ${seed}: ${report.message}`);
        }
      }
    }
    expect(nearKink).toBeGreaterThan(1500);
    expect(rejected).toEqual([]);
  }, 30_000);

  it("shows the element that decided a failure next to a kink, and names the ones left out", () => {
    // A wrong element of W's gradient in a column with no entry of X W near the kink, in a
    // network where other columns straddle it: the message leads with the wrong element, counts
    // only the elements that count, and says how many were left out next to a kink. Within
    // 2n + 1 evaluations (issue 17) some elements are also left out as not tested for a kink
    // or not compared, and named as such.
    const size = { rows: 8, inner: 6, cols: 12 };
    for (let seed = 0; seed < 5; seed++) {
      let wrong = -1;
      const c = nearKinkNetwork(seed, size, (dW, nearKink) => {
        const columns = new Set(nearKink.map((at) => at % size.cols));
        const free = [...Array(size.cols).keys()].find((k) => !columns.has(k))!;
        wrong = 2 * size.cols + free;
        dW[wrong] = dW[wrong]! + 1e-3;
      });
      const report = gradcheck(c.f, c.gradients, c.inputs, { seed, names: ["X", "W"] });
      const weight = report.inputs[1]!;
      expect(report.status).toBe("failed");
      expect(weight.status).toBe("failed");
      // The kink elements are judged, or left out untested once the wrong element failed W.
      expect(weight.kinks.length + weight.untested.length).toBeGreaterThan(0);
      expect([...weight.kinks, ...weight.untested]).not.toContain(wrong);
      expect(weight.comparison?.worst.map((w) => w.index)).toEqual([[2, wrong % size.cols]]);
      // Elements that differ but were not kink-tested once the wrong one failed W count as
      // differing, named as untested, and never lead the worst elements.
      const untested = weight.untested.length;
      const left = weight.kinks.length + weight.imprecise.length + weight.notCompared.length;
      expect(weight.comparison?.excluded).toBe(left);
      expect(report.evaluations).toBeLessThanOrEqual(2 * (48 + 72) + 1);
      expect(weight.message).toContain(
        `gradient of W: ${1 + untested} of ${72 - left} element${72 - left === 1 ? "" : "s"} differ${untested === 0 ? "s" : ""} (`,
      );
      expect(weight.message).toMatch(/\n {2}at \[2, \d+\]: got .* \(error 0\.001\)/);
      expect(weight.message).toMatch(
        /\d+ elements? next to a kink (was|were) left out \(at \[|\d+ of them, at \[.*(was|were) not tested for a kink/,
      );
      // X's gradient is right: at most inconclusive, never failed.
      expect(report.inputs[0]!.status).not.toBe("failed");
    }
  });

  it("finds one element off by 1e-3 of the gradient's RMS among thousands, in directional mode", () => {
    // The first probes' allowance grows with sqrt(n): at n = 10^4 one such element used to pass
    // in every seed. A residual larger than an exact gradient's sends the check to its second
    // stage (blocks of elements), which follows the element down to its own tolerance.
    const missed: string[] = [];
    for (const [n, seeds] of [
      [30, 20],
      [2000, 3],
      [10000, 1],
    ] as const) {
      for (let seed = 0; seed < seeds; seed++) {
        const rng = new Rng(`one wrong element:${n}:${seed}`);
        const x = rng.randn([n]);
        const at = rng.int(n);
        const sign = rng.uniform() < 0.5 ? -1 : 1;
        const report = gradcheck(
          (v) => mul(v!, v!),
          (g, [v]) => {
            const gradient = mul(mul(g, v!), 2);
            let squares = 0;
            for (const value of gradient.data) squares += value * value;
            gradient.data[at] = gradient.data[at]! + sign * 1e-3 * Math.sqrt(squares / n);
            return [gradient];
          },
          [x],
          { seed },
        );
        const worst = report.inputs[0]!.comparison?.worst[0]?.index;
        if (report.status !== "failed" || worst?.[0] !== at) {
          missed.push(`n ${n}, seed ${seed}: ${report.status}, worst ${worst}`);
        }
      }
    }
    expect(missed).toEqual([]);
    // A failure at n = 10^4 explains itself element by element (2n evaluations of f).
  }, 30_000);

  it("uses two evaluations per probe in directional mode, whatever the size", () => {
    const evaluationsFor = (n: number, mode: "directional" | "full") => {
      const rng = new Rng(n);
      const x = rng.randn([n]);
      const report = gradcheck(
        (v) => mul(v!, v!),
        (g, [v]) => [mul(mul(g, v!), 2)],
        [x],
        {
          mode,
          probes: 3,
        },
      );
      expect(report.passed).toBe(true);
      return report.evaluations;
    };
    for (const n of [1, 10, 100, 1000]) {
      expect(evaluationsFor(n, "directional")).toBe(1 + 2 * 3);
      expect(evaluationsFor(n, "full")).toBe(1 + 2 * n);
    }
  });

  it("names the worst elements with both values", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const w = tensor([[1], [2]]);
    const report = gradcheck(
      (a, b) => matmul(a!, b!),
      (g, [a, b]) => {
        const gw = matmul(a!.transpose(), g);
        gw.data[1] += 1;
        return [matmul(g, b!.transpose()), gw];
      },
      [x, w],
      { names: ["X", "W"], downstream: tensor([[1], [1]]) },
    );
    expect(report.status).toBe("failed");
    const weight = report.inputs[1]!;
    expect(weight.comparison?.worst[0]).toMatchObject({ index: [1, 0], actual: 7 });
    expect(weight.comparison?.worst[0]?.expected).toBeCloseTo(6, 6);
    expect(report.message).toContain("gradient of W: 1 of 2 elements differs");
    expect(report.message).toContain("at [1, 0]: got 7, expected 6");
    expect(report.inputs[0]!.status).toBe("passed");
  });

  it("reports an input modified in place", () => {
    const report = gradcheck(
      (a) => sum(a!),
      (g, [a]) => {
        a!.data[0] = 99;
        return [tensor(Array(a!.size).fill(g.item()), a!.shape)];
      },
      [tensor([1, 2, 3])],
    );
    expect(report.status).toBe("failed");
    expect(report.message).toContain("modified in place by the gradient function");
    // And f, the function that writes first here.
    const byF = gradcheck(
      (a) => {
        a!.data[1] = 7;
        return sum(a!);
      },
      (g, [a]) => [tensor(Array(a!.size).fill(g.item()), a!.shape)],
      [tensor([1, 2, 3])],
    );
    expect(byF.status).toBe("failed");
    expect(byF.message).toContain("modified in place by f;");
  });

  it("rejects bad options with a clear message", () => {
    const x = tensor([1, 2]);
    const f = (a: unknown) => a as never;
    expect(() => gradcheck(f, () => [x], [x], { wrt: [3] })).toThrow(/wrt names input 3/);
    expect(() => gradcheck(f, () => [x], [x], { probes: 0 })).toThrow(
      /probes must be a positive integer/,
    );
    expect(() => gradcheck(f, () => [x], [])).toThrow(/non-empty array/);
    expect(() => gradcheck(f, () => [x], [x], { downstream: tensor([1, 2, 3]) })).toThrow(
      /downstream has shape \[3\] but f returns shape \[2\]/,
    );
  });
});

describe("gradcheck's second stage", () => {
  it("holds a single wrong element to the per-element tolerance, as full mode does", () => {
    // <D, softmax(relu(X W))> with n = 96 (bench row 7): in seeds 69 and 86 the element moved by
    // 1e-3 x the RMS is off by 1.3 to 2.5 times atol + rtol |g|. The second stage narrows down
    // to it; judged against its projected allowance (3 times that) it used to pass.
    for (const seed of [69, 86]) {
      const c = drawNetwork({ batch: 6, inner: 8, classes: 6 }, seed, "cases");
      const wrong = networkGradients(c.d, plantElement(c, pickElement(c), 1e-3));
      const f = networkFunction(c.d);
      expect(gradcheck(f, wrong, [c.x, c.w], { seed, mode: "full" }).status).toBe("failed");
      expect(gradcheck(f, wrong, [c.x, c.w], { seed }).status, `seed ${seed}`).toBe("failed");
      // The correct gradient of the same case still passes.
      expect(gradcheck(f, networkGradients(c.d), [c.x, c.w], { seed }).status).toBe("passed");
    }
  });
});

describe("gradcheck against bench row 7's targets (issue 17)", () => {
  const wrongElement = (shape: { batch: number; inner: number; classes: number }, seed: number) => {
    const c = drawNetwork(shape, seed, "cases");
    const pick = pickElement(c);
    const planted = plantElement(c, pick, 1e-3);
    return { c, pick, f: networkFunction(c.d), wrong: networkGradients(c.d, planted) };
  };

  it("follows one wrong element among 6144 when every block of the second stage is inexact", () => {
    // Seeds 2 and 17 of bench row 7 at n = 6144: the element is off by 4 and 26 times its
    // tolerance, but the bend of f made all 12 blocks of its input less than exact, and the
    // second stage gave up where more than 8 blocks were to be halved (it passed). It now
    // halves the most suspicious blocks only.
    const shape = { batch: 48, inner: 64, classes: 48 };
    for (const seed of [2, 17]) {
      const { c, pick, f, wrong } = wrongElement(shape, seed);
      const report = gradcheck(f, wrong, [c.x, c.w], { seed, names: ["X", "W"] });
      const which = pick.at < c.x.size ? 0 : 1;
      const flat = pick.at - which * c.x.size;
      const cols = which === 0 ? shape.inner : shape.classes;
      expect(report.status, `seed ${seed}`).toBe("failed");
      expect(report.inputs[which]!.comparison?.worst[0]?.index).toEqual([
        Math.floor(flat / cols),
        flat % cols,
      ]);
      expect(report.inputs[1 - which]!.status).toBe("passed");
    }
  }, 30_000);

  it("fails a wrong gradient in no more evaluations than torch's slow mode (2n + 1)", () => {
    // n = 18 (X and W 3 x 3): 70 evaluations on average before, against torch's 37. The
    // suspect input is compared per element at once (cheaper than looking for the element),
    // and the swapped-gradients hint no longer pays for the other input's central differences
    // when that input passed.
    const over: string[] = [];
    for (const [shape, seeds] of [
      [{ batch: 3, inner: 3, classes: 3 }, 30],
      [{ batch: 6, inner: 8, classes: 6 }, 5],
    ] as const) {
      const n = shape.batch * shape.inner + shape.inner * shape.classes;
      for (let seed = 0; seed < seeds; seed++) {
        const { c, f, wrong } = wrongElement(shape, seed);
        const report = gradcheck(f, wrong, [c.x, c.w], { seed });
        if (report.status === "failed" && report.evaluations > 2 * n + 1) {
          over.push(`n ${n}, seed ${seed}: ${report.evaluations}`);
        }
      }
    }
    expect(over).toEqual([]);
  });

  it("passes a correct gradient in the same few evaluations at every size", () => {
    // Evaluations of f for the correct gradient of <D, softmax(relu(X W))>: 13, 13, 17, 21 on
    // average at n = 18, 96, 384, 1536 before (3 probes per input, and the second stage where
    // the bend of f or the rounding of a small f made probes inexact). Now 2 joint probes for
    // both inputs at a smaller step, refined where needed: 5 at every size.
    for (const shape of [
      { batch: 3, inner: 3, classes: 3 },
      { batch: 12, inner: 16, classes: 12 },
      { batch: 24, inner: 32, classes: 24 },
    ]) {
      let evaluations = 0;
      for (let seed = 0; seed < 10; seed++) {
        const c = drawNetwork(shape, seed, "cases");
        const run = () =>
          gradcheck(networkFunction(c.d), networkGradients(c.d), [c.x, c.w], { seed });
        const report = run();
        expect(report.status).toBe("passed");
        // Deterministic for a seed.
        expect(run().inputs.map((i) => i.probes)).toEqual(report.inputs.map((i) => i.probes));
        evaluations += report.evaluations;
      }
      expect(evaluations / 10, `${shape.batch}x${shape.inner}x${shape.classes}`).toBeLessThan(6);
    }
  }, 30_000);
});
