import { type CheckResult, type GradeResult, SCHEMA_VERSION } from "../grader/model/results.js";
import { KNOCK_ON_PREFIX } from "../grader/reporters/knockOns.js";

/**
 * A hand-made GradeResult with knock-on failures, for reporters' tests: in problem 3,
 * 3.Linear.backward fails and 3.Linear.shapes and 3.Linear.immutable (which require it) pass on
 * their own but earn nothing; in problem 5, 5.einsum.backward is not implemented, so its
 * knock-on 5.einsum.repeated has no failure block to be listed under. A fresh object per call.
 */
export function knockOnResult(): GradeResult {
  const seed = 42;
  const check = (
    id: string,
    title: string,
    points: number,
    extra: Partial<CheckResult> = {},
  ): CheckResult => ({
    id,
    title,
    status: "passed",
    score: points,
    maxScore: points,
    hidden: false,
    message: "",
    counterexample: null,
    replay: null,
    runs: 25,
    durationMs: 10,
    ...extra,
  });
  const knockOn = (id: string, title: string, points: number, roots: string[]) =>
    check(id, title, points, {
      status: "failed",
      score: 0,
      message: `${KNOCK_ON_PREFIX}${roots.join(", ")}, which did not pass`,
    });
  return {
    schemaVersion: SCHEMA_VERSION,
    graderVersion: "0.1.0",
    assignment: { id: "autodiff", title: "Automatic differentiation" },
    seed,
    mode: "check",
    score: 1,
    maxScore: 7,
    problems: [
      {
        id: "3",
        title: "Layers",
        module: "layers",
        score: 1,
        maxScore: 4,
        checks: [
          check("3.Linear.forward", "Linear: forward values", 1),
          check("3.Linear.backward", "Linear: gradients", 2, {
            status: "failed",
            score: 0,
            message: "Linear.grad (D_W[Z]) differs from the reference at 2 of 6 entries",
            counterexample: "W = [[1, 2], [3, 4]]",
            replay: { seed, only: "3.Linear.backward", path: "3:0" },
          }),
          knockOn("3.Linear.shapes", "Linear: gradient shapes", 0.5, ["3.Linear.backward"]),
          knockOn("3.Linear.immutable", "Linear: inputs left unchanged", 0.5, [
            "3.Linear.backward",
          ]),
        ],
      },
      {
        id: "5",
        title: "Einsum",
        module: "einsum",
        score: 0,
        maxScore: 3,
        checks: [
          check("5.einsum.backward", "einsum: gradients", 2, {
            status: "not-implemented",
            score: 0,
            message: 'einsumBackward throws "not implemented"',
            runs: 1,
          }),
          knockOn("5.einsum.repeated", "einsum: repeated indices", 1, ["5.einsum.backward"]),
        ],
      },
    ],
    output: { stdout: "", stderr: "" },
    hiddenSkipped: 0,
    durationMs: 100,
  };
}
