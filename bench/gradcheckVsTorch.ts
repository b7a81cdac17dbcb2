/**
 * Benchmark 7 (issue 17): gradmark's gradcheck against torch.autograd.gradcheck on
 * f(X, W) = <D, softmax(relu(X W))>, float64, at n = 18 .. 6144 input elements. Per n and seed:
 * the time and evaluations of a call with the correct gradient (gradmark's default mode, torch's
 * fast and slow modes), evaluations with a wrong one, how often three planted bugs are caught
 * (gradmark default and full, torch fast and slow, a PA1-style numpy check), and how often a
 * correct gradient fails with one entry of X W within 1e-7 of ReLU's kink. torch runs in
 * bench/torch/gradcheck_vs_torch.py, spawned once per n right after gradmark's side of that n;
 * without an importable torch the row is skipped.
 */

import { type NetworkShape, networkSize } from "../testing/softmaxReluNetwork.js";
import type { BenchOptions, Row } from "./common.js";
import { findTorchPython, PYTHON_CANDIDATES } from "./torch/findTorchPython.js";
import { runGradmarkSide } from "./torch/runGradmarkSide.js";
import { runTorchScript, type TorchScriptOutput } from "./torch/runTorchScript.js";
import type { CaseName, Tallies, Tally, ToolName } from "./torch/Tally.js";

/** X is batch x inner, W inner x classes: n = 18, 96, 384, 1536, 6144. */
export const VS_TORCH_SHAPES: readonly NetworkShape[] = [
  { batch: 3, inner: 3, classes: 3 },
  { batch: 6, inner: 8, classes: 6 },
  { batch: 12, inner: 16, classes: 12 },
  { batch: 24, inner: 32, classes: 24 },
  { batch: 48, inner: 64, classes: 48 },
];

export interface GradcheckVsTorchOptions {
  shapes: readonly NetworkShape[];
  /** Seeds at n input elements (every case and tool runs on each). */
  seeds: (n: number) => number;
  /** Interpreters to try for torch, in order. */
  pythons: readonly string[];
  /** The time limit of the script's run at one n. */
  timeLimitMs: (n: number, seeds: number) => number;
}

export function gradcheckVsTorchOptions(options: BenchOptions): GradcheckVsTorchOptions {
  // Generous: 10 ms per seed and input element, about 7x what n = 6144 took here on a
  // 2-core machine at a load average of 10 (a stuck script is still stopped, in the end).
  const timeLimitMs = (n: number, seeds: number) => 60_000 + 10 * n * seeds;
  return options.quick
    ? {
        shapes: VS_TORCH_SHAPES,
        seeds: (n) => (n >= 6144 ? 1 : n >= 1536 ? 2 : n >= 384 ? 4 : 10),
        pythons: PYTHON_CANDIDATES,
        timeLimitMs,
      }
    : {
        shapes: VS_TORCH_SHAPES,
        // At n = 6144 a seed costs about 15 s of full-length checks (both sides): 20 seeds.
        seeds: (n) => (n >= 6144 ? 20 : 100),
        pythons: PYTHON_CANDIDATES,
        timeLimitMs,
      };
}

export interface VsTorchPoint {
  n: number;
  shape: NetworkShape;
  seeds: number;
  /** Both sides' tallies per case and tool. */
  tallies: Tallies;
}

export interface GradcheckVsTorchResult {
  torch:
    | ({ available: true; interpreter: string } & Omit<TorchScriptOutput, "points">)
    | { available: false; note: string };
  points: VsTorchPoint[];
}

