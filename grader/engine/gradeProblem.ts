import type { CheckDefinition, ProblemDefinition } from "../authoring/types.js";
import type { CheckResult, ProblemResult } from "../model/results.js";
import { statusWord } from "../model/statusWord.js";
import type { ModuleProblem } from "../sandbox/bundleSubmission.js";
import type { Sandbox } from "../sandbox/Sandbox.js";
import type { ProblemContext } from "./ProblemContext.js";
import type { CheckRun } from "./runCheck.js";
import { runGroup } from "./runGroup.js";
import type { Captures } from "./SubmissionOutput.js";
import { addUp, applyRequirements, earned } from "./scoring.js";

/** The lane a problem is graded in: its sandbox, and where the problem's output goes. */
export interface Lane {
  sandbox: Sandbox;
  /** Whether the lane has problems after this one (a restart keeps a spare child for them). */
  more: boolean;
  /** For the children that run the problem's visible checks. */
  visible: Captures;
  /** For the children that run its hidden checks (withheld from reports; see SubmissionOutput). */
  hidden: Captures;
}

/**
 * Grades one problem in `lane` (null when none of its checks runs a child: all skipped, or its
 * module did not bundle). The visible checks run first, in a fresh child whose output is the
 * problem's; then, if any hidden check runs, a second fresh child runs them with its output
 * withheld. A child that has run a hidden check may print its inputs at any moment afterwards
 * (a timer, a later call), so no visible check ever runs in such a child. A problem without
 * hidden checks to run uses one child, as before. Results are listed in the assignment's order.
 */
export async function gradeProblem(
  problem: ProblemDefinition,
  context: ProblemContext,
  lane: Lane | null,
): Promise<ProblemResult> {
  const result: ProblemResult = {
    id: problem.id,
    title: problem.title,
    module: problem.module,
    score: 0,
    maxScore: 0,
    checks: [],
  };
  const moduleProblem = context.bundle.problems.find((p) => p.module === problem.module);
  const notRun = (check: CheckDefinition) =>
    notRunResult(problem, check, context.willRun(check), moduleProblem);
  const toRun = lane ? problem.checks.filter((c) => notRun(c) === null) : [];
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
    result.checks.push(
      run ? ranResult(check, run, context.seed, durations.get(check) ?? 0) : notRun(check)!,
    );
  }
  applyRequirements(problem, result);
  if (!context.revealHidden) withholdHidden(result.checks);
  addUp(result, (p, c) => context.onCheck?.(p, c));
  return result;
}

/**
 * The result of a check that runs no child: skipped when this grading does not run it, an error
 * when its problem's module did not bundle; null when it runs.
 */
function notRunResult(
  problem: ProblemDefinition,
  check: CheckDefinition,
  willRun: boolean,
  moduleProblem: ModuleProblem | undefined,
): CheckResult | null {
  const base = {
    id: check.id,
    title: check.title,
    maxScore: check.points,
    hidden: check.hidden ?? false,
  };
  const none = { score: 0, counterexample: null, replay: null, runs: 0, durationMs: 0 };
  if (!willRun) return { ...base, ...none, status: "skipped", message: "" };
  if (moduleProblem) {
    return {
      ...base,
      ...none,
      status: "error",
      message: `src/${problem.module} could not be loaded:\n${moduleProblem.message}`,
    };
  }
  return null;
}

/** The result of a check that ran, before requirements apply: a failure says how to replay it. */
function ranResult(
  check: CheckDefinition,
  run: CheckRun,
  seed: number,
  durationMs: number,
): CheckResult {
  return {
    id: check.id,
    title: check.title,
    maxScore: check.points,
    hidden: check.hidden ?? false,
    status: run.status,
    score: earned(check, run.status),
    message: run.message,
    counterexample: run.counterexample,
    replay:
      run.status === "passed"
        ? null
        : { seed, only: check.id, ...(run.path ? { path: run.path } : {}) },
    runs: run.runs,
    durationMs,
  };
}

/** Leaves each hidden check that ran its status only, with a generic message. */
function withholdHidden(checks: CheckResult[]): void {
  for (const c of checks) {
    if (!c.hidden || c.status === "skipped") continue;
    c.message = c.status === "passed" ? "" : hiddenCheckMessage(c.status);
    c.counterexample = null;
    c.replay = null;
  }
}

/** The generic message of a hidden check that did not pass: its status, nothing of its case. */
function hiddenCheckMessage(status: CheckResult["status"]): string {
  return `${statusWord(status)} (hidden check: its inputs, output and details are not shown; course staff can see them by regrading locally)`;
}
