import fc from "fast-check";
import { showValue } from "../authoring/judge.js";
import type { Assignment, CheckDefinition, JudgeContext } from "../authoring/types.js";
import { AssignmentError, describeThrown, shownFile } from "../common/AssignmentError.js";
import type { CheckStatus } from "../model/results.js";
import { FloatPack } from "../sandbox/protocol/FloatPack.js";
import type { Outcome } from "../sandbox/protocol/messages.js";
import type { BatchResult, Sandbox } from "../sandbox/Sandbox.js";
import { fromWireResult, toWirePayload } from "../sandbox/wireValues.js";
import { checkSeed } from "./checkSeed.js";
import { findNonFinite, nonFiniteFailure } from "./nonFiniteGuard.js";

/** How one check ended, before points are given. */
export interface CheckRun {
  status: Exclude<CheckStatus, "skipped">;
  message: string;
  counterexample: string | null;
  path: string | null;
  runs: number;
}

interface Judged {
  status: CheckRun["status"];
  message: string;
}

const PASSED: Judged = { status: "passed", message: "" };

export interface RunCheckOptions {
  seed: number;
  /** performance.now() time at which the submission's budget runs out. */
  deadline: number;
  srcDir: string;
  /** Maps positions in a stack from the child to the submission's files (default: none). */
  mapStack?: (stack: string) => string;
  /** fast-check path of a counterexample to replay. */
  path?: string;
  /** Run the batch and no more (see runCheck). */
  batchOnly?: boolean;
  /**
   * Whether a hidden check's details may be shown (see GradeOptions.revealHidden): without it, an
   * AssignmentError about a hidden check leaves out the message of what the staff code threw.
   */
  revealHidden?: boolean;
}

/** How a batch ended when it could run: the assignment's own faults are thrown instead. */
type RunBatch = Exclude<BatchResult, { kind: "drivers-error" | "unknown-driver" }>;

/** Child calls one shrink may make after the first failure. */
const MAX_SHRINK_CALLS = 400;

/**
 * The longest replay path printed (issue 14: shrinking through a few hundred steps gave paths of
 * 400 characters, which nobody types and which break in a terminal).
 *
 * fast-check's path is "run:step:step:...": the run that failed first, then, for every shrink
 * step that kept failing, which candidate it took. Every prefix of it is a path too, and replays
 * (with endOnFailure) the case that step reached, so when the full path is longer than this the
 * report keeps the most-shrunk case whose path still fits: the last failing case whose prefix is
 * at most this long. At worst that prefix is the run index alone ("7"), which replays the first
 * failing case without shrinking. The case printed is always the one its path replays.
 */
export const MAX_PATH_CHARS = 120;

/**
 * Runs one check: draws its cases with fast-check from the check's seed, runs them all in the
 * child in one batch, judges every result here, and on a failure replays the property with
 * fast-check so it shrinks to the smallest failing case (one child call per candidate).
 *
 * The batch is queued before runCheck first waits, so calling it for several checks in a row
 * keeps the child busy while the parent judges. With `batchOnly`, a check that would need child
 * calls after its batch (shrinking) returns null instead, so that the caller can run it again
 * in a child that has seen nothing after that batch.
 *
 * A fault of the assignment rejects with an AssignmentError naming the check, never becomes the
 * check's status: a driver the drivers module lacks or a drivers module that does not load in
 * the child (both found before the submission runs), a tolerance that is not finite, and an
 * arbitrary, payload, judge or show that throws. (A judge that throws on a result holding NaN or
 * Infinity is the exception: that result fails whatever the judge does, see nonFiniteGuard.)
 */
