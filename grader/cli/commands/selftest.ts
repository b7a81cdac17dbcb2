import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import type { Assignment } from "../../authoring/types.js";
import { type CliIO, decideColor } from "../../common/io.js";
import { packagePath } from "../../common/packagePath.js";
import { sanitize } from "../../common/sanitize.js";
import { UsageError } from "../../common/UsageError.js";
import type { GradeOptions } from "../../engine/gradeSubmission.js";
import type { GradeResult } from "../../model/results.js";
import { formatPoints, palette } from "../../reporters/text.js";
import {
  disagreementsWith,
  type ExpectedOutcome,
  readExpectedOutcome,
} from "../../selftest/expectedOutcome.js";
import { formatSeedFigures } from "../../selftest/formatSeedFigures.js";
import { materializeSample } from "../../selftest/materializeSample.js";
import { problemsAffectedBy } from "../../selftest/problemsAffectedBy.js";
import { runPool } from "../../selftest/runPool.js";
import { type SeedGrading, seedFigures } from "../../selftest/seedFigures.js";
import {
  type CliDeps,
  type CommandContext,
  defaultDeps,
  EXIT_ERROR,
  EXIT_FAILED,
  EXIT_PASSED,
  parseOnly,
  parseSeed,
  runGuarded,
} from "../shared.js";

/** A submission selftest grades and what it must come to. */
export interface SelftestTarget {
  name: string;
  /** The folder given to gradeSubmission as `dir`. */
  dir: string;
  /** The modules folder, when it is not `dir/src` (the staff solution is itself a src/). */
  srcDir?: string;
  expected: ExpectedOutcome;
  /** Why the target's expected.json could not be read (the target then counts as an error). */
  invalid?: string;
}

export const FULL_MARKS: ExpectedOutcome = {
  kind: "correct",
  description: "full marks",
  expect: { "*": "passed" },
};
export const ALL_NOT_IMPLEMENTED: ExpectedOutcome = {
  kind: "partial",
  description: "0, all not implemented",
  expect: { "*": "not-implemented" },
};

/**
 * The submissions `gradmark selftest` grades (a gradmark checkout; not in the npm package): the
 * staff solution, the starter, and every sample in fixtures/submissions with its expected.json.
 */
export function selftestTargets(): SelftestTarget[] {
  const solution = packagePath("reference/solution");
  const targets: SelftestTarget[] = [
    { name: "reference solution", dir: solution, srcDir: solution, expected: FULL_MARKS },
    { name: "starter", dir: packagePath("fixtures/starter"), expected: ALL_NOT_IMPLEMENTED },
  ];
  const samples = packagePath("fixtures/submissions");
  if (existsSync(samples)) {
    for (const name of readdirSync(samples).sort()) {
      const dir = join(samples, name);
      if (!statSync(dir).isDirectory()) continue;
      try {
        targets.push({ name, dir, expected: readExpectedOutcome(dir) });
      } catch (error) {
        targets.push({ name, dir, expected: FULL_MARKS, invalid: (error as Error).message });
      }
    }
  }
  return targets;
}

/** "38/70: 4 passed, 2 failed" */
export function summarise(result: GradeResult): string {
  const counts = new Map<string, number>();
  for (const check of result.problems.flatMap((problem) => problem.checks)) {
    counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
  }
  const parts = [...counts].map(([status, count]) => `${count} ${status}`);
  return `${formatPoints(result.score)}/${formatPoints(result.maxScore)}: ${parts.join(", ") || "no checks"}`;
}

interface Row {
  target: string;
  expected: string;
  got: string;
  agrees: boolean;
  notes: string[];
  error: boolean;
}

function firstLine(text: string): string {
  return sanitize(text.split("\n").find((line) => line.trim() !== "") ?? "");
}

export interface SelftestArgs {
  seed?: string;
  seeds?: number;
  only?: string | string[];
  /** Gradings run at once (each in its own sandboxed child). */
  jobs?: number;
  /** With --seeds: grade every problem of every sample under every seed. */
  full?: boolean;
}

function expectationText(expected: ExpectedOutcome): string {
  if (expected === FULL_MARKS || expected === ALL_NOT_IMPLEMENTED) return expected.description;
  return expected.kind;
}

/** One grading to do: a target under one seed, of every problem or of some. */
interface Job {
  target: SelftestTarget;
  seed: number | undefined;
  /** Problem ids to grade (undefined: all). */
  problems?: string[];
}

type JobOutcome = { result: GradeResult } | { error: string };

/** Statuses per check of a grading, to tell whether seeds gave different outcomes. */
function outcomeKey(result: GradeResult): Map<string, string> {
  return new Map(
    result.problems.flatMap((p) =>
      p.checks.filter((c) => c.status !== "skipped").map((c) => [c.id, c.status] as const),
    ),
  );
}

function sameOutcomes(first: Map<string, string>, other: Map<string, string>): boolean {
  return [...other].every(([id, status]) => first.get(id) === status);
}

/**
 * The problems a target needs graded under the seeds after the first: for a sample laid over
 * the staff solution, only those that can see what it changes (problemsAffectedBy); all of them
 * otherwise, or with --full.
 */
