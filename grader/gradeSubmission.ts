import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Assignment, CheckDefinition, ProblemDefinition } from "./assignment/types.js";
import {
  type CheckResult,
  type GradeResult,
  type ProblemResult,
  SCHEMA_VERSION,
} from "./model/results.js";
import { type CheckRun, runCheck } from "./runCheck.js";
import { bundleSubmission, findModule } from "./sandbox/bundleSubmission.js";
import { Sandbox } from "./sandbox/Sandbox.js";
import { UsageError } from "./UsageError.js";
import { version } from "./version.js";

export interface GradeOptions {
  /** The submission folder (it must contain src/). */
  dir: string;
  /** The modules folder, when it is not `<dir>/src` (the staff solution is such a folder). */
  srcDir?: string;
  /** Default: the built-in autodiff assignment. */
  assignment?: Assignment;
  /** Default: the assignment's seed. */
  seed?: number;
  /** "grade" runs hidden checks too (default); "check" skips them. */
  mode?: "grade" | "check";
  /** Problem ids, export names or check ids to run; the rest is reported as skipped. */
  only?: string[];
  /** fast-check path of a counterexample to replay (with `only` naming one check). */
  path?: string;
  /** Called as each check finishes (for progress output). */
  onCheck?: (problem: ProblemResult, check: CheckResult) => void;
}

