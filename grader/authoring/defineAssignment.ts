import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { DEFAULT_TOLERANCE } from "../../checks/index.js";
import { stackFrame } from "../common/AssignmentError.js";
import { packagePath } from "../common/packagePath.js";
import {
  NO_DRIVERS_MODULE,
  STANDARD_DRIVER_PREFIX,
  STANDARD_DRIVERS,
} from "../sandbox/child/standard/standardDrivers.js";
import { DEFAULT_LIMITS } from "../sandbox/Sandbox.js";
import type {
  Assignment,
  AssignmentDefinition,
  CheckDefinition,
  ProblemDefinition,
} from "./types.js";

/**
 * Problem and check ids: what `--only` takes and replay commands print, so nothing a shell or
 * `--only` would split or mangle (no spaces, quotes or commas: `--only` splits on commas).
 */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ID_RULE = "letters, digits, '.', '_' and '-'; no spaces, quotes or commas";
/** A module is src/<name>.ts and an `--only` token too. */
const MODULE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Throws the Error of a definition that is wrong: `message` says where and why. */
type Fail = (message: string) => never;

/** Problem and check ids met so far, in the definition's order. */
interface SeenIds {
  problems: Set<string>;
  checks: Set<string>;
}

/**
 * Validates an assignment definition and fills in defaults. Throws an Error naming the exact
 * problem or check that is wrong, so a staff member's typo is found before any grading.
 */
export function defineAssignment(definition: AssignmentDefinition): Assignment {
  const definedIn = callerFile() ?? (definition as Partial<Assignment>)?.definedIn;
  const where = `assignment ${JSON.stringify(definition?.id ?? "?")}`;
  const fail: Fail = (message) => {
    throw new Error(`${where}: ${message}`);
  };
  checkTopLevel(definition, fail);
  const defaults = filledDefaults(definition, fail);
  const seen: SeenIds = { problems: new Set(), checks: new Set() };
  let maxScore = 0;
  for (const problem of definition.problems ?? []) {
    maxScore += checkProblem(problem, definition, defaults, seen, fail);
  }
  const ambiguous = ambiguousId(definition);
  if (ambiguous !== null) fail(ambiguous);
  return {
    ...definition,
    drivers: definition.drivers ?? packagePath(NO_DRIVERS_MODULE),
    defaults,
    limits: { ...DEFAULT_LIMITS, ...definition.limits },
    maxScore,
    ...(definedIn !== undefined ? { definedIn } : {}),
  };
}

/** Checks what the definition says of itself: id, seed, modules, drivers, hiddenVisibility. */
function checkTopLevel(definition: AssignmentDefinition, fail: Fail): void {
  if (typeof definition !== "object" || definition === null)
    fail("the definition must be an object");
  if (typeof definition.id !== "string" || !ID.test(definition.id))
    fail("id must be a short identifier");
  if (!Number.isSafeInteger(definition.seed))
    fail(`seed must be an integer, got ${definition.seed}`);
  if (!Array.isArray(definition.modules) || definition.modules.length === 0)
    fail("modules must list the src/ modules");
  const moduleNames = new Map<string, string>();
  for (const module of definition.modules) {
    if (typeof module !== "string" || !MODULE.test(module)) {
      fail(
        `module ${JSON.stringify(module)}: a module name must be a file name without extension (letters, digits, '_' and '-')`,
      );
    }
    const other = moduleNames.get(module.toLowerCase());
    if (other !== undefined)
      fail(`module ${JSON.stringify(module)} is listed twice (as ${JSON.stringify(other)})`);
    moduleNames.set(module.toLowerCase(), module);
  }
  if (definition.drivers !== undefined) {
    if (typeof definition.drivers !== "string" || !isAbsolute(definition.drivers)) {
      fail("drivers must be the absolute path of the drivers module");
    }
    if (!existsSync(definition.drivers)) fail(`drivers file ${definition.drivers} does not exist`);
  }
  const visibilities = ["hidden", "after_published", "after_due_date"];
  if (
    definition.hiddenVisibility !== undefined &&
    !visibilities.includes(definition.hiddenVisibility)
  ) {
    fail(
      `hiddenVisibility must be one of ${visibilities.join(", ")}, got ${JSON.stringify(definition.hiddenVisibility)}`,
    );
  }
}

