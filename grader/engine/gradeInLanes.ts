import { availableParallelism } from "node:os";
import type { Assignment } from "../authoring/types.js";
import type { ProblemResult } from "../model/results.js";
import { Sandbox } from "../sandbox/Sandbox.js";
import { gradeProblem } from "./gradeProblem.js";
import type { ProblemContext } from "./ProblemContext.js";
import type { SubmissionOutput } from "./SubmissionOutput.js";

/** The problems to grade in lanes, and where their results and sandboxes go. */
export interface LaneWork {
  context: ProblemContext;
  /** Indices of the problems that need a child, in the assignment's order. */
  needChild: readonly number[];
  /** Lanes asked for (see GradeOptions.lanes): no more open than there are problems for them. */
  lanes: number | undefined;
  /** Where each problem's children print. */
  printed: SubmissionOutput;
  /** Each lane's sandbox as it opens: the caller closes them all, whatever happens. */
  sandboxes: Sandbox[];
  /** Each problem's result is put at its index. */
  problems: ProblemResult[];
}

/**
 * Grades the problems that need a child in lanes, each lane with its own sandbox. A fault in one
 * lane rejects, and the other lanes take no more problems.
 */
export async function gradeInLanes(work: LaneWork): Promise<void> {
  const { context, needChild, printed, sandboxes, problems } = work;
  const { assignment, bundle } = context;
  // Every driver the assignment's checks name: the children refuse to run anything until their
  // drivers module is known to have them all (see Sandbox.requireDrivers).
  const drivers = [...new Set(assignment.problems.flatMap((p) => p.checks.map((c) => c.driver)))];
  const laneCount = Math.max(1, Math.min(work.lanes ?? defaultLanes(), needChild.length));
  // Each lane takes the next problem when it is free, heaviest first, so a long one (training)
  // overlaps the rest instead of running alone at the end. Results and output do not depend
  // on which lane graded what.
  const queue = heaviestFirst(assignment, needChild);
  await Promise.all(
    Array.from({ length: laneCount }, async () => {
      const sandbox = new Sandbox(bundle.file, assignment.limits);
      sandbox.requireDrivers(drivers);
      sandboxes.push(sandbox);
      try {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          // Fresh children per problem (see gradeProblem): globals one problem's code
          // overwrites cannot reach another.
          problems[i] = await gradeProblem(assignment.problems[i]!, context, {
            sandbox,
            more: queue.length > 0,
            visible: printed.visible[i]!,
            hidden: printed.hidden[i]!,
          });
        }
      } catch (error) {
        // A fault (of the assignment, say) ends the grading: the other lanes take no more.
        queue.length = 0;
        throw error;
      }
      await sandbox.close();
    }),
  );
}

/** Problems graded at once by default: two where there are two cores or more. */
function defaultLanes(): number {
  return availableParallelism() >= 2 ? 2 : 1;
}

/**
 * The problems at `indices`, heaviest first (ties in the assignment's order): a problem's
 * weight, or else the number of runs of its checks.
 */
function heaviestFirst(assignment: Assignment, indices: readonly number[]): number[] {
  const weight = (i: number) => {
    const problem = assignment.problems[i]!;
    return (
      problem.weight ?? problem.checks.reduce((t, c) => t + (c.runs ?? assignment.defaults.runs), 0)
    );
  };
  return [...indices].sort((a, b) => weight(b) - weight(a) || a - b);
}