export async function runCheck(
  check: CheckDefinition,
  assignment: Assignment,
  sandbox: Sandbox,
  options: RunCheckOptions & { batchOnly: true },
): Promise<CheckRun | null>;
export async function runCheck(
  check: CheckDefinition,
  assignment: Assignment,
  sandbox: Sandbox,
  options: RunCheckOptions,
): Promise<CheckRun>;
export async function runCheck(
  check: CheckDefinition,
  assignment: Assignment,
  sandbox: Sandbox,
  options: RunCheckOptions,
): Promise<CheckRun | null> {
  const seed = checkSeed(options.seed, check.id);
  const runs = check.runs ?? assignment.defaults.runs;
  const perCallMs = check.timeoutMs ?? assignment.defaults.timeoutMs;
  const tolerance = { ...assignment.defaults.tolerance, ...check.tolerance };
  const remaining = () => options.deadline - performance.now();
  const { fault, staff, generationFault, show } = staffCode(
    check,
    assignment,
    options.revealHidden,
  );
  let executed = 0;
  // A tolerance of Infinity (or NaN) would let every comparison pass (or none): the assignment's
  // fault, not the student's, so the grading stops before the submission runs for it.
  checkTolerance(check, assignment);

  const judgeBatch = (testCase: unknown, batch: RunBatch, i: number): Judged => {
    if (batch.kind !== "outcomes") return infrastructure(batch, perCallMs, check.timeoutHint);
    return judgeOutcome(
      check,
      testCase,
      batch.outcomes[i]!,
      batch.floats,
      { seed, tolerance, wallMs: batch.wallMs },
      options.srcDir,
      options.mapStack,
      (testCase, result, context) =>
        staff("judge", () => {
          const verdict = check.judge(testCase, result, context) as unknown;
          const pass = (verdict as { pass?: unknown } | null)?.pass;
          if (
            pass === true ||
            (pass === false && typeof (verdict as { message?: unknown }).message === "string")
          )
            return verdict as ReturnType<CheckDefinition["judge"]>;
          throw fault(
            `its judge returned ${describeVerdict(verdict)}, not a verdict ({ pass: true } or { pass: false, message })`,
          );
        }),
    );
  };
  // Not async: the batch is queued the moment runCheck is called.
  const runCases = (cases: unknown[]): Promise<RunBatch> => {
    if (remaining() <= 0) return Promise.resolve({ kind: "budget", index: 0, wallMs: 0 });
    const pack = new FloatPack();
    const payloads = cases.map((c) =>
      staff("payload", () => toWirePayload(check.payload(c), pack)),
    );
    executed += cases.length;
    // The whole batch gets at most its runs' share of time, so a child that fakes progress
    // cannot keep one batch alive until the budget is gone; a batch still queued when the
    // budget runs out is not run.
    return sandbox
      .run(
        check.driver,
        { payloads, floats: pack.finish() },
        perCallMs,
        perCallMs * cases.length + 1000,
        options.deadline,
      )
      .then((batch) => {
        if (batch.kind === "drivers-error" || batch.kind === "unknown-driver")
          throw driversFault(batch, check, assignment, sandbox.bundleFile, options.mapStack);
        return batch;
      });
  };

  let firstFailure: { index: number; judged: Judged; testCase: unknown } | null = null;
  let cached: Judged[] = [];
  if (options.path === undefined) {
    // Draw every case first, then send them to the child in one message.
    const cases: unknown[] = [];
    let drawn: fc.RunDetails<[unknown]>;
    try {
      drawn = fc.check(
        fc.property(check.cases, (c) => {
          cases.push(c);
          return true;
        }),
        { seed, numRuns: runs },
      );
    } catch (error) {
      throw generationFault(error, "generating");
    }
    if (drawn.failed) throw generationFault(drawn.errorInstance, "generating");
    const batch = await runCases(cases);
    if (batch.kind !== "outcomes") {
      const judged = infrastructure(batch, perCallMs, check.timeoutHint);
      return { ...judged, counterexample: show(cases[batch.index]), path: null, runs: executed };
    }
    cached = cases.map((c, i) => judgeBatch(c, batch, i));
    const index = cached.findIndex((j) => j.status !== "passed");
    if (index === -1) return { ...PASSED, counterexample: null, path: null, runs: executed };
    firstFailure = { index, judged: cached[index]!, testCase: cases[index] };
    // Not implemented, a module that does not load, or a crash: shrinking would not help.
    if (
      ["not-implemented", "timeout", "memory-limit", "crashed"].includes(
        firstFailure.judged.status,
      ) ||
      isLoadError(firstFailure.judged)
    ) {
      return {
        ...firstFailure.judged,
        counterexample: show(firstFailure.testCase),
        path: null,
        runs: executed,
      };
    }
    if (options.batchOnly) return null;
  } else if (options.batchOnly) return null;

  // Replay the property with fast-check: the first runs reuse the batch's verdicts, then every
  // shrinking candidate goes to the child alone.
  let calls = 0;
  let last: { judged: Judged; testCase: unknown } | null = null;
  // Every failing call in order: the first failure, then one per shrink step that kept failing,
  // so failing[k] is the case replayed by the first k + 1 segments of the counterexample path.
  const failing: { judged: Judged; testCase: unknown }[] = [];
  // fast-check takes whatever the property throws for a failure: the assignment's faults are kept
  // aside here instead, and thrown once it is done.
  let staffFault: AssignmentError | null = null;
  const property = fc.asyncProperty(check.cases, async (c) => {
    if (staffFault) return true;
    const call = calls++;
    let judged: Judged;
    try {
      if (firstFailure && call <= firstFailure.index) judged = cached[call]!;
      else {
        // A bounded number of shrinking steps (not a time limit), so the smallest case, its
        // replay path and the status are the same on a fast machine and a loaded one.
        if (firstFailure && call > firstFailure.index + MAX_SHRINK_CALLS) return true;
        const batch = await runCases([c]);
        judged = judgeBatch(c, batch, 0);
      }
    } catch (error) {
      if (!(error instanceof AssignmentError)) throw error;
      staffFault = error;
      return true;
    }
    if (judged.status === "passed") return true;
    // Shrink towards the failure that was found: a candidate that fails differently (say, it
    // times out on a loaded machine) does not replace it.
    if (firstFailure && judged.status !== firstFailure.judged.status) return true;
    last = { judged, testCase: c };
    failing.push(last);
    return false;
  });
  let result: fc.RunDetails<[unknown]>;
  try {
    result = await fc.check(property, {
      seed,
      numRuns: runs,
      path: options.path,
      endOnFailure: options.path !== undefined,
      interruptAfterTimeLimit: Math.max(1000, Math.min(10_000, remaining())),
    });
  } catch (error) {
    throw staffFault ?? generationFault(error, "generating or shrinking");
  }
  if (staffFault) throw staffFault;
  const final = last as { judged: Judged; testCase: unknown } | null;
  if (result.failed && final) {
    const path = result.counterexamplePath ?? null;
    // A path asked for is given back as it is; a shrunk one is kept short (see MAX_PATH_CHARS).
    const short = options.path === undefined ? shortenPath(path, failing, firstFailure) : null;
    const shown = short ?? { path, ...final };
    return {
      ...shown.judged,
      counterexample: show(shown.testCase),
      path: shown.path,
      runs: executed,
    };
  }
  if (firstFailure) {
    // The failure did not come back when replayed (student code that is not deterministic).
    return {
      ...firstFailure.judged,
      counterexample: show(firstFailure.testCase),
      path: null,
      runs: executed,
    };
  }
  return { ...PASSED, counterexample: null, path: null, runs: executed };
}

