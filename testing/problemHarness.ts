import { expect } from "vitest";
import { drivers } from "../grader/assignments/autodiff/drivers.js";
import type { CheckDefinition, ProblemDefinition } from "../grader/authoring/types.js";
import type { CheckRun } from "../grader/engine/runCheck.js";
import { type InProcessRun, runCheckInProcess } from "./runCheckInProcess.js";

type Module = Record<string, unknown>;

/** What the default assignment's problem tests do with one problem's checks. */
export interface ProblemHarness {
  /** The check with this id (throws if the problem has none). */
  check: (id: string) => CheckDefinition;
  /** Runs check `id` in-process against `module` as the problem's module, with a grading seed. */
  run: (id: string, module: Module, seed?: number) => InProcessRun;
  /**
   * Asserts that check `id` ends with one of `statuses` ("failed" unless said otherwise: a
   * driver crash or a timeout is not the planted bug caught) on every seed from 1 to `seeds`,
   * and returns the first seed's message.
   */
  failsEverySeed: (
    id: string,
    module: Module,
    seeds?: number,
    statuses?: readonly CheckRun["status"][],
  ) => string;
  /** The staff solution's module with some exports replaced (a planted mistake). */
  planted: (replacements: Module) => Module;
}

/** The harness of `problem`, whose checks grade the submission module `moduleName`. */
export function problemHarness(
  problem: ProblemDefinition,
  moduleName: string,
  solution: Module,
): ProblemHarness {
  const check = (id: string): CheckDefinition => {
    const found = problem.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id} in problem ${problem.id}`);
    return found;
  };
  const run = (id: string, module: Module, seed = 1): InProcessRun =>
    runCheckInProcess(check(id), drivers, { [moduleName]: module }, { seed });
  const failsEverySeed = (
    id: string,
    module: Module,
    seeds = 5,
    statuses: readonly CheckRun["status"][] = ["failed"],
  ): string => {
    let message = "";
    for (let seed = 1; seed <= seeds; seed++) {
      const result = run(id, module, seed);
      expect(statuses, `${id}, seed ${seed}: ${result.status}: ${result.message}`).toContain(
        result.status,
      );
      message ||= result.message;
    }
    return message;
  };
  const planted = (replacements: Module): Module => ({ ...solution, ...replacements });
  return { check, run, failsEverySeed, planted };
}
