import fc from "fast-check";
import { DEFAULT_TOLERANCE } from "../checks/index.js";
import type { CheckDefinition, JudgeContext } from "../grader/authoring/types.js";
import type { Driver } from "../grader/sandbox/child/driver.js";
import { throughWire } from "./throughWire.js";

export interface InProcessRun {
  /** "passed" when every run passed; otherwise how the first bad run ended. */
  status: "passed" | "failed" | "not-implemented" | "error";
  /** The first bad run's message (judge verdict or thrown error). */
  message: string;
  /** The case of the first bad run. */
  failingCase?: unknown;
  runs: number;
}

/**
 * Runs a check against modules loaded in this process, with the same payload and result
 * conversions as the sandbox but no child process: for fast tests of checks and drivers.
 * Not for grading untrusted code.
 */
export function runCheckInProcess(
  check: CheckDefinition,
  drivers: Record<string, Driver>,
  modules: Record<string, Record<string, unknown>>,
  options: { seed?: number; runs?: number } = {},
): InProcessRun {
  const runs = options.runs ?? check.runs ?? 25;
  const cases = fc.sample(check.cases, { seed: options.seed ?? 1, numRuns: runs });
  const driver = drivers[check.driver];
  if (!driver) throw new Error(`no driver named ${check.driver}`);
  const context: JudgeContext = {
    seed: options.seed ?? 1,
    tolerance: { ...DEFAULT_TOLERANCE, ...check.tolerance },
    wallMs: 0,
  };
  for (const testCase of cases) {
    let result: unknown;
    try {
      result = throughWire((payload) => driver(modules, payload), check.payload(testCase));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const status =
        message.trim().toLowerCase() === "not implemented" ? "not-implemented" : "error";
      return { status, message, failingCase: testCase, runs };
    }
    const verdict = check.judge(testCase, result, context);
    if (!verdict.pass)
      return { status: "failed", message: verdict.message, failingCase: testCase, runs };
  }
  return { status: "passed", message: "", runs };
}