/** The assignment's defaults, the definition's own over the grader's, with a usable tolerance. */
function filledDefaults(definition: AssignmentDefinition, fail: Fail): Assignment["defaults"] {
  const defaults = {
    runs: definition.defaults?.runs ?? 25,
    timeoutMs: definition.defaults?.timeoutMs ?? 2000,
    tolerance: { ...DEFAULT_TOLERANCE, ...definition.defaults?.tolerance },
    budgetMs: definition.defaults?.budgetMs ?? 120_000,
  };
  const badDefault = toleranceProblem(defaults.tolerance);
  if (badDefault !== null) fail(`defaults: ${badDefault}`);
  return defaults;
}

/** Checks one problem and its checks, adding their ids to `seen`; returns its points. */
function checkProblem(
  problem: ProblemDefinition,
  definition: AssignmentDefinition,
  defaults: Assignment["defaults"],
  seen: SeenIds,
  fail: Fail,
): number {
  const at = `problem ${JSON.stringify(problem.id)}`;
  if (typeof problem.id !== "string" || !ID.test(problem.id))
    fail(`${at}: id must be a short identifier (${ID_RULE})`);
  if (seen.problems.has(problem.id)) fail(`${at}: the id is used twice`);
  seen.problems.add(problem.id);
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
    checkCheck(
      check,
      `${at}, check ${JSON.stringify(check.id)}`,
      inProblem,
      definition,
      defaults,
      seen,
      fail,
    );
    points += check.points;
  }
  if (problem.points !== undefined && Math.abs(points - problem.points) > 1e-9) {
    fail(`${at}: its checks add up to ${points} points, not ${problem.points}`);
  }
  return points;
}

/**
 * Checks one check (`c` says where it is), adding its id to `seen`. `inProblem` holds the ids of
 * its problem's checks, which alone it may require.
 */
function checkCheck(
  check: CheckDefinition,
  c: string,
  inProblem: ReadonlySet<string>,
  definition: AssignmentDefinition,
  defaults: Assignment["defaults"],
  seen: SeenIds,
  fail: Fail,
): void {
  if (typeof check.id !== "string" || !ID.test(check.id))
    fail(`${c}: id must be a short identifier (${ID_RULE})`);
  if (seen.checks.has(check.id) || seen.problems.has(check.id)) fail(`${c}: the id is used twice`);
  seen.checks.add(check.id);
  if (!(typeof check.points === "number" && check.points >= 0 && Number.isFinite(check.points))) {
    fail(`${c}: points must be a non-negative number, got ${check.points}`);
  }
  if (check.runs !== undefined && !(Number.isSafeInteger(check.runs) && check.runs >= 1)) {
    fail(`${c}: runs must be a positive integer, got ${check.runs}`);
  }
  if (check.timeoutMs !== undefined && !(check.timeoutMs > 0))
    fail(`${c}: timeoutMs must be positive`);
  if (check.tolerance !== undefined) {
    const bad = toleranceProblem({ ...defaults.tolerance, ...check.tolerance });
    if (bad !== null) fail(`${c}: ${bad}`);
  }
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
  if (check.driver.startsWith(STANDARD_DRIVER_PREFIX)) {
    if (!Object.hasOwn(STANDARD_DRIVERS, check.driver)) {
      fail(
        `${c}: driver ${JSON.stringify(check.driver)} is not one of gradmark's (${Object.keys(STANDARD_DRIVERS).join(", ")}); names starting with "${STANDARD_DRIVER_PREFIX}" are reserved`,
      );
    }
  } else if (definition.drivers === undefined) {
    fail(
      `${c}: driver ${JSON.stringify(check.driver)} needs the assignment's drivers module, and the definition names none (drivers)`,
    );
  }
  if (!check.cases || typeof (check.cases as { generate?: unknown }).generate !== "function") {
    fail(`${c}: cases must be a fast-check arbitrary`);
  }
}

