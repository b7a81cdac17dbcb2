// A smoke test of the cheap benchmark pieces, in-process and tiny. It checks the shape of the
// results and the evaluation counts of gradcheck, never times.
import { beforeAll, describe, expect, test } from "vitest";
import { matmul } from "../reference/tensor/index.js";
import { drawNetwork, KINK_MARGIN, networkSize } from "../testing/softmaxReluNetwork.js";
import { renderTable } from "./common.js";
import { type GradcheckCostResult, gradcheckCostRows, runGradcheckCost } from "./gradcheckCost.js";
import { gradcheckPowerRows, runGradcheckPower } from "./gradcheckPower.js";
import {
  type GradcheckVsTorchResult,
  gradcheckVsTorchOptions,
  gradcheckVsTorchRows,
  runGradcheckVsTorch,
  type VsTorchPoint,
} from "./gradcheckVsTorch.js";
import { type KernelsResult, kernelCases, kernelsRows, runKernels } from "./kernels.js";
import { logLogSlope, pairedRatios, summarize, timeSync } from "./stats.js";
import { PYTHON_CANDIDATES } from "./torch/findTorchPython.js";
import { runGradmarkSide } from "./torch/runGradmarkSide.js";
import type { Tally } from "./torch/Tally.js";
import {
  gradmarkScreens,
  gradmarkVerdictShown,
  vitestRuns,
  vitestVerdictShown,
} from "./watch/parseOutput.js";
import { stripAnsi } from "./watch/watcherProcess.js";
import {
  type WatcherSide,
  type WatchVsVitestResult,
  watchVsVitestOptions,
  watchVsVitestRows,
} from "./watchVsVitest.js";

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
      // 1 at the point and 2 probes of 2 evaluations (default probes: 2).
      expect(p.evaluationsPassing).toBe(5);
      // A failing check stays within torch's slow mode (2n + 1), 21 at least (issue 17).
      expect(p.evaluationsFailing).toBeGreaterThan(5);
      expect(p.evaluationsFailing).toBeLessThanOrEqual(Math.max(2 * p.n + 1, 21));
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

