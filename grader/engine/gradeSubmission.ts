import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Assignment, CheckDefinition, ProblemDefinition } from "../authoring/types.js";
import { UsageError } from "../common/UsageError.js";
import { version } from "../common/version.js";
import {
  type CheckResult,
  type GradeResult,
  type ProblemResult,
  SCHEMA_VERSION,
} from "../model/results.js";
import type { SandboxReport } from "../model/SandboxReport.js";
import { BundleStackMapper } from "../sandbox/BundleStackMapper.js";
import { bundleSubmission, type SubmissionBundle } from "../sandbox/bundleSubmission.js";
import { prepareIsolation } from "../sandbox/isolation/detectIsolation.js";
import {
  checkIsolation,
  type IsolationLevel,
  isolationLevel,
} from "../sandbox/isolation/requireIsolation.js";
import type { Sandbox } from "../sandbox/Sandbox.js";
import { bundleFault } from "./bundleFault.js";
import { findSrcDir, noModulesMessage } from "./findSrcDir.js";
import { gradeInLanes } from "./gradeInLanes.js";
import { gradeProblem } from "./gradeProblem.js";
import type { ProblemContext } from "./ProblemContext.js";
import { type PreflightOptions, preflightChecks } from "./preflightChecks.js";
import { SubmissionOutput } from "./SubmissionOutput.js";
import { gradeTotals } from "./scoring.js";
import { selectChecks } from "./selectChecks.js";

// Part of the public API with gradeSubmission (see grader/index.ts), and of the watch command.
export { selectChecks };

/** How to grade one submission (see gradeSubmission); only `dir` is required. */
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
  /**
   * false: a failing check reports its first failing case as drawn, not shrunk and with no
   * replay path, which costs no child calls after its batch (watch mode shows that verdict at
   * once, then grades the failing checks again to shrink them). Default true.
   */
  shrink?: boolean;
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
  const { mode, seed, srcDir, selected, level } = settleOptions(options, assignment);
  // The OS walls are probed (once per process) while the submission bundles.
  const isolationProbed = prepareIsolation().then(
    () => {},
    () => {},
  );
  let sandboxReport: SandboxReport | undefined;
  const workDir = mkdtempSync(join(tmpdir(), "gradmark-"));
  const problems: ProblemResult[] = [];
  const revealHidden = options.revealHidden ?? false;
  const printed = new SubmissionOutput(
    assignment.problems.length,
    assignment.limits.outputBytes,
    revealHidden,
  );
  const sandboxes: Sandbox[] = [];
  let output: GradeResult["output"] = { stdout: "", stderr: "" };
  try {
    const preflight = { seed, selected, mode, revealHidden };
    const bundle = await bundleChecked(assignment, srcDir, workDir, preflight);
    await isolationProbed;
    sandboxReport = checkIsolation(level);
    const deadline = performance.now() + assignment.defaults.budgetMs;
    const stackMapper = new BundleStackMapper(bundle.file, bundle.mapFile);
    const willRun = (check: CheckDefinition) =>
      selected.has(check.id) && !(mode === "check" && check.hidden);
    const needChild = needingChild(assignment, bundle, willRun);
    const context: ProblemContext = {
      assignment,
      onCheck: options.onCheck,
      bundle,
      seed,
      deadline,
      srcDir,
      path: options.path,
      shrink: options.shrink ?? true,
      willRun,
      revealHidden,
      mapStack: (stack) => stackMapper.map(stack),
    };
    for (const [i, problem] of assignment.problems.entries()) {
      if (!needChild.includes(i)) problems[i] = await gradeProblem(problem, context, null);
    }
    await gradeInLanes({ context, needChild, lanes: options.lanes, printed, sandboxes, problems });
    output = printed.report(problems, (text) => stackMapper.map(text));
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
    ...gradeTotals(problems),
    problems,
    output,
    hiddenSkipped,
    sandbox: sandboxReport,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Indices of the problems that need a child: at least one check to run, and a module that
 * bundled.
 */
function needingChild(
  assignment: Assignment,
  bundle: SubmissionBundle,
  willRun: (check: CheckDefinition) => boolean,
): number[] {
  const loads = (problem: ProblemDefinition) =>
    !bundle.problems.some((p) => p.module === problem.module);
  return assignment.problems
    .map((p, i) => (loads(p) && p.checks.some(willRun) ? i : -1))
    .filter((i) => i >= 0);
}

/** The options of one grading, checked (a UsageError says what is wrong) and with defaults. */
interface Settled {
  mode: "grade" | "check";
  seed: number;
  /** The submission's modules folder, which exists. */
  srcDir: string;
  /** Ids of the checks `only` selects. */
  selected: Set<string>;
  level: IsolationLevel;
}

/** Checks `options` one by one, in this order: the first that is wrong throws its UsageError. */
function settleOptions(options: GradeOptions, assignment: Assignment): Settled {
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
  if (options.path !== undefined && selected.size !== 1) {
    throw new UsageError("--path replays one counterexample: name exactly one check with --only");
  }
  return { mode, seed, srcDir, selected, level: isolationLevel(options.isolation) };
}

/**
 * Bundles the submission into `workDir`, and runs the preflight of the checks that will run
 * (see preflightChecks) while esbuild works: a fault found by either ends the grading here.
 */
async function bundleChecked(
  assignment: Assignment,
  srcDir: string,
  workDir: string,
  preflight: PreflightOptions,
): Promise<SubmissionBundle> {
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
    preflightChecks(assignment, preflight);
  } catch (error) {
    // The bundle is written into workDir: let it finish before workDir goes.
    await bundling.catch(() => {});
    throw error;
  }
  return bundling;
}
