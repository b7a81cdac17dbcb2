import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { Assignment, CheckDefinition, ProblemDefinition } from "../authoring/types.js";
import { AssignmentError, shownFile } from "../common/AssignmentError.js";
import { sanitize } from "../common/sanitize.js";
import { UsageError } from "../common/UsageError.js";
import { version } from "../common/version.js";
import { knockOnMessage } from "../model/knockOn.js";
import {
  type CheckResult,
  type GradeResult,
  type ProblemResult,
  SCHEMA_VERSION,
} from "../model/results.js";
import type { SandboxReport } from "../model/SandboxReport.js";
import { statusWord } from "../model/statusWord.js";
import { BundleStackMapper } from "../sandbox/BundleStackMapper.js";
import {
  bundleSubmission,
  findModule,
  type SubmissionBundle,
} from "../sandbox/bundleSubmission.js";
import { prepareIsolation } from "../sandbox/isolation/detectIsolation.js";
import {
  checkIsolation,
  type IsolationLevel,
  isolationLevel,
} from "../sandbox/isolation/requireIsolation.js";
import { OutputCapture } from "../sandbox/OutputCapture.js";
import { Sandbox } from "../sandbox/Sandbox.js";
import { type CheckRun, preflightCheck, runCheck } from "./runCheck.js";

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
  /** Called for each check of a problem when the problem is done (problems finish in any order). */
  onCheck?: (problem: ProblemResult, check: CheckResult) => void;
  /**
   * Problems graded at once, each lane with its own child (default 2 where there are two cores
   * or more, else 1). The result is the same for any number of lanes.
   */
  lanes?: number;
  /**
   * Keep the details of hidden checks (message, counterexample, replay) and what the submission
   * printed while they ran, for staff regrading locally. Default false: a hidden check reports
   * its status and a generic message only, and its output is withheld (counted, never kept), so
   * no report can show a student the inputs of a hidden check. Never set it where students see
   * the report (an autograder, a student's CI).
   */
  revealHidden?: boolean;
  /**
   * `strict` refuses to grade (IsolationError) where children would have no network namespace;
   * default GRADMARK_ISOLATION, else `best` (grade with the layers there are, and say which).
   */
  isolation?: IsolationLevel;
}