function problemsForExtraSeeds(
  target: SelftestTarget,
  assignment: Assignment,
): string[] | undefined {
  if (target.srcDir !== undefined || target.expected.base !== "solution") return undefined;
  const sample = materializeSample(target.dir, target.expected);
  try {
    const problems = problemsAffectedBy(
      target.dir,
      target.expected,
      join(sample.dir, "src"),
      assignment,
    );
    return problems === "all" ? undefined : problems;
  } finally {
    sample.cleanup();
  }
}

/**
 * `gradmark selftest`: grades the staff solution, the starter and every sample submission
 * (with `--seeds N`, under N seeds each) and reports every disagreement with what it expects.
 * With several seeds, every target is graded in full under the first seed; under the others, a
 * sample laid over the staff solution is graded only in the problems that can see its changes
 * (the rest is the solution's code, graded under every seed as `reference solution`), unless
 * `full`; figures (false failures, missed mistakes, catch rates) follow the table.
 */
export function runSelftestCommand(
  args: SelftestArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
  targets?: SelftestTarget[],
): Promise<number> {
  return runGuarded(io, "selftest", async () => {
    const started = performance.now();
    const firstSeed = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
    const seedCount = args.seeds ?? 1;
    if (!Number.isSafeInteger(seedCount) || seedCount < 1) {
      throw new UsageError(`--seeds must be a positive integer, got ${args.seeds}`);
    }
    const jobCount = args.jobs ?? 1;
    if (!Number.isSafeInteger(jobCount) || jobCount < 1) {
      throw new UsageError(`-j/--jobs must be a positive integer, got ${args.jobs}`);
    }
    const solution = packagePath("reference/solution");
    if (targets === undefined && !existsSync(solution)) {
      throw new UsageError(
        `selftest needs a gradmark checkout: ${solution} is missing (it is not in the published package)`,
      );
    }
    const filters = parseOnly(args.only);
    let chosen = targets ?? selftestTargets();
    if (filters.length > 0) chosen = chosen.filter((t) => filters.some((f) => t.name.includes(f)));
    if (chosen.length === 0)
      throw new UsageError(`--only ${filters.join(",")} names no selftest target`);
    for (const target of chosen) {
      if (!existsSync(target.dir)) throw new UsageError(`selftest target ${target.dir} is missing`);
    }
    // With several seeds: the assignment's seed first when none is given, then 1, 2, ...
    const seeds: (number | undefined)[] =
      seedCount === 1
        ? [firstSeed]
        : Array.from({ length: seedCount }, (_, i) => (firstSeed ?? 1) + i);
    const multi = seeds.length > 1;
    const assignment = await deps.loadAssignment(undefined, io.cwd);

    const planErrors = new Map<SelftestTarget, string>();
    const jobs: Job[] = [];
    for (const target of chosen) {
      if (target.invalid !== undefined) continue;
      let later: string[] | undefined;
      if (multi && !args.full) {
        try {
          later = problemsForExtraSeeds(target, assignment);
        } catch (error) {
          planErrors.set(target, error instanceof Error ? error.message : String(error));
          continue;
        }
      }
      seeds.forEach((seed, i) => {
        jobs.push(
          i === 0 || later === undefined ? { target, seed } : { target, seed, problems: later },
        );
      });
    }
    if (multi) {
      const cut = chosen.filter((t) => jobs.some((j) => j.target === t && j.problems)).length;
      io.stderr(
        `selftest: ${chosen.length} targets x ${seeds.length} seeds (${seeds[0]}..${seeds.at(-1)}), ${jobs.length} gradings, -j ${jobCount}; ${cut} samples graded in full under seed ${seeds[0]} only, then in the problems that see their changes${args.full ? "" : " (--full: everything)"}\n`,
      );
    }
    let done = 0;
    const outcomes = await runPool(jobs, jobCount, async (job): Promise<JobOutcome> => {
      const jobStarted = performance.now();
      let outcome: JobOutcome;
      try {
        const sample = materializeSample(job.target.dir, job.target.expected);
        const options: GradeOptions = {
          dir: sample.dir,
          assignment,
          seed: job.seed,
          mode: "grade",
        };
        if (job.target.srcDir !== undefined) options.srcDir = job.target.srcDir;
        if (job.problems !== undefined) options.only = job.problems;
        outcome = { result: await deps.gradeSubmission(options).finally(sample.cleanup) };
      } catch (error) {
        outcome = { error: firstLine(error instanceof Error ? error.message : String(error)) };
      }
      done++;
      if (multi) {
        const which = job.problems === undefined ? "all" : `problems ${job.problems.join(",")}`;
        const seconds = ((performance.now() - jobStarted) / 1000).toFixed(1);
        const how = "error" in outcome ? `error: ${outcome.error}` : summarise(outcome.result);
        io.stderr(
          `[${done}/${jobs.length}] ${job.target.name}, seed ${job.seed} (${which}): ${how}, ${seconds} s\n`,
        );
      }
      return outcome;
    });

    const rows: Row[] = [];
    const gradings: SeedGrading[] = [];
    for (const target of chosen) {
      const row: Row = {
        target: target.name,
        expected: expectationText(target.expected),
        got: "",
        agrees: true,
        notes: [],
        error: false,
      };
      rows.push(row);
      const invalid = target.invalid ?? planErrors.get(target);
      if (invalid !== undefined) {
        row.got = `error: ${firstLine(invalid)}`;
        row.error = true;
        row.agrees = false;
        continue;
      }
      let first: GradeResult | undefined;
      let varies = false;
      jobs.forEach((job, i) => {
        if (job.target !== target || row.error) return;
        const outcome = outcomes[i]!;
        if ("error" in outcome) {
          row.got = `error: ${outcome.error}`;
          row.error = true;
          row.agrees = false;
          return;
        }
        const { result } = outcome;
        gradings.push({ target: target.name, seed: job.seed, expected: target.expected, result });
        if (first === undefined) first = result;
        else if (!sameOutcomes(outcomeKey(first), outcomeKey(result))) varies = true;
        const notes = disagreementsWith(result, target.expected);
        if (notes.length > 0) {
          row.agrees = false;
          const where = multi ? `seed ${job.seed}: ` : "";
          row.notes.push(...notes.map((note) => `${where}${sanitize(note)}`));
        }
      });
      if (!row.error && first !== undefined) {
        row.got = `${summarise(first)}${varies ? `; differs over ${seeds.length} seeds` : ""}`;
      }
    }

    const p = palette(decideColor(io.env, io.isTTY));
    const header = { target: "target", expected: "expected", got: "got", agrees: "agrees" };
    const width = {
      target: Math.max(header.target.length, ...rows.map((r) => r.target.length)),
      expected: Math.max(header.expected.length, ...rows.map((r) => r.expected.length)),
      got: Math.max(header.got.length, ...rows.map((r) => r.got.length)),
    };
    const line = (target: string, expected: string, got: string) =>
      `${target.padEnd(width.target)}  ${expected.padEnd(width.expected)}  ${got.padEnd(width.got)}`;
    const out = [p.bold(`${line(header.target, header.expected, header.got)}  ${header.agrees}`)];
    for (const row of rows) {
      out.push(
        `${line(row.target, row.expected, row.got)}  ${row.agrees ? p.green("yes") : p.red("NO")}`,
      );
    }
    for (const row of rows.filter((r) => r.notes.length > 0)) {
      out.push(
        "",
        `${row.target} disagrees on:`,
        ...row.notes.slice(0, 20).map((note) => `  ${note}`),
      );
      if (row.notes.length > 20) out.push(`  ... and ${row.notes.length - 20} more`);
    }
    if (multi) {
      const seconds = Math.round((performance.now() - started) / 1000);
      out.push(
        "",
        ...formatSeedFigures(seedFigures(gradings), seeds.length).map((l) => sanitize(l)),
        `  run time: ${seconds} s with -j ${jobCount} on ${availableParallelism()} cores`,
      );
    }
    const disagreeing = rows.filter((r) => !r.agrees).length;
    const over = multi ? ` over ${seeds.length} seeds` : "";
    out.push(
      "",
      disagreeing === 0
        ? p.green(`selftest: all ${rows.length} targets agree${over}`)
        : p.red(`selftest: ${disagreeing} of ${rows.length} targets disagree${over}`),
    );
    io.stdout(`${out.join("\n")}\n`);
    if (rows.some((r) => r.error)) return EXIT_ERROR;
    return disagreeing === 0 ? EXIT_PASSED : EXIT_FAILED;
  });
}

