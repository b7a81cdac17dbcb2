import { existsSync } from "node:fs";
import type { Assignment } from "../authoring/types.js";
import type { CliIO } from "../common/io.js";
import { packagePath } from "../common/packagePath.js";
import { UsageError } from "../common/UsageError.js";
import { type GradeOptions, gradeSubmission } from "../engine/gradeSubmission.js";
import type { GradeResult } from "../model/results.js";
import { materializeSample } from "./materializeSample.js";
import { planSelftest, type SelftestJob } from "./planSelftest.js";
import { runPool } from "./runPool.js";
import type { SeedGrading } from "./seedFigures.js";
import {
  firstLine,
  type SelftestOutcome,
  type SelftestRow,
  selftestRow,
  summarise,
} from "./selftestRow.js";
import { type SelftestTarget, selftestTargets } from "./selftestTargets.js";

export interface SelftestOptions {
  /**
   * The assignment to grade with, or a function that loads it (called once the options are
   * checked); default: the built-in autodiff assignment, which the sample submissions are for.
   */
  assignment?: Assignment | (() => Promise<Assignment>);
  /** Default: selftestTargets(), which needs a gradmark checkout. */
  targets?: SelftestTarget[];
  /** Grade only the targets whose name contains one of these (default: all). */
  only?: string[];
  /** The first seed; default the assignment's own with one seed, 1 with several. */
  seed?: number;
  /** Seeds each target is graded under (default 1): seed, seed + 1, ... */
  seeds?: number;
  /** Gradings run at once, each in its own sandboxed child (default 1). */
  jobs?: number;
  /** With several seeds: grade every problem of every sample under every seed. */
  full?: boolean;
  /** Default gradeSubmission (tests pass a fake). */
  grade?: (options: GradeOptions) => Promise<GradeResult>;
}

/** What a selftest found: formatSelftestReport prints it. */
export interface SelftestReport {
  /** One per target graded, in target order. */
  rows: SelftestRow[];
  /** The seeds every target was graded under (undefined: the assignment's own). */
  seeds: (number | undefined)[];
  /** Gradings that were run at once. */
  jobs: number;
  /** Every grading that gave a result, for the figures over several seeds. */
  gradings: SeedGrading[];
  durationMs: number;
}

/**
 * `gradmark selftest`: grades the staff solution, the starter and every sample submission
 * (with `seeds`, under that many seeds each) and tells, per target, whether the result agrees
 * with what its expected.json expects. With several seeds, every target is graded in full under
 * the first seed; under the others, a sample laid over the staff solution is graded only in the
 * problems that can see its changes (the rest is the solution's code, graded under every seed as
 * `reference solution`), unless `full`. With several seeds, progress goes to `io.stderr`, one
 * line per grading. Throws a UsageError for bad options and unknown or missing targets.
 */
export async function runSelftest(
  options: SelftestOptions = {},
  io: Pick<CliIO, "stderr"> = { stderr: () => {} },
): Promise<SelftestReport> {
  const started = performance.now();
  const seedCount = positiveInteger(options.seeds, "--seeds");
  const jobs = positiveInteger(options.jobs, "-j/--jobs");
  const targets = chooseTargets(options.targets, options.only ?? []);
  // With several seeds: the assignment's seed first when none is given, then 1, 2, ...
  const seeds: (number | undefined)[] =
    seedCount === 1
      ? [options.seed]
      : Array.from({ length: seedCount }, (_, i) => (options.seed ?? 1) + i);
  const assignment = await loadAssignment(options.assignment);
  const plan = planSelftest(targets, seeds, assignment, seeds.length > 1 && !options.full);
  if (seeds.length > 1) io.stderr(planLine(targets, plan.jobs, seeds, jobs, options.full));
  const outcomes = await runGradings(plan.jobs, jobs, {
    assignment,
    grade: options.grade ?? gradeSubmission,
    progress: seeds.length > 1 ? io : null,
  });
  const rows: SelftestRow[] = [];
  const gradings: SeedGrading[] = [];
  for (const target of targets) {
    const { row, graded } = selftestRow(
      target,
      plan.jobs.flatMap((job, i) =>
        job.target === target ? [{ ...job, outcome: outcomes[i]! }] : [],
      ),
      { invalid: target.invalid ?? plan.errors.get(target), seedCount: seeds.length },
    );
    rows.push(row);
    gradings.push(...graded);
  }
  return { rows, seeds, jobs, gradings, durationMs: performance.now() - started };
}

