import { autodiff } from "../grader/assignments/autodiff/index.js";
import type { Assignment, CheckDefinition } from "../grader/authoring/types.js";
import type { CheckRun } from "../grader/engine/runCheck.js";
import { drawCases } from "../grader/engine/runFirstBatch.js";
import type { Driver } from "../grader/sandbox/child/driver.js";
import { LoadError, runOutcome } from "../grader/sandbox/child/runOutcome.js";
import { withStandardDrivers } from "../grader/sandbox/child/standard/standardDrivers.js";
import { FloatPack } from "../grader/sandbox/protocol/FloatPack.js";
import { inProcessCalls } from "./drawnCases.js";

export interface InProcessRun {
  /** "passed" when every run passed; otherwise how the first bad run ended. */
  status: CheckRun["status"];
  /** The first bad run's message (judge verdict, thrown error), as the grader words it. */
  message: string;
  /** The case of the first bad run. */
  failingCase?: unknown;
  runs: number;
}

export interface InProcessOptions {
  /** The grading seed (as `--seed`): the check draws from checkSeed(seed, its id). Default 1. */
  seed?: number;
  /** Cases to draw (default: the check's runs, else the assignment's). */
  runs?: number;
  /** Whose defaults (runs, tolerance, time limits) apply; default the built-in autodiff. */
  assignment?: Assignment;
}

/**
 * Runs a check against modules loaded in this process through the grader's own code: the cases
 * drawn as `gradmark grade --seed` draws them, the payloads made and the results converted and
 * judged exactly as runCheck does (staff faults, tolerance defaults, the non-finite guard,
 * "not implemented", load errors), the drivers called as the child calls them. What it leaves
 * out is the child process and shrinking, so a failure is reported on the first failing case as
 * drawn. For fast tests of checks and drivers; never for untrusted code.
 */
export function runCheckInProcess(
  check: CheckDefinition,
  drivers: Record<string, Driver>,
  modules: Record<string, Record<string, unknown>>,
  options: InProcessOptions = {},
): InProcessRun {
  const base = options.assignment ?? autodiff;
  const assignment: Assignment =
    options.runs === undefined
      ? base
      : { ...base, defaults: { ...base.defaults, runs: options.runs } };
  const runs = options.runs ?? check.runs ?? assignment.defaults.runs;
  const sized = { ...check, runs };
  const calls = inProcessCalls(sized, assignment, options.seed ?? 1);
  // As in the child: gradmark's own drivers beside the assignment's.
  const driver = withStandardDrivers(drivers)[check.driver];
  if (!driver) throw new Error(`no driver named ${check.driver}`);
  const cases = drawCases(sized, calls);
  const { payloads, floats } = calls.payloadBatch(cases);
  const pack = new FloatPack();
  const outcomes = payloads.map((payload) =>
    runOutcome(driver, loadedModules(modules), payload, floats, pack),
  );
  const batch = { kind: "outcomes" as const, outcomes, floats: pack.finish(), wallMs: 0 };
  for (let i = 0; i < cases.length; i++) {
    const judged = calls.judgeBatch(cases[i], batch, i);
    if (judged.status !== "passed") return { ...judged, failingCase: cases[i], runs };
  }
  return { status: "passed", message: "", runs };
}

/** The submission's modules as the child hands them to drivers: a missing one is a load error. */
function loadedModules(
  modules: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  return new Proxy(modules, {
    get(target, name) {
      const key = String(name);
      const found = target[key];
      if (found === undefined) throw new LoadError(key, `src/${key} is missing`);
      return found;
    },
  });
}