/** Runs the parts of a check's staff code; what they throw is the assignment's fault. */
function staffCode(check: CheckDefinition, assignment: Assignment, revealHidden = false) {
  const withhold = (check.hidden ?? false) && !revealHidden;
  const fault = (what: string) => new AssignmentError(assignment, check.id, what);
  const staff = <T>(part: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof AssignmentError) throw error;
      throw fault(`its ${part} threw ${describeThrown(error, { withhold })}`);
    }
  };
  const generationFault = (error: unknown, when: string) =>
    error instanceof AssignmentError
      ? error
      : fault(
          `its cases (the fast-check arbitrary) threw while ${when}: ${describeThrown(error, { withhold })}`,
        );
  const show = (testCase: unknown) => staff("show", () => (check.show ?? showValue)(testCase));
  return { fault, staff, generationFault, show };
}

/** What a judge returned instead of a verdict, in a few words. */
function describeVerdict(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return `the ${typeof value} ${String(value).slice(0, 40)}`;
  return `an object with pass ${JSON.stringify((value as { pass?: unknown }).pass) ?? "undefined"}`;
}

/** Throws the AssignmentError of a check whose tolerance (with the defaults) is not usable. */
function checkTolerance(check: CheckDefinition, assignment: Assignment): void {
  const bad = toleranceProblem({ ...assignment.defaults.tolerance, ...check.tolerance });
  if (bad !== null) {
    throw new AssignmentError(
      assignment,
      check.id,
      `${bad} (the assignment's defaults or the check's tolerance)`,
    );
  }
}

