import { sanitize } from "../common/sanitize.js";
import type { GradeResult } from "../model/results.js";
import { formatPoints } from "../reporters/text.js";
import { disagreementsWith, type ExpectedOutcome } from "./expectedOutcome.js";
import type { SeedGrading } from "./seedFigures.js";
import { ALL_NOT_IMPLEMENTED, FULL_MARKS, type SelftestTarget } from "./selftestTargets.js";

/** One line of the selftest table, with the disagreements listed under it. */
export interface SelftestRow {
  target: string;
  /** What the target must come to: "full marks", "0, all not implemented", or its kind. */
  expected: string;
  /** Score and check counts under the first seed, or "error: " and why it could not be graded. */
  got: string;
  agrees: boolean;
  /** Every disagreement with the expectation (prefixed by its seed when there are several). */
  notes: string[];
  /** The target could not be graded (selftest exits 2). */
  error: boolean;
}

/** What grading a target under one seed gave: a result, or the first line of the error. */
export type SelftestOutcome = { result: GradeResult } | { error: string };

/** "38/70: 4 passed, 2 failed" */
export function summarise(result: GradeResult): string {
  const counts = new Map<string, number>();
  for (const check of result.problems.flatMap((problem) => problem.checks)) {
    counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
  }
  const parts = [...counts].map(([status, count]) => `${count} ${status}`);
  return `${formatPoints(result.score)}/${formatPoints(result.maxScore)}: ${parts.join(", ") || "no checks"}`;
}

/** The first non-blank line of an error message, safe to print. */
export function firstLine(text: string): string {
  return sanitize(text.split("\n").find((line) => line.trim() !== "") ?? "");
}

/**
 * A target's row from its gradings (one per seed, in seed order): it agrees when every grading
 * meets the expectation; the first error ends it (later gradings are not looked at). Also
 * returns the gradings that gave a result, for the figures over seeds. `invalid` is why the
 * target could not be graded at all (its expected.json, or planning its gradings).
 */
export function selftestRow(
  target: SelftestTarget,
  gradings: readonly { seed: number | undefined; outcome: SelftestOutcome }[],
  options: { invalid?: string; seedCount: number },
): { row: SelftestRow; graded: SeedGrading[] } {
  const row: SelftestRow = {
    target: target.name,
    expected: expectationText(target.expected),
    got: "",
    agrees: true,
    notes: [],
    error: false,
  };
  const graded: SeedGrading[] = [];
  if (options.invalid !== undefined) {
    return {
      row: { ...row, got: `error: ${firstLine(options.invalid)}`, error: true, agrees: false },
      graded,
    };
  }
  const multi = options.seedCount > 1;
  let first: GradeResult | undefined;
  let varies = false;
  for (const { seed, outcome } of gradings) {
    if ("error" in outcome) {
      Object.assign(row, { got: `error: ${outcome.error}`, error: true, agrees: false });
      return { row, graded };
    }
    const { result } = outcome;
    graded.push({ target: target.name, seed, expected: target.expected, result });
    if (first === undefined) first = result;
    else if (!sameOutcomes(outcomeKey(first), outcomeKey(result))) varies = true;
    const notes = disagreementsWith(result, target.expected);
    if (notes.length > 0) {
      row.agrees = false;
      const where = multi ? `seed ${seed}: ` : "";
      row.notes.push(...notes.map((note) => `${where}${sanitize(note)}`));
    }
  }
  if (first !== undefined) {
    row.got = `${summarise(first)}${varies ? `; differs over ${options.seedCount} seeds` : ""}`;
  }
  return { row, graded };
}

function expectationText(expected: ExpectedOutcome): string {
  if (expected === FULL_MARKS || expected === ALL_NOT_IMPLEMENTED) return expected.description;
  return expected.kind;
}

/** Statuses per check of a grading, to tell whether seeds gave different outcomes. */
function outcomeKey(result: GradeResult): Map<string, string> {
  return new Map(
    result.problems.flatMap((p) =>
      p.checks.filter((c) => c.status !== "skipped").map((c) => [c.id, c.status] as const),
    ),
  );
}

function sameOutcomes(first: Map<string, string>, other: Map<string, string>): boolean {
  return [...other].every(([id, status]) => first.get(id) === status);
}
