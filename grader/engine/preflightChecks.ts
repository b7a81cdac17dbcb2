import type { Assignment } from "../authoring/types.js";
import { preflightCheck } from "./preflightCheck.js";

/**
 * The checks whose staff code already ran its preflight in this process, by seed and check id:
 * a batch worker grades many submissions under one seed, and pays it once (30-50 ms).
 */
const preflighted = new WeakMap<Assignment, Set<string>>();

function preflightedChecks(assignment: Assignment): Set<string> {
  let done = preflighted.get(assignment);
  if (!done) {
    done = new Set();
    preflighted.set(assignment, done);
  }
  return done;
}

/** Which checks of a grading run, and under which seed. */
export interface PreflightOptions {
  seed: number;
  /** Ids of the checks selected (see selectChecks). */
  selected: ReadonlySet<string>;
  /** "check" skips the hidden checks. */
  mode: "grade" | "check";
  revealHidden: boolean;
}

/**
 * Runs preflightCheck, in the assignment's order, for every check of this grading that will run
 * (selected, and not hidden in "check" mode) and has not run it in this process under this seed.
 * The first fault found is thrown.
 */
export function preflightChecks(assignment: Assignment, options: PreflightOptions): void {
  const { seed, selected, mode, revealHidden } = options;
  const done = preflightedChecks(assignment);
  for (const check of assignment.problems.flatMap((p) => p.checks)) {
    const key = `${seed}:${check.id}`;
    if (!selected.has(check.id) || (mode === "check" && check.hidden) || done.has(key)) continue;
    preflightCheck(check, assignment, { seed, revealHidden });
    done.add(key);
  }
}
