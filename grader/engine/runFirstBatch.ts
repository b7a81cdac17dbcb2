import fc from "fast-check";
import type { CheckDefinition } from "../authoring/types.js";
import type { CheckCalls } from "./checkCalls.js";
import { type Judged, PASSED } from "./judgeOutcome.js";
import type { CheckRun } from "./runCheck.js";

/** The first case of the batch that did not pass: where it is, what it is, and its verdict. */
export interface FirstFailure {
  index: number;
  judged: Judged;
  testCase: unknown;
}

/** A failure to shrink, with the verdict on every case of the batch (the replay reuses them). */
export interface BatchFailure {
  failure: FirstFailure;
  verdicts: Judged[];
}

/**
 * How a check's batch ended: `run` when that is the check's end (every case passed, the batch
 * did not run to its end, or a failure that shrinking would not help), else a failure to shrink.
 */
export type BatchEnd = { run: CheckRun } | BatchFailure;

/**
 * Draws the check's cases from its seed, runs them all in the child in one batch (queued before
 * this first waits), and judges every result here.
 */
export async function runFirstBatch(check: CheckDefinition, calls: CheckCalls): Promise<BatchEnd> {
  const { show } = calls;
  const cases = drawCases(check, calls);
  const batch = await calls.runCases(cases);
  if (batch.kind !== "outcomes") {
    const judged = calls.notRun(batch);
    return {
      run: {
        ...judged,
        counterexample: show(cases[batch.index]),
        path: null,
        runs: calls.executed(),
      },
    };
  }
  const verdicts = cases.map((c, i) => calls.judgeBatch(c, batch, i));
  const index = verdicts.findIndex((j) => j.status !== "passed");
  if (index === -1) {
    return { run: { ...PASSED, counterexample: null, path: null, runs: calls.executed() } };
  }
  const failure = { index, judged: verdicts[index]!, testCase: cases[index] };
  // Not implemented, a module that does not load, or a crash: shrinking would not help.
  if (
    ["not-implemented", "timeout", "memory-limit", "crashed"].includes(failure.judged.status) ||
    isLoadError(failure.judged)
  ) {
    return {
      run: {
        ...failure.judged,
        counterexample: show(failure.testCase),
        path: null,
        runs: calls.executed(),
      },
    };
  }
  return { failure, verdicts };
}

/** Every case of the check, drawn first so that they go to the child in one message. */
export function drawCases(check: CheckDefinition, calls: CheckCalls): unknown[] {
  const cases: unknown[] = [];
  let drawn: fc.RunDetails<[unknown]>;
  try {
    drawn = fc.check(
      fc.property(check.cases, (c) => {
        cases.push(c);
        return true;
      }),
      { seed: calls.seed, numRuns: calls.runs },
    );
  } catch (error) {
    throw calls.generationFault(error, "generating");
  }
  if (drawn.failed) throw calls.generationFault(drawn.errorInstance, "generating");
  return cases;
}

function isLoadError(judged: Judged): boolean {
  return judged.status === "error" && judged.message.startsWith("could not load");
}
