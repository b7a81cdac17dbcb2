/**
 * Benchmark 9 (issue 18, part 2): the CPU a grading costs, parent and sandboxed children
 * together, measured in a cgroup (see cpuMeter). (a) A fresh `gradmark grade` of the built
 * package, as an autograder runs it, on the staff solution and on every single-mistake sample
 * laid over it; (b) submissions graded per core-minute by `gradmark batch -j 2` on a class of
 * ordinary submissions (the solution, correct variants and mistakes) and on one of the hostile
 * samples.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { autodiff } from "../grader/assignments/autodiff/index.js";
import { runBatch as gradeClass } from "../grader/batch/runBatch.js";
import { readExpectedOutcome } from "../grader/selftest/expectedOutcome.js";
import { materializeSample } from "../grader/selftest/materializeSample.js";
import { buildFixtureClass } from "../testing/batch/buildFixtureClass.js";
import { type BenchOptions, type Row, repoRoot } from "./common.js";
import { type CpuSource, commandCpu, processCpuMeter } from "./cpuMeter.js";
import { formatMs, type Summary, summarize } from "./stats.js";

/** The goal: CPU seconds per `grade` of a realistic submission. */
export const GRADE_CPU_GOAL_S = 1.0;

export interface GradeCpuResult {
  source: CpuSource;
  /** Null when dist/cli.js is missing (run `npm run build`). */
  grades: { name: string; cpuSeconds: number; wallMs: number }[] | null;
  /** Mean over the solution and the mistakes, each counted once. */
  meanCpuSeconds: number | null;
  solutionCpuSeconds: number | null;
  mistakes: Summary | null;
  classes: {
    name: string;
    submissions: number;
    cpuSeconds: number;
    wallMs: number;
    perCoreMinute: number;
  }[];
}

const isMistake = (name: string) => name.startsWith("mistake-");
const isOrdinary = (name: string) =>
  name === "solution" || name.startsWith("correct-") || isMistake(name);
const isHostile = (name: string) => name.startsWith("hostile-");

export async function runGradeCpu(options: BenchOptions): Promise<GradeCpuResult> {
  const samples = join(repoRoot, "fixtures", "submissions");
  const mistakes = readdirSync(samples).filter(isMistake).sort();
  const chosen = options.quick ? mistakes.slice(0, 3) : mistakes;
  const distCli = join(repoRoot, "dist", "cli.js");
  let grades: GradeCpuResult["grades"] = null;
  let source: CpuSource = { kind: "rusage", complete: false };
  if (existsSync(distCli)) {
    grades = [];
    const targets = [
      { name: "solution", dir: join(repoRoot, "reference", "solution"), cleanup: () => {} },
      ...chosen.map((name) => {
        const dir = join(samples, name);
        return { name, ...materializeSample(dir, readExpectedOutcome(dir)) };
      }),
    ];
    try {
      for (const target of targets) {
        const run = commandCpu(
          process.execPath,
          [distCli, "grade", target.dir, "--format", "json"],
          {
            cwd: repoRoot,
          },
        );
        source = run.source;
        grades.push({ name: target.name, cpuSeconds: run.cpuSeconds, wallMs: run.wallMs });
      }
    } finally {
      for (const target of targets) target.cleanup();
    }
  }
  const classes: GradeCpuResult["classes"] = [];
  for (const [name, only, size] of [
    ["ordinary", isOrdinary, options.quick ? 6 : 30],
    ["hostile", isHostile, options.quick ? 3 : 21],
  ] as const) {
    const root = mkdtempSync(join(tmpdir(), "gradmark-bench-cpu-"));
    try {
      const classDir = join(root, "class");
      const names = buildFixtureClass(classDir, size, only);
      const meter = processCpuMeter();
      const started = performance.now();
      await gradeClass({
        classDir,
        outDir: join(root, "out"),
        assignment: autodiff,
        assignmentFile: null,
        jobs: Math.min(2, availableParallelism()),
      });
      const wallMs = performance.now() - started;
      const cpuSeconds = meter.read();
      meter.close();
      source = meter.source;
      classes.push({
        name,
        submissions: names.length,
        cpuSeconds,
        wallMs,
        perCoreMinute: (names.length / cpuSeconds) * 60,
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const cpuOf = (list: NonNullable<GradeCpuResult["grades"]>) => list.map((g) => g.cpuSeconds);
  const mistakeGrades = grades?.filter((g) => g.name !== "solution") ?? [];
  return {
    source,
    grades,
    meanCpuSeconds: grades ? cpuOf(grades).reduce((a, b) => a + b, 0) / grades.length : null,
    solutionCpuSeconds: grades?.find((g) => g.name === "solution")?.cpuSeconds ?? null,
    mistakes: mistakeGrades.length > 0 ? summarize(cpuOf(mistakeGrades)) : null,
    classes,
  };
}

const seconds = (s: number) => `${s.toFixed(2)} s`;

export function gradeCpuRows(result: GradeCpuResult): Row[] {
  const bench = "9";
  const counted = result.source.complete
    ? `CPU in a ${result.source.kind}`
    : "CPU from rusage: killed sandbox children NOT counted, figures too low";
  const rows: Row[] = [];
  if (result.grades === null || result.meanCpuSeconds === null) {
    rows.push({
      bench,
      figure: "CPU per fresh `gradmark grade`",
      value: "-",
      spread: "",
      goal: `<= ${GRADE_CPU_GOAL_S} s`,
      verdict: "skipped (no dist/cli.js: npm run build)",
    });
  } else {
    const n = result.grades.length;
    rows.push({
      bench,
      figure: `CPU per fresh \`gradmark grade\` (dist), the solution and ${n - 1} single-mistake samples, mean (${counted})`,
      value: seconds(result.meanCpuSeconds),
      spread: result.mistakes
        ? `${seconds(result.mistakes.min)}..${seconds(result.mistakes.max)}`
        : "",
      goal: `<= ${GRADE_CPU_GOAL_S} s`,
      verdict:
        result.meanCpuSeconds <= GRADE_CPU_GOAL_S
          ? "met"
          : `NOT MET (${seconds(result.meanCpuSeconds)})`,
    });
    rows.push({
      bench,
      figure: `CPU of \`grade\` on the staff solution; wall ${formatMs(result.grades[0]!.wallMs)}`,
      value: seconds(result.solutionCpuSeconds ?? Number.NaN),
      spread: "",
      goal: "",
      verdict: "info",
    });
  }
  for (const c of result.classes) {
    rows.push({
      bench,
      figure: `batch -j 2, ${c.submissions} ${c.name} submissions: ${seconds(c.cpuSeconds)} CPU in ${formatMs(c.wallMs)}; submissions per core-minute`,
      value: c.perCoreMinute.toFixed(1),
      spread: "",
      goal: "",
      verdict: result.source.complete ? "info" : "info (undercounted CPU)",
    });
  }
  return rows;
}