/** Per n: gradmark's side, then torch's (one spawn of the script); both tallies merged. */
export async function runGradcheckVsTorch(
  options: GradcheckVsTorchOptions,
): Promise<GradcheckVsTorchResult> {
  const found = findTorchPython(options.pythons);
  if (!found.found) return { torch: { available: false, note: found.note }, points: [] };
  const points: VsTorchPoint[] = [];
  let info: Omit<TorchScriptOutput, "points"> | null = null;
  const errors: string[] = [];
  for (const shape of options.shapes) {
    const n = networkSize(shape);
    const seeds = options.seeds(n);
    const tallies = runGradmarkSide(shape, seeds);
    const output = await runTorchScript(
      found.python,
      [shape],
      [seeds],
      options.timeLimitMs(n, seeds),
    );
    const { points: theirs, ...rest } = output;
    info = rest;
    errors.push(...rest.errors);
    for (const [name, byTool] of Object.entries(theirs[0]?.tallies ?? {})) {
      tallies[name as CaseName] = { ...tallies[name as CaseName], ...byTool };
    }
    points.push({ n, shape, seeds, tallies });
  }
  return {
    torch: { available: true, interpreter: found.python, ...info!, errors: errors.slice(0, 5) },
    points,
  };
}

const TOOLS: Record<ToolName, string> = {
  gradmarkDefault: "gradmark default",
  gradmarkFull: "gradmark full",
  torchFast: "torch fast_mode=True",
  torchSlow: "torch fast_mode=False",
  pa1: "PA1-style numpy",
};

const BUGS: Partial<Record<CaseName, string>> = {
  "element1e-3": "one element off by 1e-3 x RMS",
  "element1e-4": "one element off by 1e-4 x RMS",
  leaky: "ReLU backward leaking 1e-3 below 0",
};

const DETECTING: ToolName[] = ["gradmarkDefault", "gradmarkFull", "torchFast", "torchSlow", "pa1"];

/** The table's rows: speed, evaluations, detection per bug and tool, false failures per tool. */
export function gradcheckVsTorchRows(result: GradcheckVsTorchResult): Row[] {
  if (!result.torch.available) {
    return [
      {
        bench: "7",
        figure: "gradmark gradcheck vs torch.autograd.gradcheck",
        value: "-",
        spread: "",
        goal: "",
        verdict: `skipped: ${result.torch.note}`,
      },
    ];
  }
  const t = result.torch;
  return [
    ...speedRows(result.points),
    ...detectionRows(result.points),
    ...kinkRows(result.points),
    row(
      `torch ${t.torch}, numpy ${t.numpy}, Python ${t.python} (${t.interpreter}), ${t.threads} thread(s); seeds per n ${result.points.map((p) => p.seeds).join(", ")}`,
      "-",
      describeErrors(result.points, t.errors),
    ),
  ];
}

/** Calls that threw instead of answering (counted as failures above), and torch's first one. */
function describeErrors(points: readonly VsTorchPoint[], torchErrors: readonly string[]): string {
  let gradmark = 0;
  let others = 0;
  for (const point of points) {
    for (const byTool of Object.values(point.tallies)) {
      for (const [tool, tally] of Object.entries(byTool ?? {})) {
        if (tool.startsWith("gradmark")) gradmark += tally.errors;
        else others += tally.errors;
      }
    }
  }
  const first = torchErrors[0] ? ` (first: ${torchErrors[0].split("\n")[0]})` : "";
  return `calls that threw: gradmark ${gradmark}, torch/numpy ${others}${first}`;
}

function row(figure: string, value: string, spread: string): Row {
  return { bench: "7", figure, value, spread, goal: "", verdict: "info" };
}

/** A tally of the point, or calls 0 where the tool did not run (a shorter result). */
function tallyOf(point: VsTorchPoint, name: CaseName, tool: ToolName): Tally {
  return (
    point.tallies[name]?.[tool] ?? {
      calls: 0,
      failed: 0,
      inconclusive: 0,
      errors: 0,
      evaluations: Number.NaN,
      ms: Number.NaN,
    }
  );
}

/** Formats one figure per n, comma-separated. */
function perN(points: readonly VsTorchPoint[], format: (p: VsTorchPoint) => string): string {
  return points.map(format).join(", ");
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(0)}%`;
}

function ratio(a: number, b: number): string {
  const r = a / b;
  if (!Number.isFinite(r)) return "-";
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x`;
}

