/**
 * Mutation testing of the grader: Stryker mutates the staff solution one module at a time, runs
 * the grader on every mutant (mutation/stryker.config.mjs), and this script sums up the reports.
 *
 *   npm run mutation                      every module, then the summary
 *   npm run mutation -- autograd einsum   only these modules (the summary still reads every report)
 *   npm run mutation -- --report          only the summary, from the reports already in mutation/out
 *
 * Writes mutation/out/<module>.json (Stryker's report) and mutation/out/summary.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { autodiff } from "../grader/assignments/autodiff/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const solutionDir = join(root, "reference/solution");
const outDir = join(root, "mutation/out");

/**
 * The problems a module can change the outcome of: the problems that grade it, and those of
 * every module that imports it, directly or not. Type-only imports count too: training imports
 * the Layer type from layers, and the training problem does run the submission's layers.
 */
function problemsAffectedBy(
  modules: readonly string[],
  problems: readonly { id: string; module: string }[],
  importsOf: (module: string) => string[],
): Map<string, string[]> {
  const importers = new Map<string, string[]>(modules.map((m) => [m, []]));
  for (const module of modules) {
    for (const imported of importsOf(module)) importers.get(imported)?.push(module);
  }
  const affected = new Map<string, string[]>();
  for (const module of modules) {
    const reached = new Set([module]);
    const pending = [module];
    while (pending.length > 0) {
      for (const importer of importers.get(pending.pop()!) ?? []) {
        if (!reached.has(importer)) {
          reached.add(importer);
          pending.push(importer);
        }
      }
    }
    affected.set(
      module,
      problems.filter((p) => reached.has(p.module)).map((p) => p.id),
    );
  }
  return affected;
}

/** The sibling modules a solution module imports (`./name`, with or without an extension). */
function solutionImports(module: string): string[] {
  const source = readFileSync(join(solutionDir, `${module}.ts`), "utf8");
  const found = [...source.matchAll(/from\s+["']\.\/([\w-]+?)(?:\.[mc]?[jt]s)?["']/g)];
  return found.map((match) => match[1]!);
}

type Position = { line: number; column: number };

// The parts of Stryker's JSON report (mutation-testing-report-schema) read here.
interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: Position; end: Position };
  status: string;
  statusReason?: string;
}
interface Report {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

interface ModuleFigures {
  module: string;
  only: string[];
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  errors: number;
  /** Killed by an exit code other than 1 (the grader's "a check failed"): worth a look. */
  killedOddly: number;
  seconds: number | null;
}

interface Survivor {
  where: string;
  mutator: string;
  before: string;
  after: string;
}

function runStryker(module: string, only: readonly string[]): number {
  const started = performance.now();
  const result = spawnSync(
    join(root, "node_modules/.bin/stryker"),
    ["run", "mutation/stryker.config.mjs"],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, GRADMARK_MUTATE_MODULE: module, GRADMARK_MUTATE_ONLY: only.join(",") },
    },
  );
  if (result.status !== 0) {
    throw new Error(`Stryker on ${module} ended with ${result.status ?? result.signal}`);
  }
  return (performance.now() - started) / 1000;
}

/** The source text a mutant replaces, on one line. */
function originalText(source: string, mutant: ReportMutant): string {
  const lines = source.split("\n");
  const { start, end } = mutant.location;
  if (start.line === end.line)
    return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
  return [
    lines[start.line - 1]!.slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1]!.slice(0, end.column - 1),
  ].join("\n");
}

/**
 * What a mutant changes, as `before` -> `after` without the text both share, so that two
 * mutants of one long expression can be told apart. A little shared context stays on each side.
 */
function change(original: string, replacement: string): { before: string; after: string } {
  const a = original.replace(/\s+/g, " ").trim();
  const b = replacement.replace(/\s+/g, " ").trim();
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const context = 12;
  const from = Math.max(0, prefix - context);
  const cut = (text: string) => {
    const to = Math.min(text.length, text.length - suffix + context);
    const middle = text.slice(from, to);
    const shown = middle.length > 100 ? `${middle.slice(0, 99)}…` : middle;
    return `${from > 0 ? "…" : ""}${shown}${to < text.length ? "…" : ""}`;
  };
  return { before: cut(a), after: cut(b) };
}