/** Grades one submission in a sandboxed child and returns the result model. */
export async function gradeSubmission(options: GradeOptions): Promise<GradeResult> {
  const started = performance.now();
  const assignment =
    options.assignment ?? (await import("./assignments/autodiff/index.js")).autodiff;
  const mode = options.mode ?? "grade";
  const seed = options.seed ?? assignment.seed;
  if (!Number.isSafeInteger(seed)) throw new UsageError(`the seed must be an integer, got ${seed}`);
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`no such folder: ${options.dir}`);
  const srcDir = resolve(options.srcDir ?? findSrcDir(dir, assignment));
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) {
    throw new UsageError(
      `${options.dir} has no src/ folder; a submission keeps its modules in src/`,
    );
  }
  const selected = selectChecks(assignment, options.only);
  if (options.path !== undefined && selected.size !== 1) {
    throw new UsageError("--path replays one counterexample: name exactly one check with --only");
  }

  const workDir = mkdtempSync(join(tmpdir(), "gradmark-"));
  const bundle = await bundleSubmission({
    srcDir,
    modules: assignment.modules,
    driversFile: assignment.drivers,
    outDir: workDir,
  });
  const sandbox = new Sandbox(bundle.file, assignment.limits);
  const deadline = performance.now() + assignment.defaults.budgetMs;
  const problems: ProblemResult[] = [];
  let hiddenSkipped = 0;
  const willRun = (check: CheckDefinition) =>
    selected.has(check.id) && !(mode === "check" && check.hidden);
  const loads = (problem: ProblemDefinition) =>
    !bundle.problems.some((p) => p.module === problem.module);
  // Problems that need a child: at least one check to run, and a module that bundled.
  const needChild = assignment.problems.map((p) => loads(p) && p.checks.some(willRun));
  const spareFor = (i: number) => needChild.slice(i + 1).includes(true);
  try {
    for (const [i, problem] of assignment.problems.entries()) {
      const result: ProblemResult = {
        id: problem.id,
        title: problem.title,
        module: problem.module,
        score: 0,
        maxScore: 0,
        checks: [],
      };
      problems.push(result);
      if (needChild[i]) {
        // A fresh child per problem: globals one problem's code overwrites cannot reach
        // another. The next problem's child boots while this one runs (no student code yet).
        sandbox.restart({ startNow: true, spare: spareFor(i) });
      }
      const moduleProblem = bundle.problems.find((p) => p.module === problem.module);
      const skipped = (check: CheckDefinition): CheckResult | null => {
        const base = {
          id: check.id,
          title: check.title,
          maxScore: check.points,
          hidden: check.hidden ?? false,
        };
        const none = { score: 0, counterexample: null, replay: null, runs: 0, durationMs: 0 };
        if (!willRun(check)) return { ...base, ...none, status: "skipped", message: "" };
        if (moduleProblem) {
          return {
            ...base,
            ...none,
            status: "error",
            message: `src/${problem.module} could not be loaded:\n${moduleProblem.message}`,
          };
        }
        return null;
      };
      hiddenSkipped += problem.checks.filter((c) => selected.has(c.id) && !willRun(c)).length;
      const toRun = problem.checks.filter((c) => skipped(c) === null);
      const runOptions = { seed, deadline, srcDir, path: options.path };
      // Checks overlap: each is timed from when the one before it finished.
      let lastEnd = performance.now();
      const timed = (check: CheckDefinition, running: Promise<CheckRun | null>) =>
        running.then((run) => {
          const end = performance.now();
          durations.set(check, Math.round(end - lastEnd));
          lastEnd = end;
          return run;
        });
      const durations = new Map<CheckDefinition, number>();
      let checkRuns: (CheckRun | null)[] = [];
      if (options.path === undefined) {
        // Every check's batch is queued before any is judged, so the child works through them
        // while the parent draws and judges. This is the sequence of calls the child sees in
        // any case, unless a check needs shrinking: its extra calls must come right after its
        // batch, so then the problem is run again, one check after the other, in a new child.
        checkRuns = await Promise.all(
          toRun.map((check) =>
            timed(check, runCheck(check, assignment, sandbox, { ...runOptions, batchOnly: true })),
          ),
        );
      }
      if (toRun.length > 0 && (checkRuns.length === 0 || checkRuns.includes(null))) {
        if (checkRuns.length > 0) sandbox.restart({ startNow: true, spare: spareFor(i) });
        checkRuns = [];
        lastEnd = performance.now();
        for (const check of toRun)
          checkRuns.push(await timed(check, runCheck(check, assignment, sandbox, runOptions)));
      }
      for (const check of problem.checks) {
        const run = checkRuns[toRun.indexOf(check)];
        if (!run) {
          result.checks.push(skipped(check)!);
          continue;
        }
        result.checks.push({
          id: check.id,
          title: check.title,
          maxScore: check.points,
          hidden: check.hidden ?? false,
          status: run.status,
          score: run.status === "passed" ? check.points : 0,
          message: run.message,
          counterexample: run.counterexample,
          replay:
            run.status === "passed"
              ? null
              : { seed, only: check.id, ...(run.path ? { path: run.path } : {}) },
          runs: run.runs,
          durationMs: durations.get(check) ?? 0,
        });
      }
      applyRequirements(problem, result);
      for (const c of result.checks) {
        if (c.status === "skipped") continue;
        result.score += c.score;
        result.maxScore += c.maxScore;
        options.onCheck?.(result, c);
      }
    }
  } finally {
    sandbox.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    graderVersion: version,
    assignment: { id: assignment.id, title: assignment.title },
    seed,
    mode,
    score: round(problems.reduce((t, p) => t + p.score, 0)),
    maxScore: round(problems.reduce((t, p) => t + p.maxScore, 0)),
    problems,
    output: { stdout: sandbox.stdout.text(), stderr: sandbox.stderr.text() },
    hiddenSkipped,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * A submission keeps its modules in src/. A folder without src/ that holds the modules itself
 * (like the staff solution, reference/solution) is taken as its own src/.
 */
function findSrcDir(dir: string, assignment: Assignment): string {
  const src = join(dir, "src");
  if (existsSync(src)) return src;
  const holdsModules = assignment.modules.some((module) => findModule(dir, module) !== null);
  return holdsModules ? dir : src;
}

/** Shape, immutability and finiteness checks earn points only with the values they depend on. */
function applyRequirements(problem: ProblemDefinition, result: ProblemResult): void {
  const byId = new Map(result.checks.map((c) => [c.id, c]));
  for (const check of problem.checks) {
    const own = byId.get(check.id)!;
    if (own.status !== "passed") continue;
    const missing = (check.requires ?? []).filter((id) => byId.get(id)?.status !== "passed");
    if (missing.length === 0) continue;
    own.status = "failed";
    own.score = 0;
    own.message = `passes on its own, but earns its points only together with ${missing.join(", ")}, which did not pass`;
  }
  for (const c of result.checks) c.score = round(c.score);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The checks `--only` names: a problem id ("3"), an export name ("Linear") or a check id
 * ("3.Linear.backward"); no tokens selects everything. Unknown tokens are a usage error.
 */
export function selectChecks(
  assignment: Assignment,
  only: readonly string[] | undefined,
): Set<string> {
  const all = assignment.problems.flatMap((p) => p.checks.map((c) => ({ problem: p, check: c })));
  if (!only || only.length === 0) return new Set(all.map(({ check }) => check.id));
  const selected = new Set<string>();
  for (const token of only) {
    const matches = all.filter(({ problem, check }) => matchesToken(token, problem, check));
    if (matches.length === 0) {
      const examples = all.slice(0, 3).map(({ check }) => check.id);
      throw new UsageError(
        `--only ${token} names no problem, export or check (try a problem id such as ${assignment.problems[0]?.id}, or a check id such as ${examples.join(", ")}; 'gradmark list' shows them all)`,
      );
    }
    for (const { check } of matches) selected.add(check.id);
  }
  return selected;
}

function matchesToken(token: string, problem: ProblemDefinition, check: CheckDefinition): boolean {
  // Export and module names are matched without regard to case: "EinSum" finds 5.einsum.*.
  const t = token.toLowerCase();
  const id = check.id.toLowerCase();
  if (token === problem.id || t === id || t === problem.module.toLowerCase()) return true;
  return id.split(".")[1] === t || id.startsWith(`${t}.`);
}
