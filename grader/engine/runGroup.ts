import type { CheckDefinition } from "../authoring/types.js";
import type { Sandbox } from "../sandbox/Sandbox.js";
import type { ProblemContext } from "./ProblemContext.js";
import { type CheckRun, runCheck } from "./runCheck.js";

/**
 * Runs `group` (checks of one problem, in the assignment's order) in `sandbox`'s current child,
 * recording each check's run and duration. `spare` is passed on to a restart.
 */
export async function runGroup(
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
    shrink: context.shrink,
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
