/**
 * Benchmark 2: harness overhead. Grades reference/solution with the programmatic API and
 * compares the total grading time with the time spent inside student code, as the child
 * measures it (`Outcome.ms`). gradeSubmission does not add those up, so this bench wraps
 * `Sandbox.prototype.run` for the duration of the measurement (no grader file is changed).
 * Batches are queued ahead and the parent judges while the child runs, so the parts of the
 * breakdown overlap: they say where time goes, they do not add up to the total.
 */
import { join } from "node:path";
import { gradeSubmission } from "../grader/engine/gradeSubmission.js";
import { type BatchResult, Sandbox } from "../grader/sandbox/Sandbox.js";
import { type BenchOptions, type Row, repoRoot } from "./common.js";
import {
  formatMs,
  formatRatio,
  formatSpreadMs,
  formatSpreadRatio,
  type Summary,
  summarize,
} from "./stats.js";

/** What one grading cost, split by where the time went. */
export interface GradingBreakdown {
  /** Wall time around the gradeSubmission call, measured here. */
  wallMs: number;
  /** The result's own durationMs. */
  durationMs: number;
  score: number;
  maxScore: number;
  /** Sum of Outcome.ms: the child's clock around each driver call (student code). */
  studentMs: number;
  /** Outcomes with a time (kind "ok"). */
  timedRuns: number;
  /** Payloads sent to children in all. */
  payloads: number;
  /** Sandbox.run calls: one IPC request/response each. */
  batches: number;
  /** Child processes started (Sandbox.starts, summed over sandboxes). */
  childStarts: number;
  /**
   * Time in Sandbox.run before the child started on the batch: queued behind other batches
   * (while the parent works) or waiting for a child to start. Summed over batches, which wait
   * at the same time, so it is in the JSON only, not in the table.
   */
  childStartWaitMs: number;
  /** Child start to response minus student time: IPC, (de)serialization, wire codecs, progress. */
  ipcMs: number;
  /** The parent's own CPU time: bundling, drawing cases with fast-check, judging, IPC. */
  parentMs: number;
  /** Per driver, most student time first. */
  drivers: DriverCost[];
}

export interface DriverCost {
  driver: string;
  batches: number;
  payloads: number;
  studentMs: number;
  /** Request to response, summed (student time included). */
  requestMs: number;
}

export interface OverheadResult {
  repetitions: number;
  /** An untimed grading first (imports, esbuild start, JIT). */
  warmup: boolean;
  gradings: GradingBreakdown[];
  wallMs: Summary;
  studentMs: Summary;
  /**
   * The goal's figure, paired per repetition: durationMs with the default lanes over the
   * student wall time of the one-lane grading next to it. With one lane no two children share
   * the cores, so that is the plain time of the student's code; with two lanes the same code
   * runs slower while it waits for a core, and its own wall time would flatter the ratio.
   */
  ratio: Summary;
  /** Per grading: durationMs / studentMs of the same grading (default lanes). */
  ratioWall: Summary;
  /** The same with one lane (one problem at a time, one child): no two children compete. */
  oneLane: { gradings: GradingBreakdown[]; ratioWall: Summary };
}

interface Counters {
  studentMs: number;
  timedRuns: number;
  payloads: number;
  batches: number;
  runWallMs: number;
  requestWallMs: number;
  sandboxes: Set<Sandbox>;
  drivers: Map<string, DriverCost>;
}

function newCounters(): Counters {
  return {
    studentMs: 0,
    timedRuns: 0,
    payloads: 0,
    batches: 0,
    runWallMs: 0,
    requestWallMs: 0,
    sandboxes: new Set(),
    drivers: new Map(),
  };
}

type RunFn = Sandbox["run"];

/**
 * Wraps Sandbox.prototype.run so every batch adds to `counters`; returns the function that
 * restores the original.
 */
export function instrumentSandbox(counters: () => Counters | null): () => void {
  const original: RunFn = Sandbox.prototype.run;
  const wrapped: RunFn = async function (this: Sandbox, ...args) {
    const [driver, { payloads }] = args;
    const started = performance.now();
    const result: BatchResult = await original.apply(this, args);
    const c = counters();
    if (c) {
      c.sandboxes.add(this);
      c.batches++;
      c.payloads += payloads.length;
      c.runWallMs += performance.now() - started;
      c.requestWallMs += result.wallMs;
      let d = c.drivers.get(driver);
      if (!d) {
        d = { driver, batches: 0, payloads: 0, studentMs: 0, requestMs: 0 };
        c.drivers.set(driver, d);
      }
      d.batches++;
      d.payloads += payloads.length;
      d.requestMs += result.wallMs;
      if (result.kind === "outcomes") {
        for (const outcome of result.outcomes) {
          if (outcome.kind === "ok") {
            c.studentMs += outcome.ms;
            d.studentMs += outcome.ms;
            c.timedRuns++;
          }
        }
      }
    }
    return result;
  };
  Sandbox.prototype.run = wrapped;
  return () => {
    Sandbox.prototype.run = original;
  };
}