export function selftestCommand(context: CommandContext): CommandModule<object, SelftestArgs> {
  return {
    command: "selftest",
    describe:
      "grade the staff solution, the starter and every sample submission against what each expects",
    builder: (yargs) =>
      yargs
        .option("seed", {
          type: "string",
          describe:
            "grading seed (default: the assignment's; with --seeds, the first seed, default 1)",
        })
        .option("seeds", {
          type: "number",
          describe: "grade every target under this many seeds (flakiness and power)",
        })
        .option("only", {
          type: "string",
          describe: "grade only the targets whose name contains one of these (comma-separate)",
        })
        .option("jobs", {
          alias: "j",
          type: "number",
          describe: "gradings run at once, each in its own sandboxed child (default 1)",
        })
        .option("full", {
          type: "boolean",
          describe:
            "with --seeds: grade every problem of every sample under every seed (default: after the first seed, a sample laid over the staff solution is graded only in the problems whose module is, or imports, a module it changes, and those its expected.json names; the rest is the staff solution's code, graded under every seed as 'reference solution')",
        })
        .epilogue(
          "With --seeds N, the figures after the table count false failures (checks expected to pass that did not, by seed), missed mistakes (checks expected not to pass that passed, by sample and seed) other disagreements and each sample's catch rate, with the run time. Progress goes to stderr, one line per grading. Per-call time limits are wall-clock: keep -j at or below the free cores.",
        ),
    handler: async (args) => context.exit(await runSelftestCommand(args, context.io, context.deps)),
  };
}
