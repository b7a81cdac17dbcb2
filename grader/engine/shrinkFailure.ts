import fc from "fast-check";
import type { CheckDefinition } from "../authoring/types.js";
import { AssignmentError } from "../common/AssignmentError.js";
import type { CheckCalls } from "./checkCalls.js";
import { type Judged, PASSED } from "./judgeOutcome.js";
import type { CheckRun } from "./runCheck.js";
import type { BatchFailure } from "./runFirstBatch.js";
import { shortenPath } from "./shortenPath.js";

/** Child calls one shrink may make after the first failure. */
const MAX_SHRINK_CALLS = 400;

/** A failing call of the replay. */
interface Failing {
  judged: Judged;
  testCase: unknown;
}

/**
 * Replays the check's property with fast-check so that a failure shrinks to the smallest failing
 * case, and reports it with the path that replays it. `found` is the batch's failure (null when
 * a `path` given is replayed without a batch).
 */
export async function shrinkFailure(
  check: CheckDefinition,
  calls: CheckCalls,
  found: BatchFailure | null,
  path: string | undefined,
): Promise<CheckRun> {
  const firstFailure = found?.failure ?? null;
  const { details, failing } = await replay(check, calls, found, path);
  const final = failing.at(-1);
  const { show } = calls;
  if (details.failed && final) {
    const fullPath = details.counterexamplePath ?? null;
    // A path asked for is given back as it is; a shrunk one is kept short (see MAX_PATH_CHARS).
    const short = path === undefined ? shortenPath(fullPath, failing, firstFailure) : null;
    const shown = short ?? { path: fullPath, ...final };
    return {
      ...shown.judged,
      counterexample: show(shown.testCase),
      path: shown.path,
      runs: calls.executed(),
    };
  }
  // The failure did not come back when replayed (student code that is not deterministic).
  if (firstFailure) return unshrunk(found!, calls);
  return { ...PASSED, counterexample: null, path: null, runs: calls.executed() };
}

/**
 * Runs the property with fast-check: the first runs reuse the batch's verdicts, then every
 * shrinking candidate goes to the child alone. Gives fast-check's details and every failing
 * call in order: the first failure, then one per shrink step that kept failing, so failing[k]
 * is the case replayed by the first k + 1 segments of the counterexample path.
 */
async function replay(
  check: CheckDefinition,
  calls: CheckCalls,
  found: BatchFailure | null,
  path: string | undefined,
): Promise<{ details: fc.RunDetails<[unknown]>; failing: Failing[] }> {
  const first = found?.failure ?? null;
  const verdicts = found?.verdicts ?? [];
  let count = 0;
  const failing: Failing[] = [];
  // fast-check takes whatever the property throws for a failure: the assignment's faults are kept
  // aside here instead, and thrown once it is done.
  let staffFault: AssignmentError | null = null;
  const property = fc.asyncProperty(check.cases, async (c) => {
    if (staffFault) return true;
    const call = count++;
    let judged: Judged;
    try {
      if (first && call <= first.index) judged = verdicts[call]!;
      else {
        // A bounded number of shrinking steps (not a time limit), so the smallest case, its
        // replay path and the status are the same on a fast machine and a loaded one.
        if (first && call > first.index + MAX_SHRINK_CALLS) return true;
        const batch = await calls.runCases([c]);
        judged = calls.judgeBatch(c, batch, 0);
      }
    } catch (error) {
      if (!(error instanceof AssignmentError)) throw error;
      staffFault = error;
      return true;
    }
    if (judged.status === "passed") return true;
    // Shrink towards the failure that was found: a candidate that fails differently (say, it
    // times out on a loaded machine) does not replace it.
    if (first && judged.status !== first.judged.status) return true;
    failing.push({ judged, testCase: c });
    return false;
  });
  let details: fc.RunDetails<[unknown]>;
  try {
    details = await fc.check(property, {
      seed: calls.seed,
      numRuns: calls.runs,
      path,
      endOnFailure: path !== undefined,
      interruptAfterTimeLimit: Math.max(1000, Math.min(10_000, calls.remaining())),
    });
  } catch (error) {
    throw staffFault ?? calls.generationFault(error, "generating or shrinking");
  }
  if (staffFault) throw staffFault;
  return { details, failing };
}

/** The batch's failure as it was found: its first failing case, no replay path. */
export function unshrunk(found: BatchFailure, calls: CheckCalls): CheckRun {
  return {
    ...found.failure.judged,
    counterexample: calls.show(found.failure.testCase),
    path: null,
    runs: calls.executed(),
  };
}