describe("gradcheck vs torch", () => {
  test("options: five sizes; 100 seeds (20 at 6144) in full, far fewer with --quick", () => {
    const full = gradcheckVsTorchOptions({ quick: false });
    const quick = gradcheckVsTorchOptions({ quick: true });
    const sizes = [18, 96, 384, 1536, 6144];
    expect(full.shapes.map(networkSize)).toEqual(sizes);
    expect(quick.shapes.map(networkSize)).toEqual(sizes);
    expect(sizes.map(full.seeds)).toEqual([100, 100, 100, 100, 20]);
    for (const n of sizes) expect(quick.seeds(n)).toBeLessThanOrEqual(full.seeds(n) / 10);
    expect(full.pythons).toBe(PYTHON_CANDIDATES);
    expect(PYTHON_CANDIDATES.at(-1)).toBe("python3");
    expect(full.timeLimitMs(6144, 20)).toBeGreaterThan(full.timeLimitMs(18, 20));
  });

  test("without an interpreter that imports torch the row is skipped, with how to get it", async () => {
    const options = gradcheckVsTorchOptions({ quick: true });
    const result = await runGradcheckVsTorch({
      ...options,
      pythons: ["gradmark-bench-no-such-python"],
    });
    expect(result.points).toEqual([]);
    expect(result.torch.available).toBe(false);
    const rows = gradcheckVsTorchRows(result);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.bench).toBe("7");
    // "not found", or EACCES where a folder on PATH cannot be searched (a non-root user).
    expect(rows[0]!.verdict).toMatch(
      /^skipped: no Python here imports torch \(gradmark-bench-no-such-python: (not found|.*EACCES)\)/,
    );
    expect(rows[0]!.verdict).toContain("apt-get install python3-torch");
  });

  test("rows from a small fake result: ratios, evaluations, detection and false failures", () => {
    const tally = (failed: number, evaluations: number, ms: number, inconclusive = 0): Tally => ({
      calls: 10,
      failed,
      inconclusive,
      errors: 0,
      evaluations,
      ms,
    });
    const point = (n: number, slow: number): VsTorchPoint => ({
      n,
      shape: { batch: 3, inner: 3, classes: 3 },
      seeds: 10,
      tallies: {
        correct: {
          gradmarkDefault: tally(0, 13, 0.5),
          torchFast: tally(0, 6, 1.5),
          torchSlow: tally(0, slow, 2),
        },
        "element1e-3": {
          gradmarkDefault: tally(10, 70, 1),
          gradmarkFull: tally(9, 43, 1),
          torchFast: tally(2, 11, 1),
          torchSlow: tally(6, slow - 1, 1),
          pa1: tally(10, 19, 1),
        },
        nearKink: {
          gradmarkDefault: tally(0, 120, 1, 10),
          gradmarkFull: tally(0, 60, 1, 10),
          torchFast: tally(10, 41, 1),
          torchSlow: tally(10, 37, 1),
          pa1: tally(1, 19, 1),
        },
      },
    });
    const result: GradcheckVsTorchResult = {
      torch: {
        available: true,
        interpreter: "python3",
        python: "3.11.2",
        torch: "1.13.0",
        numpy: "1.24.2",
        threads: 1,
        selfCheck: 0,
        errors: [],
      },
      points: [point(18, 38), point(96, 194)],
    };
    const rows = gradcheckVsTorchRows(result);
    expect(rows.every((r) => r.bench === "7" && r.verdict === "info")).toBe(true);
    const find = (words: string) => rows.find((r) => r.figure.includes(words))!;
    expect(find("torch fast_mode=True / gradmark default").value).toBe("3.0x, 3.0x");
    expect(find("torch fast_mode=False / gradmark default").value).toBe("4.0x, 4.0x");
    expect(find("correct gradient: gradmark default / torch fast / torch slow").value).toBe(
      "13 / 6 / 38, 13 / 6 / 194",
    );
    expect(find("wrong gradient").value).toBe("70 / 37, 70 / 193");
    expect(find("1e-3 x RMS: gradmark full").value).toBe("90%, 90%");
    expect(find("1e-3 x RMS: torch fast_mode=True").value).toBe("20%, 20%");
    // Cases missing from the result show as "-", not as 0%.
    expect(find("leaking 1e-3 below 0: PA1-style numpy").value).toBe("-, -");
    const kink = find("of the kink, failed: gradmark default");
    expect(kink.value).toBe("0%, 0%");
    expect(kink.spread).toBe("inconclusive 100%, 100%");
    expect(find("of the kink, failed: PA1-style numpy").value).toBe("10%, 10%");
    expect(rows.at(-1)!.figure).toContain("torch 1.13.0");
    expect(rows.at(-1)!.spread).toBe("calls that threw: gradmark 0, torch/numpy 0");
    expect(renderTable(rows)).toContain("torch fast_mode=False");
  });

  test("gradmark's side: the correct gradient passes, a planted element is caught in full mode", () => {
    const shape = { batch: 3, inner: 3, classes: 3 };
    const tallies = runGradmarkSide(shape, 2);
    expect(tallies.correct?.gradmarkDefault).toMatchObject({ calls: 2, failed: 0, errors: 0 });
    expect(tallies.correct?.gradmarkDefault?.evaluations).toBeLessThan(2 * 18 + 1);
    expect(tallies["element1e-3"]?.gradmarkFull).toMatchObject({ calls: 2, failed: 2 });
    expect(tallies.leaky?.gradmarkFull).toMatchObject({ calls: 2, failed: 2 });
    for (const tool of ["gradmarkDefault", "gradmarkFull"] as const) {
      expect(tallies.nearKink?.[tool]).toMatchObject({ calls: 2, failed: 0, errors: 0 });
    }
    const near = drawNetwork(shape, 0, "nearKink");
    const z = matmul(near.x, near.w).data;
    expect(Math.min(...z.map(Math.abs))).toBeLessThan(KINK_MARGIN);
  });
});