/**
 * Runs once, in the parent, the staff code of a check that needs no submission, as runCheck
 * would: the tolerance, one case drawn from the check's seed, that case's payload (made ready
 * for the child) and how the case is shown. A fault found here stops a grading before any child
 * starts (see gradeSubmission); one that shows only on some cases is still found by runCheck.
 */
export function preflightCheck(
  check: CheckDefinition,
  assignment: Assignment,
  options: { seed: number; revealHidden?: boolean },
): void {
  checkTolerance(check, assignment);
  const { staff, generationFault, show } = staffCode(check, assignment, options.revealHidden);
  let first: unknown[];
  try {
    first = fc.sample(check.cases, { seed: checkSeed(options.seed, check.id), numRuns: 1 });
  } catch (error) {
    throw generationFault(error, "generating");
  }
  for (const testCase of first) {
    staff("payload", () => toWirePayload(check.payload(testCase), new FloatPack()));
    show(testCase);
  }
}

/**
 * The most-shrunk failing case whose replay path has at most MAX_PATH_CHARS characters, with that
 * path, when the full path is longer; null when it is short enough already. Should the failures
 * seen not match the path's steps one for one, it falls back to the first failure of the batch,
 * replayed by its run index alone.
 */
function shortenPath<T>(
  path: string | null,
  failing: readonly T[],
  firstFailure: ({ index: number } & T) | null,
): ({ path: string } & T) | null {
  if (path === null || path.length <= MAX_PATH_CHARS) return null;
  const segments = path.split(":");
  if (segments.length !== failing.length) {
    return firstFailure ? { ...firstFailure, path: String(firstFailure.index) } : null;
  }
  let k = 0;
  let length = segments[0]!.length;
  while (k + 1 < segments.length && length + 1 + segments[k + 1]!.length <= MAX_PATH_CHARS) {
    k++;
    length += 1 + segments[k]!.length;
  }
  return { ...failing[k]!, path: segments.slice(0, k + 1).join(":") };
}

/** Why a tolerance cannot be used (atol or rtol not a finite number of 0 or more), or null. */
function toleranceProblem(tolerance: { atol: number; rtol: number }): string | null {
  for (const key of ["atol", "rtol"] as const) {
    const value = tolerance[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      return `its tolerance ${key} is ${String(value)}, not a finite number of 0 or more`;
    }
  }
  return null;
}

function isLoadError(judged: Judged): boolean {
  return judged.status === "error" && judged.message.startsWith("could not load");
}

function infrastructure(
  batch: Exclude<RunBatch, { kind: "outcomes" }>,
  perCallMs: number,
  timeoutHint?: string,
): Judged {
  switch (batch.kind) {
    case "budget":
      return {
        status: "timeout",
        message:
          "not run: the submission's time budget ran out before this check (earlier checks hung or were very slow; fix those first)",
      };
    case "timeout":
      return {
        status: "timeout",
        message: `did not finish within ${perCallMs} ms (${timeoutHint ?? "an infinite loop, or far too slow"})`,
      };
    case "memory-limit":
      return { status: "memory-limit", message: "used more memory than the sandbox allows" };
    case "crashed":
      return {
        status: "crashed",
        message: `the submission's process ended: ${batch.detail}${/exited with code/.test(batch.detail) ? " (does the code call process.exit?)" : ""}`,
      };
  }
}

/**
 * The AssignmentError of a batch the sandbox refused to run: the drivers module did not load in
 * the child, or lacks a driver. A missing driver is charged to the first check, in the
 * assignment's order, that names one; a drivers module that does not load, to `check`.
 */
