/**
 * Benchmark 3: `gradmark batch` throughput at -j 1 and -j 2 on the same class of submissions
 * made from the fixtures (the staff solution, the starter and every sample, hostile ones
 * included, taken in turn). Each run grades into a fresh --out folder, so nothing is resumed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { autodiff } from "../grader/assignments/autodiff/index.js";
import { runBatch as gradeClass } from "../grader/batch/runBatch.js";
import { buildFixtureClass } from "../testing/batch/buildFixtureClass.js";
import type { BenchOptions, Row } from "./common.js";
import { processCpuMeter } from "./cpuMeter.js";
import {
  formatMs,
  formatRatio,
  formatSpreadMs,
  formatSpreadRatio,
  pairedRatios,
  type Summary,
  summarize,
} from "./stats.js";

export interface BatchBenchResult {
  submissions: number;
  repetitions: number;
  /** Wall time of a whole batch, per repetition. */
  oneWorkerMs: number[];
  twoWorkersMs: number[];
  oneWorker: Summary;
  twoWorkers: Summary;
  /** Per repetition: -j 1 wall / -j 2 wall (the throughput ratio). */
  speedup: Summary;
  /**
   * CPU time of everything a batch ran (workers and their sandbox children, this process's
   * share too) over its wall time, per repetition: how many cores one batch keeps busy. Null
   * where no cgroup can be made (see cpuMeter: reaped-children counters miss killed children).
   */
  oneWorkerCores: number[] | null;
  twoWorkersCores: number[] | null;
  /** The -j 2 / -j 1 ratio the machine allows: its cores over what -j 1 already keeps busy. */
  ceiling: number | null;
}

async function timeBatch(
  classDir: string,
  root: string,
  jobs: number,
  run: number,
): Promise<{ ms: number; cores: number | null }> {
  const started = performance.now();
  const meter = processCpuMeter();
  const outcome = await gradeClass({
    classDir,
    outDir: join(root, `out-${jobs}-${run}`),
    assignment: autodiff,
    assignmentFile: null,
    jobs,
  });
  const failedToGrade = outcome.report.rows.filter((row) => row.status === "error");
  if (failedToGrade.length > 0)
    throw new Error(
      `batch could not grade ${failedToGrade[0]!.folder}: ${failedToGrade[0]!.message}`,
    );
  const ms = performance.now() - started;
  const cpu = meter.read();
  meter.close();
  // Without a cgroup the killed sandbox children are not counted: no figure rather than a low one.
  const cores = meter.source.complete ? (cpu * 1000) / ms : null;
  return { ms, cores };
}

export async function runBatch(options: BenchOptions): Promise<BatchBenchResult> {
  const submissions = options.quick ? 8 : 40;
  const repetitions = options.quick ? 1 : 2;
  const root = mkdtempSync(join(tmpdir(), "gradmark-bench-batch-"));
  const classDir = join(root, "class");
  buildFixtureClass(classDir, submissions);
  const one: { ms: number; cores: number | null }[] = [];
  const two: { ms: number; cores: number | null }[] = [];
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      // Alternate which one goes first.
      if (rep % 2 === 0) {
        one.push(await timeBatch(classDir, root, 1, rep));
        two.push(await timeBatch(classDir, root, 2, rep));
      } else {
        two.push(await timeBatch(classDir, root, 2, rep));
        one.push(await timeBatch(classDir, root, 1, rep));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const oneWorkerMs = one.map((r) => r.ms);
  const twoWorkersMs = two.map((r) => r.ms);
  const coresOf = (runs: typeof one) =>
    runs.every((r) => r.cores !== null) ? runs.map((r) => r.cores!) : null;
  const oneWorkerCores = coresOf(one);
  const twoWorkersCores = coresOf(two);
  const cores = availableParallelism();
  return {
    submissions,
    repetitions,
    oneWorkerMs,
    twoWorkersMs,
    oneWorker: summarize(oneWorkerMs),
    twoWorkers: summarize(twoWorkersMs),
    speedup: pairedRatios(oneWorkerMs, twoWorkersMs),
    oneWorkerCores,
    twoWorkersCores,
    ceiling: oneWorkerCores ? Math.min(2, cores) / summarize(oneWorkerCores).median : null,
  };
}

export function batchRows(result: BatchBenchResult): Row[] {
  const bench = "3";
  const n = result.submissions;
  const perMinute = (ms: number) => `${((n / ms) * 60_000).toFixed(1)}/min`;
  return [
    {
      bench,
      figure: `gradmark batch -j 1, ${n} submissions`,
      value: formatMs(result.oneWorker.median),
      spread: formatSpreadMs(result.oneWorker),
      goal: "",
      verdict: perMinute(result.oneWorker.median),
    },
    {
      bench,
      figure: `gradmark batch -j 2, ${n} submissions`,
      value: formatMs(result.twoWorkers.median),
      spread: formatSpreadMs(result.twoWorkers),
      goal: "",
      verdict: perMinute(result.twoWorkers.median),
    },
    ...(result.oneWorkerCores && result.twoWorkersCores
      ? [
          {
            bench,
            figure: "cores kept busy (CPU time / wall): -j 1, -j 2",
            value: `${summarize(result.oneWorkerCores).median.toFixed(2)}, ${summarize(result.twoWorkersCores).median.toFixed(2)}`,
            spread: "",
            goal: "",
            verdict: "info",
          },
          {
            bench,
            figure: "ceiling for -j 2 / -j 1 here: min(2, cores) / cores busy at -j 1",
            value: formatRatio(result.ceiling!),
            spread: "",
            goal: "",
            verdict: "info",
          },
        ]
      : []),
    {
      bench,
      figure: "batch throughput -j 2 / -j 1",
      value: formatRatio(result.speedup.median),
      spread: formatSpreadRatio(result.speedup),
      goal: ">= 1.8x",
      verdict:
        result.speedup.median >= 1.8 ? "met" : `NOT MET (${formatRatio(result.speedup.median)})`,
    },
  ];
}
