// A smoke test of the cheap benchmark pieces, in-process and tiny. It checks the shape of the
// results and the evaluation counts of gradcheck, never times.
import { beforeAll, describe, expect, test } from "vitest";
import { renderTable } from "./common.js";
import { type GradcheckCostResult, gradcheckCostRows, runGradcheckCost } from "./gradcheckCost.js";
import { gradcheckPowerRows, runGradcheckPower } from "./gradcheckPower.js";
import { type KernelsResult, kernelCases, kernelsRows, runKernels } from "./kernels.js";
import { logLogSlope, pairedRatios, summarize, timeSync } from "./stats.js";

const tiny = { samples: 1, minSampleMs: 0, budgetMs: 0 };

describe("stats", () => {
  test("summarize gives median, quartiles and range", () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ n: 5, median: 3, min: 1, max: 5, q1: 2, q3: 4 });
    expect(summarize([1, 2]).median).toBe(1.5);
    expect(pairedRatios([2, 6], [1, 2]).median).toBe(2.5);
  });

  test("log-log slope: flat 0, linear 1", () => {
    expect(logLogSlope([10, 100, 1000], [7, 7, 7])).toBeCloseTo(0);
    expect(logLogSlope([10, 100, 1000], [21, 201, 2001])).toBeCloseTo(1, 1);
  });

  test("timeSync returns the samples it was asked for", () => {
    const t = timeSync(() => 1 + 1, { samples: 3, minSampleMs: 0 });
    expect(t.samplesMs).toHaveLength(3);
    expect(t.n).toBe(3);
    expect(t.inner).toBeGreaterThanOrEqual(1);
  });
});

describe("gradcheck cost", () => {
  let result: GradcheckCostResult;
  beforeAll(() => {
    result = runGradcheckCost({ sizes: [10, 100], ...tiny });
  });

  test("directional evaluations are the same at every n; full ones are 2n + 1", () => {
    const directional = result.points.filter((p) => p.mode === "directional");
    const full = result.points.filter((p) => p.mode === "full");
    expect(directional.map((p) => p.n)).toEqual([10, 100]);
    expect(full.map((p) => p.n)).toEqual([10, 100]);
    expect(directional[0]!.evaluations).toBeGreaterThan(0);
    expect(directional[1]!.evaluations).toBe(directional[0]!.evaluations);
    for (const p of full) expect(p.evaluations).toBe(2 * p.n + 1);
    expect(result.directionalFlat).toBe(true);
    expect(result.fullIs2nPlus1).toBe(true);
    expect(result.slopes.directionalEvaluations).toBeCloseTo(0);
  });

  test("every point has a passing check and a time summary", () => {
    for (const p of result.points) {
      expect(p.passed).toBe(true);
      expect(p.time).toMatchObject({
        n: expect.any(Number),
        median: expect.any(Number),
        min: expect.any(Number),
        max: expect.any(Number),
      });
      expect(p.msPerEvaluation).toEqual(expect.any(Number));
    }
    const rows = gradcheckCostRows(result);
    expect(rows.find((r) => r.goal === "flat")?.verdict).toBe("met");
    expect(rows.find((r) => r.goal === "linear")?.verdict).toBe("met");
  });
});

describe("gradcheck power", () => {
  test("catches the planted error, fails no correct gradient, and counts evaluations", () => {
    const result = runGradcheckPower({ sizes: [10, 300], seeds: () => 3, kinkSeeds: 2 });
    expect(result.points.map((p) => [p.function, p.n])).toEqual([
      ["x * x", 10],
      ["x * x", 300],
      ["sum(exp(x))", 10],
      ["sum(exp(x))", 300],
    ]);
    for (const p of result.points) {
      expect(p.caught).toBe(3);
      expect(p.falseFailures).toBe(0);
      expect(p.evaluationsPassing).toBe(7);
      expect(p.evaluationsFailing).toBeGreaterThan(2 * p.n);
    }
    expect(result.kinks.map((k) => [k.entries, k.failed])).toEqual([
      [96, 0],
      [384, 0],
    ]);
    const rows = gradcheckPowerRows(result);
    expect(rows.filter((r) => r.goal !== "").map((r) => r.verdict)).toEqual(["met", "met", "met"]);
  });
});

describe("kernels", () => {
  let result: KernelsResult;
  beforeAll(async () => {
    result = await runKernels({ sizes: [8], rounds: 1, minSampleMs: 0, numpy: false });
  });

  test("one point per kernel, the kit agreeing with the naive loop", () => {
    const kernels = result.points.map((p) => p.kernel);
    expect(kernels).toEqual([
      "matmul",
      "ij,jk->ik",
      "bij,bjk->bik",
      "ijkl,klm->ijm",
      "ii->i",
      "i,j->ij",
    ]);
    for (const p of result.points) {
      expect(p.size).toBe(8);
      expect(p.maxAbsDifference).toBeLessThan(1e-9);
      expect(p.kit.median).toEqual(expect.any(Number));
      expect(p.naive.median).toEqual(expect.any(Number));
      expect(p.kitMs).toHaveLength(1);
      expect(p.kitOverNaive.n).toBe(1);
      expect(p.numpy).toBeNull();
      expect(p.kitOverNumpyEinsum).toBeNull();
    }
    expect(result.numpy.available).toBe(false);
  });

  test("the contraction over two axes does the work of a matrix product", () => {
    for (const s of [8, 32, 64, 128, 256]) {
      const c = kernelCases([s]).find((k) => k.kernel === "ijkl,klm->ijm")!;
      const [a, b] = c.shapes as [number[], number[]];
      expect(a[0]! * a[1]!).toBe(s);
      expect(a[2]! * a[3]!).toBe(s);
      expect(b).toEqual([a[2], a[3], s]);
      expect(c.work).toBe(s ** 3);
    }
  });

  test("rows say numpy was skipped and the table renders", () => {
    const rows = kernelsRows(result);
    expect(rows.at(-1)?.verdict).toMatch(/^skipped/);
    const table = renderTable(rows);
    expect(table.split("\n")[0]).toMatch(/figure/);
    expect(table).toContain("bij,bjk->bik");
  });
});
