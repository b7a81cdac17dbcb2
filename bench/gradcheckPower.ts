/**
 * Benchmark 6: what gradcheck's default (directional) mode catches and what it wrongly blames.
 * Detection: one element of a correct gradient moved by 1e-3 x the gradient's RMS (a random
 * element, a random sign), for f(x) = x * x element-wise and for the scalar f(x) = sum(exp(x))
 * (its gradient scales with a random scalar downstream, so the tolerance's atol matters), at
 * n = 10..10000 input elements. False failures: the same gradients left correct, and the correct
 * gradients of <D, softmax(relu(X W))> with entries of X W within 1e-7 of ReLU's kink (the
 * checks' own catalogue case). Evaluations of f per call, passing and failing.
 */
import { type GradientFunction, gradcheck } from "../checks/gradcheck.js";
import type { TensorFunction } from "../checks/internal/perturb.js";
import { mul, Rng, Tensor } from "../reference/tensor/index.js";
import { nearKinkNetwork } from "../testing/gradcheckCatalogue.js";
import type { BenchOptions, Row } from "./common.js";

export interface GradcheckPowerOptions {
  sizes: number[];
  /** Seeds per size for detection (the same seeds for the correct gradients). */
  seeds: (n: number) => number;
  /** Seeds of the near-kink network at 96 and at 384 entries of X W. */
  kinkSeeds: number;
}

export function gradcheckPowerOptions(options: BenchOptions): GradcheckPowerOptions {
  return options.quick
    ? { sizes: [10, 100, 1000], seeds: (n) => (n >= 1000 ? 10 : 30), kinkSeeds: 10 }
    : {
        sizes: [10, 100, 1000, 10000],
        // A caught error at n = 10000 costs the 2n evaluations of the per-element explanation.
        seeds: (n) => (n >= 10000 ? 10 : n >= 1000 ? 100 : 200),
        kinkSeeds: 100,
      };
}

export interface PowerPoint {
  function: string;
  n: number;
  seeds: number;
  /** Calls that failed with the planted error. */
  caught: number;
  /** Calls that failed with the gradient left correct. */
  falseFailures: number;
  /** Mean evaluations of f per call: correct gradient, planted error. */
  evaluationsPassing: number;
  evaluationsFailing: number;
  /** Mean milliseconds per call with the correct gradient. */
  msPassing: number;
}

export interface KinkPoint {
  entries: number;
  seeds: number;
  failed: number;
  inconclusive: number;
  passed: number;
  evaluations: number;
}

export interface GradcheckPowerResult {
  error: string;
  points: PowerPoint[];
  kinks: KinkPoint[];
}

interface Subject {
  name: string;
  make: (n: number, rng: Rng) => { f: TensorFunction; gradients: GradientFunction; x: Tensor };
}

const SUBJECTS: Subject[] = [
  {
    name: "x * x",
    make: (n, rng) => ({
      f: (x) => mul(x!, x!),
      gradients: (g, [x]) => [mul(g, mul(x!, 2))],
      x: rng.randn([n]),
    }),
  },
  {
    name: "sum(exp(x))",
    make: (n, rng) => ({
      f: (x) => {
        let total = 0;
        for (const v of x!.data) total += Math.exp(v);
        return new Tensor(new Float64Array([total]), []);
      },
      gradients: (g, [x]) => [
        new Tensor(
          x!.data.map((v) => g.item() * Math.exp(v)),
          x!.shape,
        ),
      ],
      x: rng.randn([n]),
    }),
  },
];

/** The gradient with one element moved by `relative` x its RMS. */
function planted(gradients: GradientFunction, rng: Rng, relative: number): GradientFunction {
  const sign = rng.uniform() < 0.5 ? -1 : 1;
  const pick = rng.uniform();
  return (g, inputs) => {
    const out = gradients(g, inputs) as Tensor[];
    const data = out[0]!.data;
    let squares = 0;
    for (const v of data) squares += v * v;
    const at = Math.floor(pick * data.length);
    data[at] = data[at]! + sign * relative * Math.sqrt(squares / data.length);
    return out;
  };
}