const evals = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "-");
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x >= 10 ? 0 : 2) : "-");

function speedRows(points: readonly VsTorchPoint[]): Row[] {
  const ns = `n=${perN(points, (p) => String(p.n))}`;
  const correct = (p: VsTorchPoint, tool: ToolName) => tallyOf(p, "correct", tool);
  const wrong = (p: VsTorchPoint, tool: ToolName) => tallyOf(p, "element1e-3", tool);
  return [
    row(
      `mean time per call, correct gradient: torch fast_mode=True / gradmark default (headline), ${ns}`,
      perN(points, (p) => ratio(correct(p, "torchFast").ms, correct(p, "gradmarkDefault").ms)),
      `ms ${perN(points, (p) => `${ms(correct(p, "torchFast").ms)}/${ms(correct(p, "gradmarkDefault").ms)}`)}`,
    ),
    row(
      `mean time per call, correct gradient: torch fast_mode=False / gradmark default, ${ns}`,
      perN(points, (p) => ratio(correct(p, "torchSlow").ms, correct(p, "gradmarkDefault").ms)),
      `ms ${perN(points, (p) => `${ms(correct(p, "torchSlow").ms)}/${ms(correct(p, "gradmarkDefault").ms)}`)}`,
    ),
    row(
      `evaluations of f per call, correct gradient: gradmark default / torch fast / torch slow, ${ns}`,
      perN(points, (p) =>
        (["gradmarkDefault", "torchFast", "torchSlow"] as const)
          .map((tool) => evals(correct(p, tool).evaluations))
          .join(" / "),
      ),
      `correct failed ${perN(points, (p) =>
        (["gradmarkDefault", "torchFast", "torchSlow"] as const)
          .map((tool) => correct(p, tool).failed)
          .join("/"),
      )}`,
    ),
    row(
      `evaluations of f per call, wrong gradient (${BUGS["element1e-3"]}): gradmark default / torch slow, ${ns}`,
      perN(
        points,
        (p) =>
          `${evals(wrong(p, "gradmarkDefault").evaluations)} / ${evals(wrong(p, "torchSlow").evaluations)}`,
      ),
      `torch fast ${perN(points, (p) => evals(wrong(p, "torchFast").evaluations))}`,
    ),
  ];
}

function detectionRows(points: readonly VsTorchPoint[]): Row[] {
  const ns = `n=${perN(points, (p) => String(p.n))}`;
  const rows: Row[] = [];
  for (const [name, label] of Object.entries(BUGS) as [CaseName, string][]) {
    for (const tool of DETECTING) {
      rows.push(
        row(
          `caught (share of seeds failed), ${label}: ${TOOLS[tool]}, ${ns}`,
          perN(points, (p) => percent(tallyOf(p, name, tool).failed, tallyOf(p, name, tool).calls)),
          `evals ${perN(points, (p) => evals(tallyOf(p, name, tool).evaluations))}`,
        ),
      );
    }
  }
  return rows;
}

function kinkRows(points: readonly VsTorchPoint[]): Row[] {
  const ns = `n=${perN(points, (p) => String(p.n))}`;
  return DETECTING.map((tool) => {
    const gradmark = tool === "gradmarkDefault" || tool === "gradmarkFull";
    return row(
      `correct gradient, X W within 1e-7 of the kink, failed: ${TOOLS[tool]}, ${ns}`,
      perN(points, (p) =>
        percent(tallyOf(p, "nearKink", tool).failed, tallyOf(p, "nearKink", tool).calls),
      ),
      gradmark
        ? `inconclusive ${perN(points, (p) => percent(tallyOf(p, "nearKink", tool).inconclusive, tallyOf(p, "nearKink", tool).calls))}`
        : `evals ${perN(points, (p) => evals(tallyOf(p, "nearKink", tool).evaluations))}`,
    );
  });
}