/** Grades `dir` once with the sandbox instrumented and returns the breakdown. */
export async function gradeInstrumented(
  dir: string,
  seed: number,
  mode: "grade" | "check" = "grade",
  lanes?: number,
): Promise<GradingBreakdown> {
  const counters = newCounters();
  const restore = instrumentSandbox(() => counters);
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await gradeSubmission({ dir, seed, mode, lanes });
    const wallMs = performance.now() - started;
    const parentCpu = process.cpuUsage(cpu);
    const childStarts = [...counters.sandboxes].reduce((t, s) => t + s.starts, 0);
    return {
      wallMs,
      durationMs: result.durationMs,
      score: result.score,
      maxScore: result.maxScore,
      studentMs: counters.studentMs,
      timedRuns: counters.timedRuns,
      payloads: counters.payloads,
      batches: counters.batches,
      childStarts,
      childStartWaitMs: counters.runWallMs - counters.requestWallMs,
      ipcMs: counters.requestWallMs - counters.studentMs,
      parentMs: (parentCpu.user + parentCpu.system) / 1000,
      drivers: [...counters.drivers.values()].sort((a, b) => b.studentMs - a.studentMs),
    };
  } finally {
    restore();
  }
}

export async function runOverhead(options: BenchOptions): Promise<OverheadResult> {
  const repetitions = options.quick ? 1 : 3;
  const dir = join(repoRoot, "reference", "solution");
  // Mode "grade" (hidden checks too), the seed of benchmark 1. The first grading warms up
  // (imports, esbuild's service, JIT) and is not counted.
  await gradeInstrumented(dir, 1);
  const gradings: GradingBreakdown[] = [];
  const oneLane: GradingBreakdown[] = [];
  // Alternating, so both see the same machine.
  for (let i = 0; i < repetitions; i++) {
    gradings.push(await gradeInstrumented(dir, 1));
    oneLane.push(await gradeInstrumented(dir, 1, "grade", 1));
  }
  for (const g of [...gradings, ...oneLane]) {
    if (g.score !== g.maxScore)
      throw new Error(`the reference solution scored ${g.score}/${g.maxScore}`);
  }
  return {
    repetitions,
    warmup: true,
    gradings,
    wallMs: summarize(gradings.map((g) => g.durationMs)),
    studentMs: summarize(gradings.map((g) => g.studentMs)),
    ratio: summarize(gradings.map((g, i) => g.durationMs / oneLane[i]!.studentMs)),
    ratioWall: summarize(gradings.map((g) => g.durationMs / g.studentMs)),
    oneLane: {
      gradings: oneLane,
      ratioWall: summarize(oneLane.map((g) => g.durationMs / g.studentMs)),
    },
  };
}

export function overheadRows(result: OverheadResult): Row[] {
  const bench = "2";
  const med = (pick: (g: GradingBreakdown) => number) => summarize(result.gradings.map(pick));
  const msRow = (figure: string, s: Summary): Row => ({
    bench,
    figure,
    value: formatMs(s.median),
    spread: formatSpreadMs(s),
    goal: "",
    verdict: "info",
  });
  const ratioRow = (figure: string, r: Summary, goal: boolean): Row => ({
    bench,
    figure,
    value: formatRatio(r.median),
    spread: formatSpreadRatio(r),
    goal: goal ? "< 1.5x" : "",
    verdict: !goal ? "info" : r.median < 1.5 ? "met" : `NOT MET (${formatRatio(r.median)})`,
  });
  const first = result.gradings[0]!;
  const ipcOf = (d: DriverCost) => d.requestMs - d.studentMs;
  const ipcHeavy = [...first.drivers].sort((a, b) => ipcOf(b) - ipcOf(a)).slice(0, 2);
  return [
    msRow("gradeSubmission(reference/solution) total", result.wallMs),
    msRow("  in student code (sum of Outcome.ms)", result.studentMs),
    msRow(
      "  IPC + serialization (request wall - student)",
      med((g) => g.ipcMs),
    ),
    msRow(
      "  parent CPU: bundle, draw cases, judge, IPC",
      med((g) => g.parentMs),
    ),
    {
      bench,
      figure: "child starts / IPC batches / payloads",
      value: `${first.childStarts} / ${first.batches} / ${first.payloads}`,
      spread: "",
      goal: "",
      verdict: "info",
    },
    {
      bench,
      figure: `most IPC time: ${ipcHeavy.map((d) => `${d.driver} (${d.payloads} payloads)`).join(", ")}`,
      value: formatMs(ipcHeavy.reduce((t, d) => t + d.requestMs - d.studentMs, 0)),
      spread: "(1st grading)",
      goal: "",
      verdict: "info",
    },
    ratioRow(
      "total / its own student wall time (two children share the cores)",
      result.ratioWall,
      false,
    ),
    msRow("one lane: total", summarize(result.oneLane.gradings.map((g) => g.durationMs))),
    msRow(
      "one lane: in student code (wall, no other child)",
      summarize(result.oneLane.gradings.map((g) => g.studentMs)),
    ),
    ratioRow("one lane: total / student time", result.oneLane.ratioWall, false),
    ratioRow("total (default lanes) / student time (one lane)", result.ratio, true),
  ];
}
