import fc from "fast-check";
import { showValue } from "./assignment/judge.js";
import type { Assignment, CheckDefinition, JudgeContext } from "./assignment/types.js";
import { checkSeed } from "./checkSeed.js";
import type { CheckStatus } from "./model/results.js";
import { findNonFinite, nonFiniteFailure } from "./nonFiniteGuard.js";
import { FloatPack } from "./sandbox/protocol/FloatPack.js";
import type { Outcome } from "./sandbox/protocol/messages.js";
import type { BatchResult, Sandbox } from "./sandbox/Sandbox.js";
import { fromWireResult, toWirePayload } from "./sandbox/wireValues.js";

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
}

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
  const show = (testCase: unknown) => (check.show ?? showValue)(testCase);
  let executed = 0;
  // A tolerance of Infinity (or NaN) would let every comparison pass (or none): the assignment's
  // fault, not the student's, so the check is an error and the submission is not run for it.
  const badTolerance = toleranceProblem(tolerance);
  if (badTolerance !== null) {
    return {
      status: "error",
      message: `the grader could not judge this check: ${badTolerance} (the assignment's defaults or the check's tolerance)`,
      counterexample: null,
      path: null,
      runs: 0,
    };
  }

  const judgeBatch = (testCase: unknown, batch: BatchResult, i: number): Judged => {
    if (batch.kind !== "outcomes") return infrastructure(batch, perCallMs, check.timeoutHint);
    return judgeOutcome(
      check,
      testCase,
      batch.outcomes[i]!,
      batch.floats,
      { seed, tolerance, wallMs: batch.wallMs },
      options.srcDir,
      options.mapStack,
    );
  };
  // Not async: the batch is queued the moment runCheck is called.
  const runCases = (cases: unknown[]): Promise<BatchResult> => {
    if (remaining() <= 0) return Promise.resolve({ kind: "budget", index: 0, wallMs: 0 });
    executed += cases.length;
    // The whole batch gets at most its runs' share of time, so a child that fakes progress
    // cannot keep one batch alive until the budget is gone; a batch still queued when the
    // budget runs out is not run.
    const pack = new FloatPack();
    const payloads = cases.map((c) => toWirePayload(check.payload(c), pack));
    return sandbox.run(
      check.driver,
      { payloads, floats: pack.finish() },
      perCallMs,
      perCallMs * cases.length + 1000,
      options.deadline,
    );
  };

  let firstFailure: { index: number; judged: Judged; testCase: unknown } | null = null;
  let cached: Judged[] = [];
  if (options.path === undefined) {
    // Draw every case first, then send them to the child in one message.
    const cases: unknown[] = [];
    fc.check(
      fc.property(check.cases, (c) => {
        cases.push(c);
        return true;
      }),
      { seed, numRuns: runs },
    );
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
  const property = fc.asyncProperty(check.cases, async (c) => {
    const call = calls++;
    let judged: Judged;
    if (firstFailure && call <= firstFailure.index) judged = cached[call]!;
    else {
      // A bounded number of shrinking steps (not a time limit), so the smallest case, its
      // replay path and the status are the same on a fast machine and a loaded one.
      if (firstFailure && call > firstFailure.index + MAX_SHRINK_CALLS) return true;
      const batch = await runCases([c]);
      judged = judgeBatch(c, batch, 0);
    }
    if (judged.status === "passed") return true;
    // Shrink towards the failure that was found: a candidate that fails differently (say, it
    // times out on a loaded machine) does not replace it.
    if (firstFailure && judged.status !== firstFailure.judged.status) return true;
    last = { judged, testCase: c };
    failing.push(last);
    return false;
  });
  const result = await fc.check(property, {
    seed,
    numRuns: runs,
    path: options.path,
    endOnFailure: options.path !== undefined,
    interruptAfterTimeLimit: Math.max(1000, Math.min(10_000, remaining())),
  });
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
  batch: Exclude<BatchResult, { kind: "outcomes" }>,
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

function judgeOutcome(
  check: CheckDefinition,
  testCase: unknown,
  outcome: Outcome,
  floats: Float64Array,
  context: JudgeContext,
  srcDir: string,
  mapStack: ((stack: string) => string) | undefined,
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
          judged = { threw: true };
        }
        return { status: "failed", message: nonFiniteFailure(nonFinite, judged) };
      }
      try {
        const verdict = check.judge(testCase, result, context);
        return verdict.pass ? PASSED : { status: "failed", message: verdict.message };
      } catch (error) {
        // A judge that throws is the grader's bug, not the student's: say so plainly.
        return {
          status: "error",
          message: `the grader could not judge this result: ${(error as Error).message}`,
        };
      }
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