export function runGradcheckPower(options: GradcheckPowerOptions): GradcheckPowerResult {
  const points: PowerPoint[] = [];
  for (const subject of SUBJECTS) {
    for (const n of options.sizes) {
      const seeds = options.seeds(n);
      const point: PowerPoint = {
        function: subject.name,
        n,
        seeds,
        caught: 0,
        falseFailures: 0,
        evaluationsPassing: 0,
        evaluationsFailing: 0,
        msPassing: 0,
      };
      for (let seed = 0; seed < seeds; seed++) {
        const rng = new Rng(`bench power:${subject.name}:${n}:${seed}`);
        const { f, gradients, x } = subject.make(n, rng);
        const t0 = performance.now();
        const correct = gradcheck(f, gradients, [x], { seed });
        point.msPassing += performance.now() - t0;
        if (correct.status === "failed") point.falseFailures++;
        point.evaluationsPassing += correct.evaluations;
        const wrong = gradcheck(f, planted(gradients, rng, 1e-3), [x], { seed });
        if (wrong.status === "failed") point.caught++;
        point.evaluationsFailing += wrong.evaluations;
      }
      point.evaluationsPassing /= seeds;
      point.evaluationsFailing /= seeds;
      point.msPassing /= seeds;
      points.push(point);
    }
  }
  const kinks: KinkPoint[] = [];
  for (const size of [
    { rows: 8, inner: 6, cols: 12 },
    { rows: 16, inner: 8, cols: 24 },
  ]) {
    const point: KinkPoint = {
      entries: size.rows * size.cols,
      seeds: options.kinkSeeds,
      failed: 0,
      inconclusive: 0,
      passed: 0,
      evaluations: 0,
    };
    for (let seed = 0; seed < options.kinkSeeds; seed++) {
      const c = nearKinkNetwork(seed, size);
      const report = gradcheck(c.f, c.gradients, c.inputs, { seed });
      point[report.status]++;
      point.evaluations += report.evaluations / options.kinkSeeds;
    }
    kinks.push(point);
  }
  return { error: "one element off by 1e-3 x RMS(gradient)", points, kinks };
}

export function gradcheckPowerRows(result: GradcheckPowerResult): Row[] {
  const bench = "6";
  const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
  const rows: Row[] = [];
  for (const name of new Set(result.points.map((p) => p.function))) {
    const points = result.points.filter((p) => p.function === name);
    const met = points.every((p) => p.caught >= 0.99 * p.seeds);
    rows.push({
      bench,
      figure: `${name}: ${result.error} caught, n=${points.map((p) => p.n).join(", ")}`,
      value: points.map((p) => percent(p.caught, p.seeds)).join(", "),
      spread: `seeds ${points.map((p) => p.seeds).join(", ")}`,
      goal: ">= 99% at every n",
      verdict: met ? "met" : "NOT MET",
    });
    rows.push({
      bench,
      figure: `${name}: evaluations per call, correct / with the error`,
      value: points
        .map((p) => `${p.evaluationsPassing.toFixed(0)} / ${p.evaluationsFailing.toFixed(0)}`)
        .join(", "),
      spread: `ms per correct call ${points.map((p) => p.msPassing.toFixed(2)).join(", ")}`,
      goal: "",
      verdict: "info",
    });
  }
  const falseFailures =
    result.points.reduce((sum, p) => sum + p.falseFailures, 0) +
    result.kinks.reduce((sum, k) => sum + k.failed, 0);
  const calls =
    result.points.reduce((sum, p) => sum + p.seeds, 0) +
    result.kinks.reduce((sum, k) => sum + k.seeds, 0);
  rows.push({
    bench,
    figure: `correct gradients failed (the above, and softmax(relu(X W)) within 1e-7 of the kink at ${result.kinks.map((k) => k.entries).join(" and ")} entries: ${result.kinks.map((k) => `${k.inconclusive} inconclusive, ${k.evaluations.toFixed(0)} evals`).join("; ")})`,
    value: `${falseFailures} of ${calls}`,
    spread: "",
    goal: "0",
    verdict: falseFailures === 0 ? "met" : "NOT MET",
  });
  return rows;
}
