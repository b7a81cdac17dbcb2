import { autodiff } from "../grader/assignments/autodiff/index.js";
import type { Assignment, CheckDefinition } from "../grader/authoring/types.js";
import { type CheckCalls, checkCalls } from "../grader/engine/checkCalls.js";
import type { CheckSandbox } from "../grader/engine/runCheck.js";
import { drawCases } from "../grader/engine/runFirstBatch.js";

/** For drawing and judging in-process: a sandbox that must never be asked to run anything. */
const NO_CHILD: CheckSandbox = {
  bundleFile: "(in process)",
  run: () => Promise.reject(new Error("no child runs in-process")),
};

/**
 * The cases `gradmark grade --seed <seed>` draws for `check`, by the engine's own drawing (the
 * check's seed derived from the grading seed and its id, its runs or the assignment's).
 */
// biome-ignore lint/suspicious/noExplicitAny: tests read the cases of many kinds of checks.
export function drawnCases<Case = any>(
  check: CheckDefinition<Case>,
  seed: number,
  assignment: Assignment = autodiff,
): Case[] {
  return drawCases(
    check as CheckDefinition,
    inProcessCalls(check as CheckDefinition, assignment, seed),
  ) as Case[];
}

/** The engine's calls for `check` under grading seed `seed`, with no child and no deadline. */
export function inProcessCalls(
  check: CheckDefinition,
  assignment: Assignment,
  seed: number,
): CheckCalls {
  return checkCalls(check, assignment, NO_CHILD, {
    seed,
    deadline: Number.POSITIVE_INFINITY,
    srcDir: "src",
  });
}
