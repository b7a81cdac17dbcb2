import { describe, expect, it } from "vitest";
import { matmul, mul, Rng, sum, tensor } from "../reference/tensor/index.js";
import { gradcheck } from "./gradcheck.js";
import { correctCases, plantedBugs } from "./internal/catalogue.js";

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
    expect(report.message).toContain("modified in place");
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
