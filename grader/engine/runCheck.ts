import type { Assignment, CheckDefinition } from "../authoring/types.js";
import type { CheckStatus } from "../model/results.js";
import type { Sandbox } from "../sandbox/Sandbox.js";
import { checkCalls } from "./checkCalls.js";
import { checkTolerance } from "./checkTolerance.js";
import { type BatchFailure, runFirstBatch } from "./runFirstBatch.js";
import { shrinkFailure, unshrunk } from "./shrinkFailure.js";

/** How one check ended, before points are given. */
export interface CheckRun {
  status: Exclude<CheckStatus, "skipped">;
  message: string;
  counterexample: string | null;
  path: string | null;
  runs: number;
}

/** How to run a check: the grading's seed and budget, and what to show or replay. */
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
  /** false: a failure is reported as the batch found it, without shrinking (see GradeOptions). */
  shrink?: boolean;
  /**
   * Whether a hidden check's details may be shown (see GradeOptions.revealHidden): without it, an
   * AssignmentError about a hidden check leaves out the message of what the staff code threw.
   */
  revealHidden?: boolean;
}

/**
 * What runCheck needs of a sandbox: running a batch in its child, and the bundle's file (to leave
 * out of a drivers module's stack). A Sandbox is one.
 */
export type CheckSandbox = Pick<Sandbox, "run" | "bundleFile">;

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
  sandbox: CheckSandbox,
  options: RunCheckOptions & { batchOnly: true },
): Promise<CheckRun | null>;
export async function runCheck(
  check: CheckDefinition,
  assignment: Assignment,
  sandbox: CheckSandbox,
  options: RunCheckOptions,
): Promise<CheckRun>;
export async function runCheck(
  check: CheckDefinition,
  assignment: Assignment,
  sandbox: CheckSandbox,
  options: RunCheckOptions,
): Promise<CheckRun | null> {
  const calls = checkCalls(check, assignment, sandbox, options);
  // A tolerance of Infinity (or NaN) would let every comparison pass (or none): the assignment's
  // fault, not the student's, so the grading stops before the submission runs for it.
  checkTolerance(check, assignment);
  let found: BatchFailure | null = null;
  if (options.path === undefined) {
    const end = await runFirstBatch(check, calls);
    if ("run" in end) return end.run;
    found = end;
    if (options.shrink === false) return unshrunk(found, calls);
  }
  if (options.batchOnly) return null;
  return shrinkFailure(check, calls, found, options.path);
}
