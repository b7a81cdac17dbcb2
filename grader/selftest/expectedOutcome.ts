import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult, CheckStatus, GradeResult } from "../model/results.js";

export type FixtureKind = "correct" | "mistake" | "partial" | "broken" | "hostile";

/** One expectation: a status, several, any status but passed, or anything. */
export type StatusExpectation = CheckStatus | CheckStatus[] | "not-passed" | "any";

/** A sample submission's expected.json (fixtures/submissions/README.md). */
export interface ExpectedOutcome {
  kind: FixtureKind;
  description: string;
  /** Keys: "*", a problem id, a check-id prefix, or a check id; the longest covering key wins. */
  expect: Record<string, StatusExpectation>;
  /**
   * The submission the sample's src/ files are laid over, so a sample holds only what it changes:
   * the staff solution or the starter (absent: src/ holds the whole submission).
   */
  base?: "solution" | "starter";
  /** With base "starter": modules taken from the staff solution (the problems already solved). */
  useSolution?: string[];
  /** Modules deleted after the overlay (a missing module). */
  remove?: string[];
}

const KINDS: FixtureKind[] = ["correct", "mistake", "partial", "broken", "hostile"];
const STATUSES: CheckStatus[] = [
  "passed",
  "failed",
  "not-implemented",
  "error",
  "timeout",
  "memory-limit",
  "crashed",
];

/** Reads and checks `<dir>/expected.json`; the message names the file and the field. */
export function readExpectedOutcome(dir: string): ExpectedOutcome {
  const file = join(dir, "expected.json");
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const v = value as Partial<ExpectedOutcome>;
  if (!KINDS.includes(v.kind as FixtureKind))
    throw new Error(`${file}: kind must be one of ${KINDS.join(", ")}`);
  if (typeof v.description !== "string") throw new Error(`${file}: description must be a sentence`);
  if (typeof v.expect !== "object" || v.expect === null)
    throw new Error(`${file}: expect must map keys to statuses`);
  for (const [key, want] of Object.entries(v.expect)) {
    const ok = (s: unknown) => STATUSES.includes(s as CheckStatus);
    const valid =
      want === "any" ||
      want === "not-passed" ||
      ok(want) ||
      (Array.isArray(want) && want.every(ok));
    if (!valid)
      throw new Error(
        `${file}: expect[${JSON.stringify(key)}] is ${JSON.stringify(want)}, not a status`,
      );
  }
  if (v.base !== undefined && v.base !== "solution" && v.base !== "starter") {
    throw new Error(`${file}: base must be "solution" or "starter"`);
  }
  for (const field of ["useSolution", "remove"] as const) {
    const list = v[field];
    if (list !== undefined && !(Array.isArray(list) && list.every((m) => typeof m === "string"))) {
      throw new Error(`${file}: ${field} must list module names`);
    }
  }
  return v as ExpectedOutcome;
}

/** The expectation that covers a check: the longest key among "*", its problem id and prefixes. */
export function expectationFor(
  expected: ExpectedOutcome,
  problemId: string,
  checkId: string,
): StatusExpectation {
  let best: [number, StatusExpectation] = [-1, "any"];
  for (const [key, want] of Object.entries(expected.expect)) {
    const covers =
      key === "*" || key === problemId || key === checkId || checkId.startsWith(`${key}.`);
    const weight = key === "*" ? 0 : key.length;
    if (covers && weight > best[0]) best = [weight, want];
  }
  return best[1];
}

/** Whether a status meets an expectation. */
export function satisfies(status: CheckStatus, want: StatusExpectation): boolean {
  if (want === "any") return true;
  if (want === "not-passed") return status !== "passed";
  return Array.isArray(want) ? want.includes(status) : status === want;
}

export function describeExpectation(want: StatusExpectation): string {
  return Array.isArray(want) ? want.join(" or ") : want;
}

/** Every way the result breaks the expectation, one line each (empty when it agrees). */
export function disagreementsWith(result: GradeResult, expected: ExpectedOutcome): string[] {
  const notes: string[] = [];
  const checks: { problem: string; check: CheckResult }[] = result.problems.flatMap((p) =>
    p.checks.map((check) => ({ problem: p.id, check })),
  );
  for (const { problem, check } of checks) {
    if (check.status === "skipped") continue;
    const want = expectationFor(expected, problem, check.id);
    if (!satisfies(check.status, want)) {
      const why = check.message ? `: ${check.message.split("\n")[0]}` : "";
      notes.push(`${check.id}: expected ${describeExpectation(want)}, got ${check.status}${why}`);
    }
  }
  if (expected.kind === "correct" && result.score !== result.maxScore) {
    notes.push(`a correct submission must get full marks, got ${result.score}/${result.maxScore}`);
  }
  if (expected.kind === "mistake") {
    const caught = checks.some(
      ({ check }) => check.status !== "passed" && check.status !== "skipped",
    );
    if (!caught || result.score >= result.maxScore)
      notes.push("the planted mistake was not caught by any check");
  }
  return notes;
}
