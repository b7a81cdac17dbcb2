/**
 * Benchmark 3: `gradmark batch` throughput at -j 1 and -j 2 on the same class of submissions
 * made from the fixtures (the staff solution, the starter and every sample, hostile ones
 * included, taken in turn). Each run grades into a fresh --out folder, so nothing is resumed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { autodiff } from "../grader/assignments/autodiff/index.js";
import { buildFixtureClass } from "../grader/batch/buildFixtureClass.js";
import { runBatch as gradeClass } from "../grader/batch/runBatch.js";
import type { BenchOptions, Row } from "./common.js";
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
}

async function timeBatch(
  classDir: string,
  root: string,
  jobs: number,
  run: number,
): Promise<number> {
  const started = performance.now();
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
  return performance.now() - started;
}

export async function runBatch(options: BenchOptions): Promise<BatchBenchResult> {
  const submissions = options.quick ? 8 : 40;
  const repetitions = options.quick ? 1 : 2;
  const root = mkdtempSync(join(tmpdir(), "gradmark-bench-batch-"));
  const classDir = join(root, "class");
  buildFixtureClass(classDir, submissions);
  const oneWorkerMs: number[] = [];
  const twoWorkersMs: number[] = [];
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      // Alternate which one goes first.
      if (rep % 2 === 0) {
        oneWorkerMs.push(await timeBatch(classDir, root, 1, rep));
        twoWorkersMs.push(await timeBatch(classDir, root, 2, rep));
      } else {
        twoWorkersMs.push(await timeBatch(classDir, root, 2, rep));
        oneWorkerMs.push(await timeBatch(classDir, root, 1, rep));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    submissions,
    repetitions,
    oneWorkerMs,
    twoWorkersMs,
    oneWorker: summarize(oneWorkerMs),
    twoWorkers: summarize(twoWorkersMs),
    speedup: pairedRatios(oneWorkerMs, twoWorkersMs),
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
