import type { CheckDefinition, ProblemDefinition } from "../authoring/types.js";
import { knockOnMessage } from "../model/knockOn.js";
import type { CheckResult, ProblemResult } from "../model/results.js";
import type { CheckRun } from "./runCheck.js";

/** A score as reported: rounded to 6 decimals, so sums of fractional points print cleanly. */
export function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The points a check earns for how its run ended: all of them for a pass, none otherwise. */
export function earned(check: CheckDefinition, status: CheckRun["status"]): number {
  return status === "passed" ? check.points : 0;
}

/** Shape, immutability and finiteness checks earn points only with the values they depend on. */
export function applyRequirements(problem: ProblemDefinition, result: ProblemResult): void {
  const byId = new Map(result.checks.map((c) => [c.id, c]));
  for (const check of problem.checks) {
    const own = byId.get(check.id)!;
    if (own.status !== "passed") continue;
    const missing = (check.requires ?? []).filter((id) => byId.get(id)?.status !== "passed");
    if (missing.length === 0) continue;
    own.status = "failed";
    own.score = 0;
    own.message = knockOnMessage(missing);
  }
  for (const c of result.checks) c.score = round(c.score);
}

/**
 * Adds the problem's checks that ran (skipped ones count for nothing) to its score and maximum,
 * in order, calling `counted` after each with the totals so far.
 */
export function addUp(
  result: ProblemResult,
  counted: (problem: ProblemResult, check: CheckResult) => void,
): void {
  for (const c of result.checks) {
    if (c.status === "skipped") continue;
    result.score += c.score;
    result.maxScore += c.maxScore;
    counted(result, c);
  }
}

/** A grade's score and maximum: the problems' own, added up and rounded. */
export function gradeTotals(problems: readonly ProblemResult[]): {
  score: number;
  maxScore: number;
} {
  return {
    score: round(problems.reduce((t, p) => t + p.score, 0)),
    maxScore: round(problems.reduce((t, p) => t + p.maxScore, 0)),
  };
}
