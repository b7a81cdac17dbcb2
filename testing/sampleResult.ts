import { type CheckResult, type GradeResult, SCHEMA_VERSION } from "../grader/model/results.js";

/**
 * A hand-made GradeResult with every status, hidden checks skipped and output from the
 * submission (including escape sequences that try to fake a result), for reporters' tests and
 * the README's example. As gradeSubmission does, scores and maxScores count only the checks
 * that ran. A fresh object on every call.
 */
export function sampleResult(): GradeResult {
  const passed = (id: string, title: string, points: number): CheckResult => ({
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
    durationMs: 12,
  });
  const hidden = (id: string, title: string, points: number): CheckResult => ({
    id,
    title,
    status: "skipped",
    score: 0,
    maxScore: points,
    hidden: true,
    message: "",
    counterexample: null,
    replay: null,
    runs: 0,
    durationMs: 0,
  });
  const seed = 1234567;
  return {
    schemaVersion: SCHEMA_VERSION,
    graderVersion: "0.1.0",
    assignment: { id: "autodiff", title: "Automatic differentiation" },
    seed,
    mode: "check",
    score: 38,
    maxScore: 65,
    problems: [
      {
        id: "contractions",
        title: "Contractions and einsum",
        module: "contractions",
        score: 4,
        maxScore: 7,
        checks: [
          passed("1.contract.values", "contract: values", 4),
          {
            id: "1.batchedMatmul.values",
            title: "batchedMatmul: values",
            status: "failed",
            score: 0,
            maxScore: 3,
            hidden: false,
            message:
              "Y has the wrong shape: expected [1, 3], got [3, 1]\nhint: the result looks transposed",
            counterexample:
              "X = [[1, 0]]  (shape [1, 2])\nM = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])",
            replay: { seed, only: "1.batchedMatmul.values", path: "0:1:0" },
            runs: 9,
            durationMs: 31,
          },
          hidden("1.slideEinsum.values", "slideEinsum: values", 3),
        ],
      },
      {
        id: "layers",
        title: "Layers (the simplified graph)",
        module: "layers",
        score: 4,
        maxScore: 28,
        checks: [
          passed("3.linear.forward", "Linear: forward values", 4),
          {
            id: "3.linear.backward",
            title: "Linear: gradients",
            status: "failed",
            score: 0,
            maxScore: 6,
            hidden: false,
            message: [
              "Linear.grad (D_W[Z]) differs from the reference at 2 of 6 entries",
              "  worst at [1, 0]: expected 0.5, got 1 (abs err 0.5, rel err 1)",
              "hint: off by a factor of 2 (the batch size?)",
            ].join("\n"),
            counterexample:
              "W = [[1, 2], [3, 4], [5, 6]]  (shape [3, 2])\nX = [[1, 0, 0], [0, 1, 0]]",
            replay: { seed, only: "3.linear.backward", path: "12:0" },
            runs: 14,
            durationMs: 48,
          },
          {
            id: "3.bias.backward",
            title: "Bias: gradients",
            status: "not-implemented",
            score: 0,
            maxScore: 4,
            hidden: false,
            message: 'Bias.backward throws "not implemented"',
            counterexample: null,
            replay: null,
            runs: 1,
            durationMs: 2,
          },
          {
            id: "3.softmax.backward",
            title: "SoftMax: gradients",
            status: "error",
            score: 0,
            maxScore: 5,
            hidden: false,
            message:
              "SoftMax.backward threw TypeError: Cannot read properties of undefined (reading 'shape')\n    at SoftMax.backward (src/layers.ts:88:21)",
            counterexample: "X = [[0.5, -1.25]]  (shape [1, 2])",
            replay: { seed, only: "3.softmax.backward", path: "0" },
            runs: 1,
            durationMs: 5,
          },
          {
            id: "3.sigmoid.forward",
            title: "Sigmoid: forward values",
            status: "timeout",
            score: 0,
            maxScore: 3,
            hidden: false,
            message: "Sigmoid.forward ran longer than 2000 ms on one case; the child was stopped",
            counterexample: "X: shape [64, 64]",
            replay: { seed, only: "3.sigmoid.forward" },
            runs: 3,
            durationMs: 2004,
          },
          {
            id: "3.crossEntropy.backward",
            title: "CrossEntropy: gradients",
            status: "crashed",
            score: 0,
            maxScore: 4,
            hidden: false,
            message: "the child process exited (code 1) while running CrossEntropy.backward",
            counterexample: null,
            replay: { seed, only: "3.crossEntropy.backward" },
            runs: 1,
            durationMs: 40,
          },
          {
            id: "3.network.gradcheck",
            title: "networks of layers: end-to-end gradient check",
            status: "memory-limit",
            score: 0,
            maxScore: 2,
            hidden: false,
            message: "the child used more than 1024 MiB and was stopped",
            counterexample: "layers: Linear(3x4), ReLU, Linear(4x2)",
            replay: { seed, only: "3.network.gradcheck", path: "2" },
            runs: 3,
            durationMs: 900,
          },
          hidden("3.network.deep", "deep networks: end-to-end gradient check", 2),
        ],
      },
      {
        id: "autograd",
        title: "Computational graph engine",
        module: "autograd",
        score: 30,
        maxScore: 30,
        checks: [
          passed("4.reuse", "a Variable used twice gets the sum", 15),
          passed("4.chain", "long chains in linear time", 15),
        ],
      },
    ],
    output: {
      stdout: "debug: W shape [3, 2]\n\u001b[32m✔ Total 70/70\u001b[0m\r\n",
      stderr: "warning from student code\n",
    },
    hiddenSkipped: 2,
    durationMs: 3120,
  };
}
