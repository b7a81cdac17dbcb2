import { join } from "node:path";
import { materializeSample } from "./materializeSample.js";
import { type ProblemModules, problemsAffectedBy } from "./problemsAffectedBy.js";
import type { SelftestTarget } from "./selftestTargets.js";

/** One grading to do: a target under one seed, of every problem or of some. */
export interface SelftestJob {
  target: SelftestTarget;
  seed: number | undefined;
  /** Problem ids to grade (undefined: all). */
  problems?: string[];
}

/** The gradings of a selftest, and the targets that could not be planned (with why). */
export interface SelftestPlan {
  jobs: SelftestJob[];
  errors: Map<SelftestTarget, string>;
}

/**
 * Every target under every seed, in target order. With `narrow`, the seeds after the first grade
 * a sample laid over the staff solution only in the problems that can see what it changes
 * (problemsAffectedBy): the rest of it is the solution's code, graded under every seed anyway.
 * Targets whose expected.json could not be read get no job.
 */
export function planSelftest(
  targets: readonly SelftestTarget[],
  seeds: readonly (number | undefined)[],
  assignment: ProblemModules,
  narrow: boolean,
): SelftestPlan {
  const plan: SelftestPlan = { jobs: [], errors: new Map() };
  for (const target of targets) {
    if (target.invalid !== undefined) continue;
    let later: string[] | undefined;
    if (narrow) {
      try {
        later = problemsForExtraSeeds(target, assignment);
      } catch (error) {
        plan.errors.set(target, error instanceof Error ? error.message : String(error));
        continue;
      }
    }
    seeds.forEach((seed, i) => {
      plan.jobs.push(
        i === 0 || later === undefined ? { target, seed } : { target, seed, problems: later },
      );
    });
  }
  return plan;
}

/**
 * The problems a target needs graded under the seeds after the first: for a sample laid over
 * the staff solution, only those that can see what it changes; all of them otherwise.
 */
function problemsForExtraSeeds(
  target: SelftestTarget,
  assignment: ProblemModules,
): string[] | undefined {
  if (target.srcDir !== undefined || target.expected.base !== "solution") return undefined;
  const sample = materializeSample(target.dir, target.expected, target.bases);
  try {
    const problems = problemsAffectedBy(
      target.dir,
      target.expected,
      join(sample.dir, "src"),
      assignment,
    );
    return problems === "all" ? undefined : problems;
  } finally {
    sample.cleanup();
  }
}
