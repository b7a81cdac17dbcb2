/**
 * Benchmark 4: gradient-check cost against the number of input elements. gradcheck on
 * f(x) = x * x (element-wise, the kit's mul) in "directional" and "full" mode: forward
 * evaluations (report.evaluations) and time per gradcheck call.
 */
import { gradcheck } from "../checks/gradcheck.js";
import { mul, Rng, type Tensor } from "../reference/tensor/index.js";
import type { BenchOptions, Row } from "./common.js";
import { formatMs, formatSpreadMs, logLogSlope, type Summary, timeSync } from "./stats.js";

export type GradcheckMode = "directional" | "full";

export interface GradcheckCostPoint {
  n: number;
  mode: GradcheckMode;
  /** Forward evaluations of f in one gradcheck call. */
  evaluations: number;
  passed: boolean;
  /** Milliseconds per gradcheck call. */
  time: Summary;
  msPerEvaluation: number;
}

export interface GradcheckCostResult {
  function: string;
  sizes: number[];
  points: GradcheckCostPoint[];
  /** Directional evaluations are the same at every n. */
  directionalFlat: boolean;
  /** Full evaluations are exactly 2n + 1 at every n. */
  fullIs2nPlus1: boolean;
  /** Slopes of log(cost) against log(n): 0 flat, 1 linear, 2 quadratic. */
  slopes: {
    directionalEvaluations: number;
    fullEvaluations: number;
    directionalTime: number;
    fullTime: number;
  };
}

export interface GradcheckCostOptions {
  sizes: number[];
  samples: number;
  minSampleMs: number;
  /** Sampling time per point before it stops taking more samples. */
  budgetMs: number;
}

export function gradcheckCostOptions(options: BenchOptions): GradcheckCostOptions {
  return options.quick
    ? { sizes: [10, 100, 1000, 10000], samples: 2, minSampleMs: 5, budgetMs: 300 }
    : { sizes: [10, 100, 1000, 10000], samples: 5, minSampleMs: 20, budgetMs: 2500 };
}

const square = (x: Tensor) => mul(x, x);
const squareGradient = (downstream: Tensor, [x]: Tensor[]) => [mul(downstream, mul(x!, 2))];

export function runGradcheckCost(options: GradcheckCostOptions): GradcheckCostResult {
  const points: GradcheckCostPoint[] = [];
  for (const n of options.sizes) {
    const x = new Rng(`bench:${n}`).randn([n]);
    for (const mode of ["directional", "full"] as const) {
      const call = () => gradcheck(square, squareGradient, [x], { mode, seed: 1 });
      // The counted call doubles as the JIT warm-up of the timing.
      const report = call();
      const time = timeSync(call, {
        samples: options.samples,
        minSampleMs: options.minSampleMs,
        budgetMs: options.budgetMs,
        warmup: 0,
      });
      points.push({
        n,
        mode,
        evaluations: report.evaluations,
        passed: report.passed,
        time,
        msPerEvaluation: time.median / report.evaluations,
      });
    }
  }
  const of = (mode: GradcheckMode) => points.filter((p) => p.mode === mode);
  const directional = of("directional");
  const full = of("full");
  const ns = options.sizes;
  return {
    function: "f(x) = x * x element-wise (kit mul), gradient 2 x downstream; input randn([n])",
    sizes: ns,
    points,
    directionalFlat: directional.every((p) => p.evaluations === directional[0]!.evaluations),
    fullIs2nPlus1: full.every((p) => p.evaluations === 2 * p.n + 1),
    slopes: {
      directionalEvaluations: logLogSlope(
        ns,
        directional.map((p) => p.evaluations),
      ),
      fullEvaluations: logLogSlope(
        ns,
        full.map((p) => p.evaluations),
      ),
      directionalTime: logLogSlope(
        ns,
        directional.map((p) => p.time.median),
      ),
      fullTime: logLogSlope(
        ns,
        full.map((p) => p.time.median),
      ),
    },
  };
}

export function gradcheckCostRows(result: GradcheckCostResult): Row[] {
  const bench = "4";
  const rows: Row[] = result.points.map((p) => ({
    bench,
    figure: `gradcheck n=${p.n} ${p.mode}: ${p.evaluations} evals, ${formatMs(p.msPerEvaluation)}/eval`,
    value: formatMs(p.time.median),
    spread: formatSpreadMs(p.time),
    goal: "",
    verdict: p.passed ? "info" : "gradcheck FAILED",
  }));
  const evals = (mode: GradcheckMode) =>
    result.points
      .filter((p) => p.mode === mode)
      .map((p) => p.evaluations)
      .join(", ");
  const slope = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "-");
  rows.push(
    {
      bench,
      figure: `directional evaluations at n=${result.sizes.join(", ")}`,
      value: evals("directional"),
      spread: `slope ${slope(result.slopes.directionalEvaluations)}`,
      goal: "flat",
      verdict: result.directionalFlat ? "met" : "NOT MET",
    },
    {
      bench,
      figure: "full evaluations (2n+1 expected)",
      value: evals("full"),
      spread: `slope ${slope(result.slopes.fullEvaluations)}`,
      goal: "linear",
      verdict: result.fullIs2nPlus1 ? "met" : "NOT MET",
    },
    {
      bench,
      figure: "time growth, log-log slope vs n (directional / full)",
      value: `${slope(result.slopes.directionalTime)} / ${slope(result.slopes.fullTime)}`,
      spread: "",
      goal: "",
      verdict: "info (each eval of f is O(n))",
    },
  );
  return rows;
}