/** Grades one submission in a sandboxed child and returns the result model. */
export async function gradeSubmission(options: GradeOptions): Promise<GradeResult> {
  const started = performance.now();
  const assignment =
    options.assignment ?? (await import("../assignments/autodiff/index.js")).autodiff;
  const mode = options.mode ?? "grade";
  const seed = options.seed ?? assignment.seed;
  if (!Number.isSafeInteger(seed)) throw new UsageError(`the seed must be an integer, got ${seed}`);
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`no such folder: ${options.dir}`);
  const srcDir = resolve(options.srcDir ?? findSrcDir(dir, assignment));
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) {
    throw new UsageError(
      options.srcDir !== undefined
        ? `no such folder: ${options.srcDir}`
        : noModulesMessage(options.dir, dir, assignment),
    );
  }
  if (options.lanes !== undefined && !(Number.isSafeInteger(options.lanes) && options.lanes >= 1))
    throw new UsageError(`lanes must be a positive integer, got ${options.lanes}`);
  const selected = selectChecks(assignment, options.only);
  // Every driver the assignment's checks name: the children refuse to run anything until their
  // drivers module is known to have them all (see Sandbox.requireDrivers).
  const drivers = [...new Set(assignment.problems.flatMap((p) => p.checks.map((c) => c.driver)))];
  if (options.path !== undefined && selected.size !== 1) {
    throw new UsageError("--path replays one counterexample: name exactly one check with --only");
  }

  const level = isolationLevel(options.isolation);
  // The OS walls are probed (once per process) while the submission bundles.
  const isolationProbed = prepareIsolation().then(
    () => {},
    () => {},
  );
  let sandboxReport: SandboxReport | undefined;
  const workDir = mkdtempSync(join(tmpdir(), "gradmark-"));
  const limits = assignment.limits;
  const problems: ProblemResult[] = [];
  const revealHidden = options.revealHidden ?? false;
  const captures = (limitBytes: number): Captures => ({
    stdout: new OutputCapture(limitBytes),
    stderr: new OutputCapture(limitBytes),
  });
  const outputs = assignment.problems.map(() => captures(limits.outputBytes));
  // What children print once they have run a hidden check: a capture of 0 bytes keeps nothing
  // and counts everything, unless staff asked to see it.
  const withheld = assignment.problems.map(() => captures(revealHidden ? limits.outputBytes : 0));
  const sandboxes: Sandbox[] = [];
  let output: GradeResult["output"] = { stdout: "", stderr: "" };
  try {
    const bundling = bundleSubmission({
      srcDir,
      modules: assignment.modules,
      driversFile: assignment.drivers,
      outDir: workDir,
    }).catch((error: unknown) => {
      // The modules that did not bundle are left out and reported, so a bundle that still
      // cannot be built is the grader's own code's, or the drivers module's.
      throw bundleFault(error, assignment);
    });
    // While esbuild bundles, the staff code that needs no submission runs once per check that
    // will run, before any child starts: its faults (an arbitrary, a payload or a printer that
    // throws, a tolerance that is not finite) stop the grading here, not in the middle of it.
    try {
      const done = preflightedChecks(assignment);
      for (const check of assignment.problems.flatMap((p) => p.checks)) {
        const key = `${seed}:${check.id}`;
        if (!selected.has(check.id) || (mode === "check" && check.hidden) || done.has(key))
          continue;
        preflightCheck(check, assignment, { seed, revealHidden });
        done.add(key);
      }
    } catch (error) {
      // The bundle is written into workDir: let it finish before workDir goes.
      await bundling.catch(() => {});
      throw error;
    }
    const bundle = await bundling;
    await isolationProbed;
    sandboxReport = checkIsolation(level);
    const deadline = performance.now() + assignment.defaults.budgetMs;
    const stackMapper = new BundleStackMapper(bundle.file, bundle.mapFile);
    const willRun = (check: CheckDefinition) =>
      selected.has(check.id) && !(mode === "check" && check.hidden);
    const loads = (problem: ProblemDefinition) =>
      !bundle.problems.some((p) => p.module === problem.module);
    // Problems that need a child: at least one check to run, and a module that bundled.
    const needChild = assignment.problems
      .map((p, i) => (loads(p) && p.checks.some(willRun) ? i : -1))
      .filter((i) => i >= 0);
    const laneCount = Math.max(1, Math.min(options.lanes ?? defaultLanes(), needChild.length));
    const context: ProblemContext = {
      assignment,
      onCheck: options.onCheck,
      bundle,
      seed,
      deadline,
      srcDir,
      path: options.path,
      willRun,
      revealHidden,
      mapStack: (stack) => stackMapper.map(stack),
    };
    for (const [i, problem] of assignment.problems.entries()) {
      if (!needChild.includes(i)) problems[i] = await gradeProblem(problem, context, null);
    }
    // Each lane takes the next problem when it is free, heaviest first, so a long one (training)
    // overlaps the rest instead of running alone at the end. Results and output do not depend
    // on which lane graded what.
    const queue = heaviestFirst(assignment, needChild);
    await Promise.all(
      Array.from({ length: laneCount }, async () => {
        const sandbox = new Sandbox(bundle.file, limits);
        sandbox.requireDrivers(drivers);
        sandboxes.push(sandbox);
        try {
          for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
            // Fresh children per problem (see gradeProblem): globals one problem's code
            // overwrites cannot reach another.
            problems[i] = await gradeProblem(assignment.problems[i]!, context, {
              sandbox,
              more: queue.length > 0,
              visible: outputs[i]!,
              hidden: withheld[i]!,
            });
          }
        } catch (error) {
          // A fault (of the assignment, say) ends the grading: the other lanes take no more.
          queue.length = 0;
          throw error;
        }
        await sandbox.close();
      }),
    );
    // The output of the children that ran hidden checks only when revealed, after the problem's
    // own; else only its size is known (see Lane.hidden).
    const kept = revealHidden ? outputs.flatMap((o, i) => [o, withheld[i]!]) : outputs;
    // Output the student printed may hold stack traces too (console.error(error)): shown with
    // their src/ lines, like the reported errors. Display only: output is never read for results.
    const shown = (captures: OutputCapture[]) =>
      stackMapper.map(OutputCapture.joined(captures, limits.outputBytes));
    output = {
      stdout: shown(kept.map((o) => o.stdout)),
      stderr: shown(kept.map((o) => o.stderr)),
    };
    const hiddenRan = problems.some((p) =>
      p.checks.some((c) => c.hidden && c.status !== "skipped"),
    );
    if (hiddenRan && !revealHidden) {
      output.withheldBytes = withheld.reduce((t, w) => t + w.stdout.dropped + w.stderr.dropped, 0);
    }
  } finally {
    await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
    rmSync(workDir, { recursive: true, force: true });
  }
  const hiddenSkipped = assignment.problems
    .flatMap((p) => p.checks)
    .filter((c) => selected.has(c.id) && mode === "check" && c.hidden).length;
  return {
    schemaVersion: SCHEMA_VERSION,
    graderVersion: version,
    assignment: { id: assignment.id, title: assignment.title },
    seed,
    mode,
    score: round(problems.reduce((t, p) => t + p.score, 0)),
    maxScore: round(problems.reduce((t, p) => t + p.maxScore, 0)),
    problems,
    output,
    hiddenSkipped,
    sandbox: sandboxReport,
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

/**
 * Why `dir` (shown as `given`) cannot be graded when it has neither src/ nor a module at its top
 * level, on one line: what it holds, and what a submission is (either layout, modules named).
 */
function noModulesMessage(given: string, dir: string, assignment: Assignment): string {
  const files = assignment.modules.map((module) => `${module}.ts`);
  const modules = `${files.slice(0, -1).join(", ")} and ${files.at(-1)}`;
  const accepted = `a submission is a src/ folder holding the modules ${modules} (or .js), or those files at its top level`;
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return `${given} is empty: ${accepted}`;
  const shown = entries.slice(0, 6).map((name) => {
    const clean = shownName(name);
    const short = clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
    return isFolder(join(dir, name)) ? `${short}/` : short;
  });
  const more = entries.length > shown.length ? `, ... (${entries.length} entries)` : "";
  if (existsSync(join(dir, "src"))) return `${given}/src is a file, not a folder: ${accepted}`;
  // The usual slip: the folder around the work was uploaded instead of what is inside it.
  const wrapper = entries.find(
    (name) =>
      isFolder(join(dir, name)) &&
      (isFolder(join(dir, name, "src")) ||
        assignment.modules.some((module) => findModule(join(dir, name), module) !== null)),
  );
  const hint = wrapper
    ? `; the modules seem to be inside ${shownName(wrapper)}/, so submit what that folder holds instead`
    : "";
  return `${given} has no src/ folder and none of the modules at its top level (it holds ${shown.join(", ")}${more}${hint}): ${accepted}`;
}

/** A file name on one line, without anything a terminal would act on. */
function shownName(name: string): string {
  return sanitize(name.replace(/[\n\t]/g, " "));
}

/**
 * The checks whose staff code already ran its preflight in this process, by seed and check id:
 * a batch worker grades many submissions under one seed, and pays it once (30-50 ms).
 */
const preflighted = new WeakMap<Assignment, Set<string>>();

function preflightedChecks(assignment: Assignment): Set<string> {
  let done = preflighted.get(assignment);
  if (!done) {
    done = new Set();
    preflighted.set(assignment, done);
  }
  return done;
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
    own.message = knockOnMessage(missing);
  }
  for (const c of result.checks) c.score = round(c.score);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The checks `--only` names; no tokens selects everything. A token that is a check id, exactly
 * and in the same case, selects that check alone, even when it also starts other check ids
 * ("1.Conv1d.backward", not "1.Conv1d.backward.large"), so a replay command (`--only <id>
 * --path ...`) always names one check. Any other token selects, without regard to case, every
 * check of the problems whose id ("3") or module ("layers") it is, and every check whose export
 * name (the id's second part: "Linear", "linear", "EinSum") it is. defineAssignment refuses ids
 * that would make a token mean two things (a check id that is also a problem id, module or
 * export name in any case, or two check ids that differ only in case). A token that names
 * nothing is a usage error: "did you mean" for a check id in the wrong case, the check ids it
 * starts for the start of one, examples otherwise.
 */
export function selectChecks(
  assignment: Assignment,
  only: readonly string[] | undefined,
): Set<string> {
  const all = assignment.problems.flatMap((p) => p.checks.map((c) => ({ problem: p, check: c })));
  if (!only || only.length === 0) return new Set(all.map(({ check }) => check.id));
  const selected = new Set<string>();
  for (const token of only) {
    const exact = all.find(({ check }) => check.id === token);
    const matches = exact
      ? [exact]
      : all.filter(({ problem, check }) => inGroup(token, problem, check));
    if (matches.length === 0) throw new UsageError(namesNothing(token, assignment, all));
    for (const { check } of matches) selected.add(check.id);
  }
  return selected;
}

/**
 * Whether `token` is, in any case, the check's problem id, module, export name, or problem id and
 * export name together ("3.Linear", what annotations and reports call an export).
 */
function inGroup(token: string, problem: ProblemDefinition, check: CheckDefinition): boolean {
  const t = token.toLowerCase();
  const [, exportName] = check.id.split(".");
  return (
    t === problem.id.toLowerCase() ||
    t === problem.module.toLowerCase() ||
    exportName?.toLowerCase() === t ||
    (exportName !== undefined && `${problem.id}.${exportName}`.toLowerCase() === t)
  );
}

/** Why `--only token` selects nothing, with what the user may have meant. */
function namesNothing(
  token: string,
  assignment: Assignment,
  all: readonly { check: CheckDefinition }[],
): string {
  const start = `--only ${token} names no problem, export or check`;
  const t = token.toLowerCase();
  const sameButCase = all.find(({ check }) => check.id.toLowerCase() === t);
  if (sameButCase) {
    return `${start}: did you mean ${sameButCase.check.id}? (check ids are matched exactly, case included)`;
  }
  const started = all.filter(({ check }) => check.id.toLowerCase().startsWith(`${t}.`));
  if (started.length > 0) {
    const ids = started.slice(0, 5).map(({ check }) => check.id);
    const more = started.length > ids.length ? `, ... (${started.length})` : "";
    const exportName = started[0]!.check.id.split(".")[1];
    const or = exportName && token.includes(".") ? `, or the export ${exportName}` : "";
    return `${start}: it starts the check ids ${ids.join(", ")}${more}; name one whole${or} (check ids are matched whole)`;
  }
  const examples = all.slice(0, 3).map(({ check }) => check.id);
  return `${start} (try a problem id such as ${assignment.problems[0]?.id}, or a check id such as ${examples.join(", ")}; 'gradmark list' shows them all)`;
}

/** What every problem of one grading shares. */
interface ProblemContext {
  assignment: Assignment;
  bundle: SubmissionBundle;
  seed: number;
  deadline: number;
  srcDir: string;
  path: string | undefined;
  willRun: (check: CheckDefinition) => boolean;
  revealHidden: boolean;
  onCheck: GradeOptions["onCheck"];
  mapStack: (stack: string) => string;
}

/** Where one child's stdout and stderr go. */
interface Captures {
  stdout: OutputCapture;
  stderr: OutputCapture;
}

/** The lane a problem is graded in: its sandbox, and where the problem's output goes. */
interface Lane {
  sandbox: Sandbox;
  /** Whether the lane has problems after this one (a restart keeps a spare child for them). */
  more: boolean;
  /** For the children that run the problem's visible checks. */
  visible: Captures;
  /** For the children that run its hidden checks (withheld from reports; see gradeSubmission). */
  hidden: Captures;
}

/** The generic message of a hidden check that did not pass: its status, nothing of its case. */
function hiddenCheckMessage(status: CheckResult["status"]): string {
  return `${statusWord(status)} (hidden check: its inputs, output and details are not shown; course staff can see them by regrading locally)`;
}

/**
 * Grades one problem in `lane` (null when none of its checks runs a child: all skipped, or its
 * module did not bundle). The visible checks run first, in a fresh child whose output is the
 * problem's; then, if any hidden check runs, a second fresh child runs them with its output
 * withheld. A child that has run a hidden check may print its inputs at any moment afterwards
 * (a timer, a later call), so no visible check ever runs in such a child. A problem without
 * hidden checks to run uses one child, as before. Results are listed in the assignment's order.
 */
async function gradeProblem(
  problem: ProblemDefinition,
  context: ProblemContext,
  lane: Lane | null,
): Promise<ProblemResult> {
  const { bundle, seed, willRun } = context;
  const result: ProblemResult = {
    id: problem.id,
    title: problem.title,
    module: problem.module,
    score: 0,
    maxScore: 0,
    checks: [],
  };
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
  const toRun = lane ? problem.checks.filter((c) => skipped(c) === null) : [];
  const groups = [toRun.filter((c) => !c.hidden), toRun.filter((c) => c.hidden)].filter(
    (group) => group.length > 0,
  );
  const runs = new Map<CheckDefinition, CheckRun>();
  const durations = new Map<CheckDefinition, number>();
  for (const [g, group] of groups.entries()) {
    const { sandbox } = lane!;
    const captures = group[0]!.hidden ? lane!.hidden : lane!.visible;
    // A spare child boots while this one runs (no student code yet) when a restart follows:
    // the hidden group's, or the lane's next problem's.
    const spare = lane!.more || g < groups.length - 1;
    sandbox.captureInto(captures.stdout, captures.stderr);
    sandbox.restart({ startNow: true, spare });
    await runGroup(group, context, sandbox, spare, runs, durations);
  }
  for (const check of problem.checks) {
    const run = runs.get(check);
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
  if (!context.revealHidden) {
    for (const c of result.checks) {
      if (!c.hidden || c.status === "skipped") continue;
      c.message = c.status === "passed" ? "" : hiddenCheckMessage(c.status);
      c.counterexample = null;
      c.replay = null;
    }
  }
  for (const c of result.checks) {
    if (c.status === "skipped") continue;
    result.score += c.score;
    result.maxScore += c.maxScore;
    context.onCheck?.(result, c);
  }
  return result;
}

/**
 * Runs `group` (checks of one problem, in the assignment's order) in `sandbox`'s current child,
 * recording each check's run and duration. `spare` is passed on to a restart.
 */
async function runGroup(
  group: CheckDefinition[],
  context: ProblemContext,
  sandbox: Sandbox,
  spare: boolean,
  runs: Map<CheckDefinition, CheckRun>,
  durations: Map<CheckDefinition, number>,
): Promise<void> {
  const { assignment } = context;
  const runOptions = {
    seed: context.seed,
    deadline: context.deadline,
    srcDir: context.srcDir,
    mapStack: context.mapStack,
    path: context.path,
    revealHidden: context.revealHidden,
  };
  // Checks overlap: each is timed from when the one before it finished.
  let lastEnd = performance.now();
  const timed = (check: CheckDefinition, running: Promise<CheckRun | null>) =>
    running.then((run) => {
      const end = performance.now();
      durations.set(check, Math.round(end - lastEnd));
      lastEnd = end;
      return run;
    });
  let checkRuns: (CheckRun | null)[] = [];
  if (context.path === undefined) {
    // Every check's batch is queued as soon as it is drawn, so the child works through them
    // while the parent draws and judges. This is the sequence of calls the child sees in
    // any case, unless a check needs shrinking: its extra calls must come right after its
    // batch, so then the group is run again, one check after the other, in a new child.
    const running: Promise<CheckRun | null>[] = [];
    for (const check of group) {
      const run = timed(
        check,
        runCheck(check, assignment, sandbox, { ...runOptions, batchOnly: true }),
      );
      // Handled by Promise.all below; until then a failure must not count as unhandled.
      run.catch(() => {});
      running.push(run);
      // Between two draws, the child's messages are heard (its start, a result to judge, a
      // batch to send) and the other lane gets its turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    checkRuns = await Promise.all(running);
  }
  if (checkRuns.length === 0 || checkRuns.includes(null)) {
    if (checkRuns.length > 0) sandbox.restart({ startNow: true, spare });
    checkRuns = [];
    lastEnd = performance.now();
    for (const check of group)
      checkRuns.push(await timed(check, runCheck(check, assignment, sandbox, runOptions)));
  }
  for (const [i, check] of group.entries()) runs.set(check, checkRuns[i]!);
}

/**
 * What a bundle that could not be built is: the student modules that do not bundle are left out
 * (and reported) before the last build, so when esbuild's error is in the drivers module (or in
 * the generated entry, which only imports the runtime and the drivers), the drivers module is at
 * fault: an AssignmentError. Any other error is returned as it is.
 */
function bundleFault(error: unknown, assignment: Assignment): unknown {
  type Located = { file?: string; line?: number; column?: number } | null;
  const errors = (error as { errors?: { text?: string; location?: Located }[] })?.errors;
  if (!Array.isArray(errors)) return error;
  const driversName = basename(assignment.drivers);
  const drivers = errors.find((e) => {
    const file = e.location?.file ?? "";
    return (
      basename(file) === driversName ||
      basename(file) === "gradmark-entry.ts" ||
      (e.text ?? "").includes(driversName)
    );
  });
  if (!drivers) return error;
  const at = drivers.location;
  const place =
    at && basename(at.file ?? "") === driversName && at.line !== undefined
      ? ` at ${shownFile(assignment.drivers)}:${at.line}:${(at.column ?? 0) + 1}`
      : "";
  return new AssignmentError(
    assignment,
    null,
    `its drivers module ${shownFile(assignment.drivers)} could not be bundled for the sandbox: ${drivers.text ?? "unknown error"}${place}`,
  );
}

/** Problems graded at once by default: two where there are two cores or more. */
function defaultLanes(): number {
  return availableParallelism() >= 2 ? 2 : 1;
}

/**
 * The problems at `indices`, heaviest first (ties in the assignment's order): a problem's
 * weight, or else the number of runs of its checks.
 */
function heaviestFirst(assignment: Assignment, indices: readonly number[]): number[] {
  const weight = (i: number) => {
    const problem = assignment.problems[i]!;
    return (
      problem.weight ?? problem.checks.reduce((t, c) => t + (c.runs ?? assignment.defaults.runs), 0)
    );
  };
  return [...indices].sort((a, b) => weight(b) - weight(a) || a - b);
}
