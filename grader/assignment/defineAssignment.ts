import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { DEFAULT_TOLERANCE } from "../../checks/index.js";
import { DEFAULT_LIMITS } from "../sandbox/Sandbox.js";
import type { Assignment, AssignmentDefinition } from "./types.js";

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Validates an assignment definition and fills in defaults. Throws an Error naming the exact
 * problem or check that is wrong, so a staff member's typo is found before any grading.
 */
export function defineAssignment(definition: AssignmentDefinition): Assignment {
  const where = `assignment ${JSON.stringify(definition?.id ?? "?")}`;
  const fail = (message: string): never => {
    throw new Error(`${where}: ${message}`);
  };
  if (typeof definition !== "object" || definition === null)
    fail("the definition must be an object");
  if (typeof definition.id !== "string" || !ID.test(definition.id))
    fail("id must be a short identifier");
  if (!Number.isSafeInteger(definition.seed))
    fail(`seed must be an integer, got ${definition.seed}`);
  if (!Array.isArray(definition.modules) || definition.modules.length === 0)
    fail("modules must list the src/ modules");
  if (typeof definition.drivers !== "string" || !isAbsolute(definition.drivers)) {
    fail("drivers must be the absolute path of the drivers module");
  }
  if (!existsSync(definition.drivers)) fail(`drivers file ${definition.drivers} does not exist`);
  const visibilities = ["hidden", "after_published", "after_due_date"];
  if (
    definition.hiddenVisibility !== undefined &&
    !visibilities.includes(definition.hiddenVisibility)
  ) {
    fail(
      `hiddenVisibility must be one of ${visibilities.join(", ")}, got ${JSON.stringify(definition.hiddenVisibility)}`,
    );
  }
  const defaults = {
    runs: definition.defaults?.runs ?? 25,
    timeoutMs: definition.defaults?.timeoutMs ?? 2000,
    tolerance: { ...DEFAULT_TOLERANCE, ...definition.defaults?.tolerance },
    budgetMs: definition.defaults?.budgetMs ?? 120_000,
  };
  const seen = new Set<string>();
  const problemIds = new Set<string>();
  let maxScore = 0;
  for (const problem of definition.problems ?? []) {
    const at = `problem ${JSON.stringify(problem.id)}`;
    if (typeof problem.id !== "string" || !ID.test(problem.id))
      fail(`${at}: id must be a short identifier`);
    if (problemIds.has(problem.id)) fail(`${at}: the id is used twice`);
    problemIds.add(problem.id);
    if (!definition.modules.includes(problem.module)) {
      fail(`${at}: module ${JSON.stringify(problem.module)} is not in modules`);
    }
    if (
      problem.weight !== undefined &&
      !(typeof problem.weight === "number" && problem.weight > 0 && Number.isFinite(problem.weight))
    ) {
      fail(`${at}: weight must be a positive number, got ${problem.weight}`);
    }
    let points = 0;
    const inProblem = new Set(problem.checks.map((c) => c.id));
    for (const check of problem.checks) {
      const c = `${at}, check ${JSON.stringify(check.id)}`;
      if (typeof check.id !== "string" || !ID.test(check.id))
        fail(`${c}: id must be a short identifier`);
      if (seen.has(check.id) || problemIds.has(check.id)) fail(`${c}: the id is used twice`);
      seen.add(check.id);
      if (
        !(typeof check.points === "number" && check.points >= 0 && Number.isFinite(check.points))
      ) {
        fail(`${c}: points must be a non-negative number, got ${check.points}`);
      }
      if (check.runs !== undefined && !(Number.isSafeInteger(check.runs) && check.runs >= 1)) {
        fail(`${c}: runs must be a positive integer, got ${check.runs}`);
      }
      if (check.timeoutMs !== undefined && !(check.timeoutMs > 0))
        fail(`${c}: timeoutMs must be positive`);
      for (const required of check.requires ?? []) {
        if (!inProblem.has(required) || required === check.id) {
          fail(
            `${c}: requires ${JSON.stringify(required)}, which is not another check of this problem`,
          );
        }
      }
      for (const fn of ["payload", "judge"] as const) {
        if (typeof check[fn] !== "function") fail(`${c}: ${fn} must be a function`);
      }
      if (typeof check.driver !== "string") fail(`${c}: driver must name a driver`);
      if (!check.cases || typeof (check.cases as { generate?: unknown }).generate !== "function") {
        fail(`${c}: cases must be a fast-check arbitrary`);
      }
      points += check.points;
    }
    if (problem.points !== undefined && Math.abs(points - problem.points) > 1e-9) {
      fail(`${at}: its checks add up to ${points} points, not ${problem.points}`);
    }
    maxScore += points;
  }
  return {
    ...definition,
    defaults,
    limits: { ...DEFAULT_LIMITS, ...definition.limits },
    maxScore,
  };
}