describe("watch vs vitest (output parsing and rows only; no watcher is started)", () => {
  const screen = (
    five: string,
    status: string,
  ) => `gradmark check --watch · Automatic differentiation (autodiff) · seed 1 (fixed by --seed)

  ✔ 1  Contractions and einsum        ██████████    10/10  12 passed
${five}
    Total                             ██████████  100/100  138 passed

 DONE  ${status}
Watching src/ for changes · Ctrl-C to quit
`;
  const start = screen(
    "  ✔ 5  Differentiable einsum          ██████████    10/10  6 passed  ← just graded",
    "graded every problem at start · 0.97 s · 07:20:28",
  );
  const failed = screen(
    "  ✘ 5  Differentiable einsum          ██░░░░░░░░     2/10  2 passed · 4 failed  ← just graded",
    "graded problem 5, Differentiable einsum, after src/einsum.ts changed · 0.30 s · 07:20:39",
  );

  test("options: fewer saves with --quick, every wait bounded", () => {
    const full = watchVsVitestOptions({ quick: false });
    const quick = watchVsVitestOptions({ quick: true });
    expect(full.edits).toBe(10);
    expect(quick.edits).toBe(3);
    expect(quick.warmupEdits).toBe(0);
    for (const o of [full, quick]) {
      expect(o.startTimeoutMs).toBeGreaterThan(0);
      expect(o.editTimeoutMs).toBeGreaterThan(0);
    }
  });

  test("gradmark screens: complete ones only, with each problem's verdict", () => {
    const half = failed.slice(0, failed.indexOf(" DONE"));
    const screens = gradmarkScreens(`${start}\n${half}`);
    expect(screens).toHaveLength(1);
    expect(screens[0]!.problems.get("5")).toMatchObject({ passed: true, justGraded: true });
    const both = gradmarkScreens(`${start}\n${failed}`);
    expect(both).toHaveLength(2);
    expect(both[1]!.problems.get("5")).toMatchObject({ passed: false, justGraded: true });
    expect(both[1]!.problems.get("1")).toMatchObject({ passed: true, justGraded: false });
    expect(gradmarkVerdictShown(`${start}\n${failed}`, 1, "5", "src/einsum.ts", false)).toBe(true);
    // The start screen is before `before`; the wrong verdict or file does not count.
    expect(gradmarkVerdictShown(`${start}\n${failed}`, 1, "5", "src/einsum.ts", true)).toBe(false);
    expect(gradmarkVerdictShown(`${start}\n${failed}`, 1, "5", "src/layers.ts", false)).toBe(false);
    expect(gradmarkVerdictShown(`${start}\n${half}`, 1, "5", "src/einsum.ts", false)).toBe(false);
  });

  test("vitest runs: the Tests summary lines, colours stripped", () => {
    const out = stripAnsi(
      "\n DEV  v4\n\n Test Files  1 passed (1)\n      Tests  1 passed (1)\n\u001bc\u001b[3J RERUN  value.ts x1\n Test Files  1 failed (1)\n      \u001b[31mTests\u001b[39m  1 failed (1)\n",
    );
    expect(vitestRuns(out)).toEqual([
      { summary: "1 passed (1)", passed: true },
      { summary: "1 failed (1)", passed: false },
    ]);
    expect(vitestVerdictShown(out, 1, false)).toBe(true);
    expect(vitestVerdictShown(out, 1, true)).toBe(false);
  });

  test("rows: medians, the ratio and both goals", () => {
    const side = (name: string, samplesMs: number[]): WatcherSide => ({
      name,
      command: "",
      firstRunMs: 1000,
      samplesMs,
      summary: summarize(samplesMs),
      toFailed: summarize([samplesMs[0]!, samplesMs[2]!]),
      toPassed: summarize([samplesMs[1]!]),
    });
    const fake = (g: number[], v: number[]): WatchVsVitestResult => ({
      edits: 3,
      warmupEdits: 0,
      goalMs: 500,
      gradmark: side("gradmark check --watch", g),
      vitest: side("vitest --watch", v),
      ratio: pairedRatios(g, v),
    });
    const fast = watchVsVitestRows(fake([200, 210, 220], [300, 300, 300]));
    expect(fast.every((r) => r.bench === "8")).toBe(true);
    expect(fast[0]).toMatchObject({ value: "210 ms", spread: "200 ms..220 ms", verdict: "met" });
    expect(fast[1]!.verdict).toBe("info");
    expect(fast[2]).toMatchObject({ value: "0.70x", verdict: "met" });
    const slow = watchVsVitestRows(fake([600, 700, 800], [300, 350, 400]));
    expect(slow[0]!.verdict).toBe("NOT MET (700 ms)");
    expect(slow[2]!.verdict).toBe("NOT MET (2.00x)");
    expect(renderTable(slow)).toContain("gradmark / vitest");
  });
});
