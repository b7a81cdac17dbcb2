/**
 * Benchmark 3: batch throughput at -j 1 and -j 2. `gradmark batch` does not exist yet, so this
 * reports it as not available and measures a stand-in instead: the same N copies of the
 * reference solution graded with gradeSubmission one after another, then two at a time
 * (two workers over one queue, Promise.all) in this one process.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradeSubmission } from "../grader/gradeSubmission.js";
import { type BenchOptions, fileExists, type Row, repoRoot } from "./common.js";
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
  /** Whether a `gradmark batch` command was found (grader/cli/commands/batch.ts). */
  batchCommandAvailable: boolean;
  standIn: {
    description: string;
    submissions: number;
    repetitions: number;
    sequentialMs: number[];
    parallelMs: number[];
    sequential: Summary;
    parallel: Summary;
    /** Per repetition: sequential wall / two-at-a-time wall (throughput ratio). */
    speedup: Summary;
  };
}

/** Copies the solution's modules into `count` submission folders (<tmp>/sub-i/src/). */
function makeCopies(count: number): { root: string; dirs: string[] } {
  const root = mkdtempSync(join(tmpdir(), "gradmark-bench-batch-"));
  const solution = join(repoRoot, "reference", "solution");
  const files = readdirSync(solution).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `sub-${i}`);
    mkdirSync(join(dir, "src"), { recursive: true });
    for (const file of files) cpSync(join(solution, file), join(dir, "src", file));
    dirs.push(dir);
  }
  return { root, dirs };
}

async function gradeAll(dirs: readonly string[], concurrency: number): Promise<number> {
  const queue = [...dirs];
  const started = performance.now();
  const worker = async () => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
      const result = await gradeSubmission({ dir, seed: 1 });
      if (result.score !== result.maxScore)
        throw new Error(`${dir} scored ${result.score}/${result.maxScore}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

export async function runBatch(options: BenchOptions): Promise<BatchBenchResult> {
  const submissions = options.quick ? 4 : 8;
  const repetitions = options.quick ? 1 : 2;
  const { root, dirs } = makeCopies(submissions);
  const sequentialMs: number[] = [];
  const parallelMs: number[] = [];
  try {
    // One untimed grading: imports, esbuild's service, JIT.
    await gradeAll(dirs.slice(0, 1), 1);
    for (let rep = 0; rep < repetitions; rep++) {
      // Alternate which one goes first.
      if (rep % 2 === 0) {
        sequentialMs.push(await gradeAll(dirs, 1));
        parallelMs.push(await gradeAll(dirs, 2));
      } else {
        parallelMs.push(await gradeAll(dirs, 2));
        sequentialMs.push(await gradeAll(dirs, 1));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    batchCommandAvailable: fileExists(join(repoRoot, "grader", "cli", "commands", "batch.ts")),
    standIn: {
      description: `${submissions} copies of reference/solution graded with gradeSubmission in one process: one at a time, then two at a time (Promise.all over two workers)`,
      submissions,
      repetitions,
      sequentialMs,
      parallelMs,
      sequential: summarize(sequentialMs),
      parallel: summarize(parallelMs),
      speedup: pairedRatios(sequentialMs, parallelMs),
    },
  };
}

export function batchRows(result: BatchBenchResult): Row[] {
  const bench = "3";
  const s = result.standIn;
  const n = s.submissions;
  return [
    {
      bench,
      figure: "gradmark batch -j 1 vs -j 2 (40 submissions)",
      value: "-",
      spread: "",
      goal: ">= 1.8x",
      verdict: result.batchCommandAvailable
        ? "not measured (batch.ts exists now; bench does not drive it yet)"
        : "not available yet (needs gradmark batch)",
    },
    {
      bench,
      figure: `stand-in: ${n} gradings, one at a time`,
      value: formatMs(s.sequential.median),
      spread: formatSpreadMs(s.sequential),
      goal: "",
      verdict: "info",
    },
    {
      bench,
      figure: `stand-in: ${n} gradings, two at a time`,
      value: formatMs(s.parallel.median),
      spread: formatSpreadMs(s.parallel),
      goal: "",
      verdict: "info",
    },
    {
      bench,
      figure: "stand-in: throughput 2-at-a-time / sequential",
      value: formatRatio(s.speedup.median),
      spread: formatSpreadRatio(s.speedup),
      goal: ">= 1.8x",
      verdict:
        s.speedup.median >= 1.8
          ? "met (stand-in)"
          : `NOT MET (stand-in, ${formatRatio(s.speedup.median)})`,
    },
  ];
}