function summarize(
  module: string,
  only: string[],
  seconds: number | null,
): { figures: ModuleFigures; survivors: Survivor[] } | null {
  const file = join(outDir, `${module}.json`);
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, "utf8")) as Report;
  const figures: ModuleFigures = {
    module,
    only,
    killed: 0,
    survived: 0,
    timeout: 0,
    noCoverage: 0,
    errors: 0,
    killedOddly: 0,
    seconds,
  };
  const survivors: Survivor[] = [];
  for (const [path, { source, mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      switch (mutant.status) {
        case "Killed": {
          figures.killed++;
          const code = /gradmark exit code (\d+)/.exec(mutant.statusReason ?? "")?.[1];
          if (code !== "1") figures.killedOddly++;
          break;
        }
        case "Survived":
          figures.survived++;
          survivors.push({
            where: `${path}:${mutant.location.start.line}:${mutant.location.start.column}`,
            mutator: mutant.mutatorName,
            ...change(originalText(source, mutant), mutant.replacement ?? ""),
          });
          break;
        case "Timeout":
          figures.timeout++;
          break;
        case "NoCoverage":
          figures.noCoverage++;
          break;
        default:
          // RuntimeError, CompileError: not valid mutants, left out of the score as Stryker does.
          figures.errors++;
      }
    }
  }
  return { figures, survivors };
}

/** Stryker's mutation score: detected (killed or timed out) over valid mutants. */
const score = (f: Pick<ModuleFigures, "killed" | "timeout" | "survived" | "noCoverage">) => {
  const valid = f.killed + f.timeout + f.survived + f.noCoverage;
  return valid === 0 ? "n/a" : `${((100 * (f.killed + f.timeout)) / valid).toFixed(1)}%`;
};

function table(rows: ModuleFigures[]): string {
  const total: ModuleFigures = {
    module: "total",
    only: [],
    killed: 0,
    survived: 0,
    timeout: 0,
    noCoverage: 0,
    errors: 0,
    killedOddly: 0,
    seconds: 0,
  };
  for (const r of rows) {
    total.killed += r.killed;
    total.survived += r.survived;
    total.timeout += r.timeout;
    total.noCoverage += r.noCoverage;
    total.errors += r.errors;
    total.killedOddly += r.killedOddly;
    total.seconds = total.seconds === null || r.seconds === null ? null : total.seconds + r.seconds;
  }
  const line = (r: ModuleFigures) =>
    `| ${r.module} | ${r.only.join(",")} | ${r.killed + r.survived + r.timeout + r.noCoverage + r.errors} | ${r.killed} | ${r.survived} | ${r.timeout} | ${r.noCoverage} | ${r.errors} | ${r.killedOddly} | ${score(r)} | ${r.seconds === null ? "" : Math.round(r.seconds)} |`;
  return [
    "| module | graded problems | mutants | killed | survived | timeout | no coverage | errors | killed by exit code ≠ 1 | score | seconds |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows.map(line),
    line(total),
  ].join("\n");
}

/** Inline code in a Markdown table cell. */
const code = (text: string): string => `\`${text.replaceAll("|", "\\|").replaceAll("`", "'")}\``;

function main(argv: string[]): void {
  const reportOnly = argv.includes("--report");
  const requested = argv.filter((a) => !a.startsWith("--"));
  const modules = autodiff.modules;
  for (const m of requested) {
    if (!modules.includes(m))
      throw new Error(`unknown module '${m}'; modules: ${modules.join(", ")}`);
  }
  const affected = problemsAffectedBy(modules, autodiff.problems, solutionImports);
  mkdirSync(outDir, { recursive: true });

  // Run times survive a later `--report` or a partial run: kept next to the reports.
  const timesFile = join(outDir, "seconds.json");
  const times: Record<string, number> = existsSync(timesFile)
    ? JSON.parse(readFileSync(timesFile, "utf8"))
    : {};
  if (!reportOnly) {
    for (const module of requested.length > 0 ? requested : modules) {
      const only = affected.get(module)!;
      console.log(
        `\n=== ${module}: mutating reference/solution/${module}.ts, grading --only ${only.join(",")}`,
      );
      times[module] = runStryker(module, only);
      writeFileSync(timesFile, `${JSON.stringify(times, null, 2)}\n`);
    }
  }

  const rows: ModuleFigures[] = [];
  const survivors: Survivor[] = [];
  for (const module of modules) {
    const summary = summarize(module, affected.get(module)!, times[module] ?? null);
    if (!summary) continue;
    rows.push(summary.figures);
    survivors.push(...summary.survivors);
  }
  const text = [
    "# Mutation score of the grader over the staff solution",
    "",
    table(rows),
    "",
    `## Survivors (${survivors.length})`,
    "",
    "| where | mutator | original | mutant |",
    "|---|---|---|---|",
    ...survivors.map((s) => `| ${s.where} | ${s.mutator} | ${code(s.before)} | ${code(s.after)} |`),
    "",
  ].join("\n");
  writeFileSync(join(outDir, "summary.md"), text);
  console.log(`\n${text}`);
}

main(process.argv.slice(2));
