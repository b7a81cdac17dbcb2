import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import type { GradeOptions } from "../../gradeSubmission.js";
import type { GradeResult } from "../../model/results.js";
import { packagePath } from "../../packagePath.js";
import { formatPoints, palette, sanitize } from "../../reporters/text.js";
import {
  disagreementsWith,
  type ExpectedOutcome,
  readExpectedOutcome,
} from "../../selftest/expectedOutcome.js";
import { materializeSample } from "../../selftest/materializeSample.js";
import { UsageError } from "../../UsageError.js";
import { type CliIO, decideColor } from "../io.js";
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
}

function expectationText(expected: ExpectedOutcome): string {
  if (expected === FULL_MARKS || expected === ALL_NOT_IMPLEMENTED) return expected.description;
  return expected.kind;
}

/**
 * `gradmark selftest`: grades the staff solution, the starter and every sample submission
 * (with `--seeds N`, under N seeds each) and reports every disagreement with what it expects.
 */
export function runSelftestCommand(
  args: SelftestArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
  targets?: SelftestTarget[],
): Promise<number> {
  return runGuarded(io, "selftest", async () => {
    const firstSeed = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
    const seedCount = args.seeds ?? 1;
    if (!Number.isSafeInteger(seedCount) || seedCount < 1) {
      throw new UsageError(`--seeds must be a positive integer, got ${args.seeds}`);
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
    const assignment = await deps.loadAssignment(undefined, io.cwd);
    const rows: Row[] = [];
    for (const target of chosen) {
      const row: Row = {
        target: target.name,
        expected: expectationText(target.expected),
        got: "",
        agrees: true,
        notes: [],
        error: false,
      };
      const summaries = new Set<string>();
      if (target.invalid !== undefined) {
        row.got = `error: ${firstLine(target.invalid)}`;
        row.error = true;
        row.agrees = false;
      }
      for (const seed of target.invalid === undefined ? seeds : []) {
        try {
          const sample = materializeSample(target.dir, target.expected);
          const options: GradeOptions = { dir: sample.dir, assignment, seed, mode: "grade" };
          if (target.srcDir !== undefined) options.srcDir = target.srcDir;
          const result = await deps.gradeSubmission(options).finally(sample.cleanup);
          const notes = disagreementsWith(result, target.expected);
          summaries.add(summarise(result));
          if (notes.length > 0) {
            row.agrees = false;
            const where = seeds.length > 1 ? `seed ${seed}: ` : "";
            row.notes.push(...notes.map((note) => `${where}${sanitize(note)}`));
          }
        } catch (error) {
          row.got = `error: ${firstLine(error instanceof Error ? error.message : String(error))}`;
          row.error = true;
          row.agrees = false;
          break;
        }
      }
      if (!row.error) {
        row.got =
          summaries.size === 1
            ? [...summaries][0]!
            : `${summaries.size} different outcomes over ${seeds.length} seeds`;
      }
      rows.push(row);
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
    const disagreeing = rows.filter((r) => !r.agrees).length;
    const over = seeds.length > 1 ? ` over ${seeds.length} seeds` : "";
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
        }),
    handler: async (args) => context.exit(await runSelftestCommand(args, context.io, context.deps)),
  };
}