function driversFault(
  batch: Extract<BatchResult, { kind: "drivers-error" | "unknown-driver" }>,
  check: CheckDefinition,
  assignment: Assignment,
  bundleFile: string,
  mapStack: ((stack: string) => string) | undefined,
): AssignmentError {
  const drivers = shownFile(assignment.drivers);
  if (batch.kind === "drivers-error") {
    const error = describeThrown(batch, { mapStack, skipFiles: [bundleFile] });
    return new AssignmentError(
      assignment,
      check.id,
      `its drivers module ${drivers} failed to load in the sandbox: ${error} (drivers run in the sandbox, which cannot load the grader: import only types from "gradmark", and values from gradmark/tensor or the drivers' own files)`,
    );
  }
  const lacking = assignment.problems
    .flatMap((p) => p.checks)
    .filter((c) => batch.missing.includes(c.driver));
  const culprit = lacking[0] ?? check;
  const known =
    batch.known.length === 0
      ? "it has no drivers"
      : `it has: ${batch.known.slice(0, 12).join(", ")}${batch.known.length > 12 ? `, ... (${batch.known.length})` : ""}`;
  const more =
    lacking.length > 1
      ? `; ${lacking.length - 1} more check${lacking.length > 2 ? "s" : ""} name drivers it does not have (${[...new Set(lacking.slice(1).map((c) => c.driver))].join(", ")})`
      : "";
  return new AssignmentError(
    assignment,
    culprit.id,
    `its driver ${JSON.stringify(culprit.driver)} is not in the drivers module ${drivers} (${known})${more}`,
  );
}

function judgeOutcome(
  check: CheckDefinition,
  testCase: unknown,
  outcome: Outcome,
  floats: Float64Array,
  context: JudgeContext,
  srcDir: string,
  mapStack: ((stack: string) => string) | undefined,
  judge: CheckDefinition["judge"],
): Judged {
  switch (outcome.kind) {
    case "not-implemented":
      return {
        status: "not-implemented",
        message: 'not implemented yet (it throws "not implemented")',
      };
    case "load-error":
      return { status: "error", message: `could not load ${outcome.message}` };
    case "threw": {
      const message = `threw ${outcome.name}: ${outcome.message}${studentFrames(mapStack ? mapStack(outcome.stack) : outcome.stack, srcDir)}`;
      let note: string | null = null;
      try {
        note = check.threwNote?.(message) ?? null;
      } catch {
        // A note is a courtesy: the grader's bug in one must not hide the student's error.
      }
      return { status: "error", message: note ? `${message}\n  ${note}` : message };
    }
    case "ok": {
      let result: unknown;
      try {
        result = fromWireResult(outcome.value, floats);
      } catch (error) {
        return {
          status: "error",
          message: `the grader could not judge this result: ${(error as Error).message}`,
        };
      }
      // No NaN or Infinity ever passes a judge: a result holding one fails, whatever the judge
      // says (its own message is kept when it failed too, since it knows the names).
      const nonFinite = findNonFinite(result);
      if (nonFinite !== null) {
        let judged: Parameters<typeof nonFiniteFailure>[1];
        try {
          judged = check.judge(testCase, result, context);
        } catch {
          // A judge may well choke on NaN or Infinity: the result fails all the same.
          judged = { threw: true };
        }
        return { status: "failed", message: nonFiniteFailure(nonFinite, judged) };
      }
      // A judge that throws is the assignment's fault, not the student's: `judge` throws an
      // AssignmentError then, which stops the grading.
      const verdict = judge(testCase, result, context);
      return verdict.pass ? PASSED : { status: "failed", message: verdict.message };
    }
  }
}

/** The stack frames that point into the submission's own files, as src/... paths. */
function studentFrames(stack: string, srcDir: string): string {
  const frames = stack
    .split("\n")
    .filter((line) => line.includes(srcDir))
    .slice(0, 3)
    .map((line) => `\n    ${line.trim().replaceAll(`${srcDir}/`, "src/").replace(/^at /, "at ")}`);
  return frames.join("");
}
