import type { CheckStatus, GradeResult } from "../model/results.js";
import { type ExpectedOutcome, expectationFor, satisfies } from "./expectedOutcome.js";

/** One grading of a selftest target under one seed (possibly of some problems only). */
export interface SeedGrading {
  target: string;
  seed: number | undefined;
  expected: ExpectedOutcome;
  result: GradeResult;
}

/** A check expected to pass that did not: a correct piece of code lost points. */
export interface FalseFailure {
  target: string;
  seed: number | undefined;
  check: string;
  status: CheckStatus;
}

/** A check expected not to pass that passed (check "" when a mistake was caught nowhere). */
export interface MissedMistake {
  target: string;
  seed: number | undefined;
  check: string;
}

/** Any other disagreement: a status other than the one expected, neither of the above. */
export interface OtherDisagreement {
  target: string;
  seed: number | undefined;
  check: string;
  status: CheckStatus;
}

/** For a target with something to catch: in how many of its gradings all of it was caught. */
export interface CatchRate {
  target: string;
  caught: number;
  graded: number;
}

/** What a multi-seed selftest found, over every grading. */
export interface SeedFigures {
  gradings: number;
  falseFailures: FalseFailure[];
  missedMistakes: MissedMistake[];
  otherDisagreements: OtherDisagreement[];
  /** Targets in their first-seen order. */
  catchRates: CatchRate[];
}

const mustPass = (want: ReturnType<typeof expectationFor>) =>
  want === "passed" ||
  (Array.isArray(want) && want.length > 0 && want.every((s) => s === "passed"));
const mustNotPass = (want: ReturnType<typeof expectationFor>) =>
  want === "not-passed" ||
  (want !== "any" && want !== "passed" && !(Array.isArray(want) && want.includes("passed")));

/**
 * Sorts every check of every grading: a false failure (expected to pass, did not), a missed
 * mistake (expected not to pass, passed; or a `mistake` sample of which no check failed), or
 * another disagreement; and counts, per target that expects some check not to pass (or is a
 * `mistake`), the gradings in which nothing was missed. Skipped checks are not counted.
 */
export function seedFigures(gradings: readonly SeedGrading[]): SeedFigures {
  const figures: SeedFigures = {
    gradings: gradings.length,
    falseFailures: [],
    missedMistakes: [],
    otherDisagreements: [],
    catchRates: [],
  };
  const rates = new Map<string, CatchRate>();
  for (const { target, seed, expected, result } of gradings) {
    let expectsFailure = expected.kind === "mistake";
    let missed = 0;
    let caughtSomething = false;
    for (const problem of result.problems) {
      for (const check of problem.checks) {
        if (check.status === "skipped") continue;
        const want = expectationFor(expected, problem.id, check.id);
        if (check.status !== "passed") caughtSomething = true;
        if (mustNotPass(want)) expectsFailure = true;
        if (satisfies(check.status, want)) continue;
        const at = { target, seed, check: check.id };
        if (mustPass(want)) figures.falseFailures.push({ ...at, status: check.status });
        else if (check.status === "passed" && mustNotPass(want)) {
          figures.missedMistakes.push(at);
          missed++;
        } else figures.otherDisagreements.push({ ...at, status: check.status });
      }
    }
    if (expected.kind === "mistake" && !caughtSomething && missed === 0) {
      figures.missedMistakes.push({ target, seed, check: "" });
      missed++;
    }
    if (!expectsFailure) continue;
    const rate = rates.get(target) ?? { target, caught: 0, graded: 0 };
    rates.set(target, rate);
    rate.graded++;
    if (missed === 0) rate.caught++;
  }
  figures.catchRates = [...rates.values()];
  return figures;
}
