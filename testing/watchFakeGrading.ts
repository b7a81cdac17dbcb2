/** A stand-in for gradeSubmission in the watcher's tests: no bundle, no child, instant verdicts. */
import type { GradeOptions } from "../grader/engine/gradeSubmission.js";
import type { CheckStatus, GradeResult, ProblemResult } from "../grader/model/results.js";

export interface FakeGrading {
  grade: (options: GradeOptions) => Promise<GradeResult>;
  /** What it was asked, in order. */
  calls: GradeOptions[];
  /** The status of a check that runs (default passed). */
  verdicts: Map<string, CheckStatus>;
  /** Makes the next calls throw `error` (null: grade again). */
  failWith(error: Error | null): void;
}

/**
 * Grades `options.assignment` as gradeSubmission would report it in check mode: the checks
 * `only` names run (hidden ones skipped) with the status `verdicts` gives them, the rest are
 * skipped; scores count the checks that ran.
 */
export function fakeGrading(): FakeGrading {
  const calls: GradeOptions[] = [];
  const verdicts = new Map<string, CheckStatus>();
  let failure: Error | null = null;
  const grade = async (options: GradeOptions): Promise<GradeResult> => {
    calls.push(options);
    if (failure) throw failure;
    const assignment = options.assignment!;
    const problems: ProblemResult[] = assignment.problems.map((p) => {
      const checks = p.checks.map((c) => {
        const runs = (options.only ?? [c.id]).includes(c.id) && !c.hidden;
        const status: CheckStatus = runs ? (verdicts.get(c.id) ?? "passed") : "skipped";
        const good = status === "passed" || status === "skipped";
        return {
          id: c.id,
          title: c.title,
          status,
          score: status === "passed" ? c.points : 0,
          maxScore: c.points,
          hidden: c.hidden ?? false,
          message: good ? "" : `${c.id} went wrong`,
          // As the engine does: a failing case as drawn without shrinking, the smallest with it.
          counterexample: good ? null : options.shrink === false ? "x as drawn" : "x shrunk",
          replay: good
            ? null
            : {
                seed: options.seed!,
                only: c.id,
                ...(options.shrink === false ? {} : { path: "0:0" }),
              },
          runs: 1,
          durationMs: 1,
        };
      });
      const ran = checks.filter((c) => c.status !== "skipped");
      return {
        id: p.id,
        title: p.title,
        module: p.module,
        score: ran.reduce((t, c) => t + c.score, 0),
        maxScore: ran.reduce((t, c) => t + c.maxScore, 0),
        checks,
      };
    });
    return {
      schemaVersion: 1,
      graderVersion: "0.0.0",
      assignment: { id: assignment.id, title: assignment.title },
      seed: options.seed!,
      mode: "check",
      score: problems.reduce((t, p) => t + p.score, 0),
      maxScore: problems.reduce((t, p) => t + p.maxScore, 0),
      problems,
      output: { stdout: "", stderr: "" },
      hiddenSkipped: 0,
      durationMs: 1,
    };
  };
  return {
    grade,
    calls,
    verdicts,
    failWith: (error) => {
      failure = error;
    },
  };
}