/** `value` (default 1) when it is a positive integer; a UsageError naming `option` otherwise. */
function positiveInteger(value: number | undefined, option: string): number {
  const count = value ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`${option} must be a positive integer, got ${value}`);
  }
  return count;
}

/** The targets to grade: the given ones or the checkout's, narrowed by `only`; all must exist. */
function chooseTargets(given: SelftestTarget[] | undefined, only: string[]): SelftestTarget[] {
  const solution = packagePath("reference/solution");
  if (given === undefined && !existsSync(solution)) {
    throw new UsageError(
      `selftest needs a gradmark checkout: ${solution} is missing (it is not in the published package)`,
    );
  }
  let chosen = given ?? selftestTargets();
  if (only.length > 0) chosen = chosen.filter((t) => only.some((f) => t.name.includes(f)));
  if (chosen.length === 0)
    throw new UsageError(`--only ${only.join(",")} names no selftest target`);
  for (const target of chosen) {
    if (!existsSync(target.dir)) throw new UsageError(`selftest target ${target.dir} is missing`);
  }
  return chosen;
}

async function loadAssignment(given: SelftestOptions["assignment"]): Promise<Assignment> {
  if (typeof given === "function") return given();
  return given ?? (await import("../assignments/autodiff/index.js")).autodiff;
}

/** What a run over several seeds is about to do (its first line on stderr). */
function planLine(
  targets: readonly SelftestTarget[],
  jobs: readonly SelftestJob[],
  seeds: readonly (number | undefined)[],
  jobCount: number,
  full: boolean | undefined,
): string {
  const cut = targets.filter((t) => jobs.some((j) => j.target === t && j.problems)).length;
  return `selftest: ${targets.length} targets x ${seeds.length} seeds (${seeds[0]}..${seeds.at(-1)}), ${jobs.length} gradings, -j ${jobCount}; ${cut} samples graded in full under seed ${seeds[0]} only, then in the problems that see their changes${full ? "" : " (--full: everything)"}\n`;
}

/**
 * Runs the gradings, `concurrency` at once, each on its sample laid out afresh; a grading that
 * throws becomes its error's first line. With `progress`, one line per grading as it ends.
 */
async function runGradings(
  jobs: readonly SelftestJob[],
  concurrency: number,
  context: {
    assignment: Assignment;
    grade: (options: GradeOptions) => Promise<GradeResult>;
    progress: Pick<CliIO, "stderr"> | null;
  },
): Promise<SelftestOutcome[]> {
  let done = 0;
  return runPool(jobs, concurrency, async (job): Promise<SelftestOutcome> => {
    const started = performance.now();
    let outcome: SelftestOutcome;
    try {
      const sample = materializeSample(job.target.dir, job.target.expected, job.target.bases);
      const options: GradeOptions = {
        dir: sample.dir,
        assignment: context.assignment,
        seed: job.seed,
        mode: "grade",
      };
      if (job.target.srcDir !== undefined) options.srcDir = job.target.srcDir;
      if (job.problems !== undefined) options.only = job.problems;
      outcome = { result: await context.grade(options).finally(sample.cleanup) };
    } catch (error) {
      outcome = { error: firstLine(error instanceof Error ? error.message : String(error)) };
    }
    done++;
    if (context.progress) {
      const which = job.problems === undefined ? "all" : `problems ${job.problems.join(",")}`;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const how = "error" in outcome ? `error: ${outcome.error}` : summarise(outcome.result);
      context.progress.stderr(
        `[${done}/${jobs.length}] ${job.target.name}, seed ${job.seed} (${which}): ${how}, ${seconds} s\n`,
      );
    }
    return outcome;
  });
}
