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
import { VERDICTS, type Verdict } from "./verdicts.js";

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
  /** Killed only by a time limit: on a loaded machine that can be the load, not the mutant. */
  killedByTimeOnly: number;
  seconds: number | null;
}

/** The checks that did not pass in one grading run, from the terminal report's check lines. */
function failingChecks(output: string): { status: string; id: string }[] {
  const lines = output.matchAll(
    /^\s*✘ (failed|error|timeout|memory limit|crashed)\s+(\S+)\s+[\d.]+\/[\d.]+/gm,
  );
  return [...lines].map((m) => ({ status: m[1]!, id: m[2]! }));
}

/**
 * True when a time limit is all that failed: a timeout status. (The long chain used to be judged
 * on its wall clock too; it now counts backwardCall, which no machine's load changes.)
 */
function killedOnlyByTime(output: string): boolean {
  const failing = failingChecks(output);
  return failing.length > 0 && failing.every((c) => c.status === "timeout");
}

interface Survivor {
  module: string;
  line: number;
  where: string;
  mutator: string;
  /** The mutant's text in full (for matching a verdict). */
  replacement: string;
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
): { figures: ModuleFigures; survivors: Survivor[]; timeKills: Survivor[] } | null {
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
    killedByTimeOnly: 0,
    seconds,
  };
  const survivors: Survivor[] = [];
  const timeKills: Survivor[] = [];
  for (const [path, { source, mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      switch (mutant.status) {
        case "Killed": {
          figures.killed++;
          const code = /gradmark exit code (\d+)/.exec(mutant.statusReason ?? "")?.[1];
          if (code !== "1") figures.killedOddly++;
          if (killedOnlyByTime(mutant.statusReason ?? "")) {
            figures.killedByTimeOnly++;
            timeKills.push(describe(module, path, source, mutant));
          }
          break;
        }
        case "Survived":
          figures.survived++;
          survivors.push(describe(module, path, source, mutant));
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
  return { figures, survivors, timeKills };
}

function describe(module: string, path: string, source: string, mutant: ReportMutant): Survivor {
  return {
    module,
    line: mutant.location.start.line,
    where: `${path}:${mutant.location.start.line}:${mutant.location.start.column}`,
    mutator: mutant.mutatorName,
    replacement: mutant.replacement ?? "",
    ...change(originalText(source, mutant), mutant.replacement ?? ""),
  };
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
    killedByTimeOnly: 0,
    seconds: 0,
  };
  for (const r of rows) {
    total.killed += r.killed;
    total.survived += r.survived;
    total.timeout += r.timeout;
    total.noCoverage += r.noCoverage;
    total.errors += r.errors;
    total.killedOddly += r.killedOddly;
    total.killedByTimeOnly += r.killedByTimeOnly;
    total.seconds = total.seconds === null || r.seconds === null ? null : total.seconds + r.seconds;
  }
  const line = (r: ModuleFigures) =>
    `| ${r.module} | ${r.only.join(",")} | ${r.killed + r.survived + r.timeout + r.noCoverage + r.errors} | ${r.killed} | ${r.survived} | ${r.timeout} | ${r.noCoverage} | ${r.errors} | ${r.killedOddly} | ${r.killedByTimeOnly} | ${score(r)} | ${r.seconds === null ? "" : Math.round(r.seconds)} |`;
  return [
    "| module | graded problems | mutants | killed | survived | timeout | no coverage | errors | killed by exit code ≠ 1 | killed only by a time limit | score | seconds |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows.map(line),
    line(total),
  ].join("\n");
}

function verdictOf(s: Survivor): Verdict | undefined {
  return VERDICTS.find(
    (v) =>
      v.module === s.module &&
      s.line >= v.lines[0] &&
      s.line <= v.lines[1] &&
      (v.mutators === undefined || v.mutators.includes(s.mutator)) &&
      (v.replacements === undefined || v.replacements.includes(s.replacement)),
  );
}

/**
 * Every survivor under its verdict (in the order of mutation/verdicts.ts), those without one
 * first: one heading per verdict, one line per mutant.
 */
function survivorsByVerdict(survivors: Survivor[]): string[] {
  const mutantLine = (s: Survivor) =>
    `- \`${s.where.replace(/^reference\/solution\//, "")}\` ${s.mutator}: ${inline(s.before)} → ${inline(s.after)}`;
  const lines: string[] = [];
  const unexplained = survivors.filter((s) => verdictOf(s) === undefined);
  if (unexplained.length > 0) {
    lines.push("### No verdict yet", "", ...unexplained.map(mutantLine), "");
  }
  for (const verdict of VERDICTS) {
    const covered = survivors.filter((s) => verdictOf(s) === verdict);
    if (covered.length === 0) continue;
    const [from, to] = verdict.lines;
    const where = `${verdict.module}.ts ${from === to ? `line ${from}` : `lines ${from}-${to}`}`;
    lines.push(`### ${where}: ${verdict.kind} (${covered.length})`, "", verdict.why, "");
    lines.push(...covered.map(mutantLine), "");
  }
  return lines;
}

/** Inline code outside a table. */
const inline = (text: string): string => `\`${text.replaceAll("`", "'")}\``;

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
  const timeKills: Survivor[] = [];
  for (const module of modules) {
    const summary = summarize(module, affected.get(module)!, times[module] ?? null);
    if (!summary) continue;
    rows.push(summary.figures);
    survivors.push(...summary.survivors);
    timeKills.push(...summary.timeKills);
  }
  const unexplained = survivors.filter((s) => verdictOf(s) === undefined);
  const stronger = survivors.filter((s) => verdictOf(s)?.kind === "stronger check");
  const equivalent = survivors.length - unexplained.length - stronger.length;
  const valid = rows.reduce((n, r) => n + r.killed + r.timeout + r.survived + r.noCoverage, 0);
  const detected = rows.reduce((n, r) => n + r.killed + r.timeout, 0);
  const relevant = valid - equivalent;
  const text = [
    "# Mutation score of the grader over the staff solution",
    "",
    table(rows),
    "",
    `Survivors: ${equivalent} equivalent, ${stronger.length} needing a stronger check, ${unexplained.length} without a verdict.`,
    `Score over the mutants that are not equivalent: ${relevant === 0 ? "n/a" : `${((100 * detected) / relevant).toFixed(1)}%`} (${detected} of ${relevant}).`,
    "",
    `## Survivors (${survivors.length}), by verdict`,
    "",
    ...survivorsByVerdict(survivors),
    `## Killed only by a time limit (${timeKills.length})`,
    "",
    "Kills that a busy machine alone could explain: check that these mutants really are slow.",
    "",
    "| where | mutator | original | mutant |",
    "|---|---|---|---|",
    ...timeKills.map((s) => `| ${s.where} | ${s.mutator} | ${code(s.before)} | ${code(s.after)} |`),
    "",
  ].join("\n");
  writeFileSync(join(outDir, "summary.md"), text);
  console.log(`\n${text}`);
  if (unexplained.length > 0) {
    console.log(`${unexplained.length} survivors have no verdict in mutation/verdicts.ts yet.`);
  }
}

main(process.argv.slice(2));
