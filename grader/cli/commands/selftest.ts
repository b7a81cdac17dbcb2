import { existsSync } from "node:fs";
import type { CommandModule } from "yargs";
import type { GradeOptions } from "../../gradeSubmission.js";
import type { CheckResult, GradeResult } from "../../model/results.js";
import { packagePath } from "../../packagePath.js";
import { formatPoints, palette, sanitize } from "../../reporters/text.js";
import { UsageError } from "../../UsageError.js";
import { type CliIO, decideColor } from "../io.js";
import {
  type CliDeps,
  type CommandContext,
  defaultDeps,
  EXIT_ERROR,
  EXIT_FAILED,
  EXIT_PASSED,
  parseSeed,
  runGuarded,
} from "../shared.js";

/** What a self-test target must score: everything, or 0 with every check not implemented. */
export type Expectation = "full" | "not-implemented";

export interface SelftestTarget {
  name: string;
  /** The folder given to gradeSubmission as `dir`. */
  dir: string;
  /** The modules folder, when it is not `dir/src` (the staff solution is itself a src/). */
  srcDir?: string;
  expect: Expectation;
}

/** The submissions `gradmark selftest` grades (a gradmark checkout; not in the npm package). */
export function selftestTargets(): SelftestTarget[] {
  const solution = packagePath("reference/solution");
  return [
    { name: "reference solution", dir: solution, srcDir: solution, expect: "full" },
    { name: "starter", dir: packagePath("fixtures/starter"), expect: "not-implemented" },
  ];
}

const EXPECTED: Record<Expectation, string> = {
  full: "full marks",
  "not-implemented": "0, all not implemented",
};

/** The checks that break the expectation (empty when the result agrees). */
export function disagreements(result: GradeResult, expect: Expectation): CheckResult[] {
  const checks = result.problems.flatMap((problem) => problem.checks);
  if (expect === "full") {
    const wrong = checks.filter((c) => c.status !== "passed" || c.score !== c.maxScore);
    if (wrong.length === 0 && result.score !== result.maxScore) return checks;
    return wrong;
  }
  const wrong = checks.filter((c) => c.status !== "not-implemented" || c.score !== 0);
  if (wrong.length === 0 && result.score !== 0) return checks;
  return wrong;
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
}

/** `gradmark selftest`: grades the staff solution and the starter and says what disagrees. */
export function runSelftestCommand(
  args: SelftestArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
  targets: SelftestTarget[] = selftestTargets(),
): Promise<number> {
  return runGuarded(io, "selftest", async () => {
    const seed = args.seed === undefined ? undefined : parseSeed(args.seed, "--seed");
    for (const target of targets) {
      if (!existsSync(target.dir)) {
        throw new UsageError(
          `selftest needs a gradmark checkout: ${target.dir} is missing (it is not in the published package)`,
        );
      }
    }
    const assignment = await deps.loadAssignment(undefined, io.cwd);
    const rows: Row[] = [];
    for (const target of targets) {
      const row: Row = {
        target: target.name,
        expected: EXPECTED[target.expect],
        got: "",
        agrees: false,
        notes: [],
        error: false,
      };
      try {
        // srcDir: the modules folder when it is not dir/src (being added to GradeOptions).
        const options: GradeOptions & { srcDir?: string } = {
          dir: target.dir,
          assignment,
          seed,
          mode: "grade",
        };
        if (target.srcDir !== undefined) options.srcDir = target.srcDir;
        const result = await deps.gradeSubmission(options);
        const wrong = disagreements(result, target.expect);
        row.got = summarise(result);
        row.agrees = wrong.length === 0;
        row.notes = wrong.map(
          (c) => `${sanitize(c.id)}: ${c.status}${c.message ? `: ${firstLine(c.message)}` : ""}`,
        );
      } catch (error) {
        row.got = `error: ${firstLine(error instanceof Error ? error.message : String(error))}`;
        row.error = true;
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
      out.push("", `${row.target} disagrees on:`, ...row.notes.map((note) => `  ${note}`));
    }
    const disagreeing = rows.filter((r) => !r.agrees).length;
    out.push(
      "",
      disagreeing === 0
        ? p.green(`selftest: all ${rows.length} targets agree`)
        : p.red(`selftest: ${disagreeing} of ${rows.length} targets disagree`),
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
      "grade the staff solution (full marks expected) and the starter (0, all not implemented)",
    builder: (yargs) =>
      yargs.option("seed", {
        type: "string",
        describe: "grading seed (default: the assignment's)",
      }),
    handler: async (args) => context.exit(await runSelftestCommand(args, context.io, context.deps)),
  };
}