/** Why a tolerance cannot be used (atol or rtol not a finite number of 0 or more), or null. */
function toleranceProblem(tolerance: { atol: number; rtol: number }): string | null {
  for (const key of ["atol", "rtol"] as const) {
    const value = tolerance[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      return `tolerance ${key} must be a finite number of 0 or more, got ${String(value)}`;
  }
  return null;
}

/**
 * Ids that `--only` could not tell apart, as a message, or null. `--only` takes a check id
 * exactly (case included) before anything else, and otherwise problem ids, module names and
 * export names (a check id's second part: "Linear" in "3.Linear.backward") in any case. So a
 * check id may not differ from another only in case (a token in the wrong case could not say
 * which one it meant), nor be, in any case, a problem id, a module name or an export name (the
 * token would name both the check and a group of checks); and a problem id may not be, in any
 * case, another problem's id or module (the token would select the other problem too).
 */
function ambiguousId(definition: AssignmentDefinition): string | null {
  const problems = definition.problems ?? [];
  const checks = problems.flatMap((problem) => problem.checks.map((check) => ({ problem, check })));
  const at = (problem: ProblemDefinition, check?: CheckDefinition) =>
    `problem ${JSON.stringify(problem.id)}${check ? `, check ${JSON.stringify(check.id)}` : ""}`;
  const groups = new Map<string, string>();
  const group = (key: string, what: string) => {
    if (!groups.has(key.toLowerCase())) groups.set(key.toLowerCase(), what);
  };
  const problemIds = new Map<string, ProblemDefinition>();
  for (const problem of problems) {
    const key = problem.id.toLowerCase();
    const other = problemIds.get(key);
    if (other) {
      return `${at(problem)}: differs from problem ${JSON.stringify(other.id)} only in case, which --only could not tell apart`;
    }
    problemIds.set(key, problem);
  }
  for (const problem of problems) {
    const other = problems.find(
      (p) => p !== problem && p.module.toLowerCase() === problem.id.toLowerCase(),
    );
    if (other) {
      return `${at(problem)}: is also the module of problem ${JSON.stringify(other.id)}, so --only ${problem.id} would select both`;
    }
    group(problem.id, `the id of problem ${JSON.stringify(problem.id)}`);
  }
  for (const module of definition.modules)
    group(module, `the name of module ${JSON.stringify(module)}`);
  for (const { check } of checks) {
    const name = check.id.split(".")[1];
    if (name) group(name, `the export name of check ${JSON.stringify(check.id)}`);
  }
  const checkIds = new Map<string, CheckDefinition>();
  for (const { problem, check } of checks) {
    const key = check.id.toLowerCase();
    const other = checkIds.get(key);
    if (other) {
      return `${at(problem, check)}: differs from check ${JSON.stringify(other.id)} only in case, which --only could not tell apart`;
    }
    checkIds.set(key, check);
    const also = groups.get(key);
    if (also !== undefined) {
      return `${at(problem, check)}: is also ${also}, so --only ${check.id} would be ambiguous`;
    }
  }
  return null;
}

/**
 * The file of the code that called defineAssignment, from the call's stack (source-mapped where
 * Node maps stacks), or undefined when the stack names none that exists.
 */
function callerFile(): string | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, defineAssignment);
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    const frame = stackFrame(line);
    if (frame === null || frame.file.startsWith("node:")) continue;
    return isAbsolute(frame.file) && existsSync(frame.file) ? frame.file : undefined;
  }
  return undefined;
}
