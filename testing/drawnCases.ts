import { autodiff } from "../grader/assignments/autodiff/index.js";
import type { Assignment, CheckDefinition } from "../grader/authoring/types.js";
import { checkCalls } from "../grader/engine/checkCalls.js";
import type { CheckSandbox } from "../grader/engine/runCheck.js";
import { drawCases } from "../grader/engine/runFirstBatch.js";

/** For drawing and judging in-process: a sandbox that must never be asked to run anything. */
export const NO_CHILD: CheckSandbox = {
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
  const calls = checkCalls(check as CheckDefinition, assignment, NO_CHILD, {
    seed,
    deadline: Number.POSITIVE_INFINITY,
    srcDir: "src",
  });
  return drawCases(check as CheckDefinition, calls) as Case[];
}
