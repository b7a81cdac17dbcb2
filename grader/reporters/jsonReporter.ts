import type { CheckResult, GradeResult, ProblemResult } from "../model/results.js";
import type { SandboxReport } from "../model/SandboxReport.js";
import type { Reporter } from "./Reporter.js";

function check(c: CheckResult) {
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    score: c.score,
    maxScore: c.maxScore,
    hidden: c.hidden,
    message: c.message,
    counterexample: c.counterexample,
    replay:
      c.replay === null
        ? null
        : {
            seed: c.replay.seed,
            only: c.replay.only,
            ...(c.replay.path === undefined ? {} : { path: c.replay.path }),
          },
    runs: c.runs,
    durationMs: c.durationMs,
  };
}

function sandbox(s: SandboxReport) {
  return {
    tool: s.tool,
    permissionModel: s.permissionModel,
    networkNamespace: s.networkNamespace,
    pidNamespace: s.pidNamespace,
    readOnlyView: s.readOnlyView,
    unprivilegedUser: s.unprivilegedUser,
    noNewPrivileges: s.noNewPrivileges,
    dieWithParent: s.dieWithParent,
    missing: [...s.missing],
  };
}

function problem(p: ProblemResult) {
  return {
    id: p.id,
    title: p.title,
    module: p.module,
    score: p.score,
    maxScore: p.maxScore,
    checks: p.checks.map(check),
  };
}

/**
 * The GradeResult as JSON (schema documented in README.md next to this file), with the fields
 * in a fixed order and nothing else, so the file is the same for the same result.
 */
export function toJsonReport(result: GradeResult) {
  return {
    schemaVersion: result.schemaVersion,
    graderVersion: result.graderVersion,
    assignment: { id: result.assignment.id, title: result.assignment.title },
    seed: result.seed,
    mode: result.mode,
    score: result.score,
    maxScore: result.maxScore,
    problems: result.problems.map(problem),
    output: {
      stdout: result.output.stdout,
      stderr: result.output.stderr,
      ...(result.output.withheldBytes === undefined
        ? {}
        : { withheldBytes: result.output.withheldBytes }),
    },
    hiddenSkipped: result.hiddenSkipped,
    ...(result.sandbox === undefined ? {} : { sandbox: sandbox(result.sandbox) }),
    durationMs: result.durationMs,
  };
}

export const jsonReporter: Reporter = {
  name: "json",
  description: "the full result as JSON (versioned schema, see the README)",
  render(result) {
    return `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
  },
};
