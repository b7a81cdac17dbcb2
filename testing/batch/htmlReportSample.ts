import type {
  RootCauseFailure,
  SubmissionFailures,
} from "../../grader/batch/report/buildBatchReport.js";
import type { BatchProblem, BatchReport, BatchRow } from "../../grader/batch/types.js";
import type { CheckStatus } from "../../grader/model/results.js";

/** Untrusted names the report must show as text. */
export const EVIL_FOLDER = "<img src=x onerror=alert(1)>";
export const EVIL_NAME = `<script>alert("name")</script>&amp; O'Brien`;
/** A check message written to break out of the report (student code chooses what it throws). */
export const EVIL_MESSAGE = `threw <script>alert("message")</script></td></tr></table><img src=x onerror=alert(2)> & left`;
/** Roster students without a submission in the sample. */
export const MISSING_FOLDERS = ["zz-absent-1", "zz-absent-2"];

interface SampleCheck {
  id: string;
  title: string;
  points: number;
  /** Chance (0..1) that the weakest student fails it. */
  difficulty: number;
}

const CHECKS: Record<string, { title: string; checks: SampleCheck[] }> = {
  "1": {
    title: "Contractions and einsum",
    checks: [
      check("1.contract.forward", "contract: values against the reference", 4, 0.3),
      check("1.batchedMatmul.forward", "batchedMatmul: values against the reference", 3, 0.4),
      check("1.slideEinsum.forward", "slideEinsum: values against the reference", 2.5, 0.5),
      check("1.slideEinsum.shape", "slideEinsum: result shape", 0.5, 0.2),
    ],
  },
  "2": {
    title: "Derivatives as tensors",
    checks: [
      check(
        "2.matmulDerivative.values",
        "matmulDerivative: values against finite differences",
        6,
        0.6,
      ),
      check("2.softmaxRowJacobians.values", "softmaxRowJacobians: values", 6, 0.8),
      check("2.reuseDerivative.immutable", "reuseDerivative: inputs left unchanged", 3, 0.3),
    ],
  },
  "3": {
    title: "Layers (the simplified graph)",
    checks: [
      check("3.Linear.forward", "Linear.forward against the reference", 5, 0.2),
      check("3.Linear.backward", "Linear.backward against finite differences", 10, 0.9),
      check("3.Bias.backward", "Bias.backward against finite differences", 7.5, 0.7),
      check("3.ReLU.backward", "ReLU.backward against finite differences", 7.5, 0.4),
    ],
  },
  "4": {
    title: "Softmax and cross-entropy",
    checks: [
      check("4.softmax.forward", "softmax: values, stable for large inputs", 7, 0.5),
      check("4.crossEntropy.backward", "crossEntropy.backward divided by the batch", 8, 0.8),
    ],
  },
  "5": {
    title: "Backpropagation on a DAG",
    checks: [
      check("5.backward.reuse", "backward sums gradients of a reused variable", 10, 0.7),
      check("5.backward.linearTime", "backward runs in linear time on long graphs", 5, 0.5),
    ],
  },
  "6": {
    title: "Training",
    checks: [check("6.accuracy", "training reaches the reference accuracy", 15, 0.6)],
  },
};

function check(id: string, title: string, points: number, difficulty: number): SampleCheck {
  return { id, title, points, difficulty };
}

/**
 * A deterministic class for the HTML report's tests and screenshots: `students` graded rows
 * with varied scores (each score is the points of the checks that passed, so scores and failed
 * checks agree), two "error" rows, two "missing" roster students, and an evil folder name and
 * roster name among them.
 */
export function sampleBatchReport(students = 60, seed = 20240917): BatchReport {
  const random = seededRandom(seed);
  const problems = Object.entries(CHECKS).map(([id, problem]) => batchProblem(id, problem));
  const rows: BatchRow[] = [];
  for (let i = 0; i < students; i++) {
    // A spread of strengths from very weak to perfect, so every chart has several bars.
    const weakness = random() ** 1.6;
    const row = gradedRow(`s${String(i + 1).padStart(3, "0")}`, weakness, random);
    if (i === 7) row.folder = EVIL_FOLDER;
    if (i === 8) row.name = EVIL_NAME;
    rows.push(row);
  }
  rows.push(errorRow("zz-broken", 'could not bundle src/layers.ts: <Unexpected "}">'));
  rows.push(errorRow("zz-empty", "no src/ folder and no modules in the submission"));
  for (const folder of MISSING_FOLDERS) rows.push(missingRow(folder));
  rows.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
  return {
    assignment: { id: "autodiff", title: "Automatic differentiation" },
    seed,
    graderVersion: "0.1.0",
    problems,
    rows,
  };
}

function batchProblem(id: string, problem: { title: string; checks: SampleCheck[] }): BatchProblem {
  return {
    id,
    title: problem.title,
    maxScore: problem.checks.reduce((sum, c) => sum + c.points, 0),
    checks: problem.checks.map((c) => ({ id: c.id, title: c.title })),
  };
}

function gradedRow(folder: string, weakness: number, random: () => number): BatchRow {
  const problems: Record<string, number> = {};
  const failedChecks: string[] = [];
  let total = 0;
  for (const [problemId, problem] of Object.entries(CHECKS)) {
    let score = 0;
    for (const c of problem.checks) {
      if (random() < c.difficulty * weakness) failedChecks.push(c.id);
      else score += c.points;
    }
    problems[problemId] = score;
    total += score;
  }
  return { ...emptyRow(folder), status: "graded", problems, total, failedChecks };
}

function missingRow(folder: string): BatchRow {
  return { ...emptyRow(folder), status: "missing", message: "no submission", submissionHash: "" };
}

function errorRow(folder: string, message: string): BatchRow {
  return { ...emptyRow(folder), status: "error", message };
}

function emptyRow(folder: string): BatchRow {
  return {
    folder,
    studentId: `id-${folder}`,
    name: `Student ${folder}`,
    status: "graded",
    problems: Object.fromEntries(Object.keys(CHECKS).map((id) => [id, 0])),
    total: 0,
    maxScore: 100,
    seed: 20240917,
    failedChecks: [],
    submissionHash: "0".repeat(64),
    message: "",
  };
}

/** In the sample, a failing shape check waits for its values check (a knock-on) when both fail. */
const KNOCK_ONS: Record<string, string> = { "1.slideEinsum.shape": "1.slideEinsum.forward" };

/**
 * Per-student failures to go with `sampleBatchReport` (what `failuresByFolder` gives for real
 * results): every failed check of a graded row is a root cause with a message, except knock-ons
 * (KNOCK_ONS), which are counted. One message in five is long and spans lines (to be shortened),
 * and the first failure in the class carries EVIL_MESSAGE.
 */
export function sampleFailures(report: BatchReport): Map<string, SubmissionFailures> {
  const titles = new Map(report.problems.flatMap((p) => p.checks.map((c) => [c.id, c.title])));
  const failures = new Map<string, SubmissionFailures>();
  let evil = true;
  for (const row of report.rows) {
    if (row.status !== "graded") continue;
    const failed = new Set(row.failedChecks);
    const rootCauses: RootCauseFailure[] = [];
    let knockOns = 0;
    for (const [index, checkId] of row.failedChecks.entries()) {
      const root = KNOCK_ONS[checkId];
      if (root !== undefined && failed.has(root)) {
        knockOns++;
        continue;
      }
      const waiting = Object.entries(KNOCK_ONS).filter(([k, r]) => r === checkId && failed.has(k));
      rootCauses.push({
        checkId,
        title: titles.get(checkId) ?? "",
        status: sampleStatus(checkId),
        message: evil ? EVIL_MESSAGE : sampleMessage(checkId, row.folder.length + index),
        knockOns: waiting.length,
      });
      evil = false;
    }
    failures.set(row.folder, { rootCauses, knockOns });
  }
  return failures;
}

function sampleStatus(checkId: string): CheckStatus {
  if (checkId.endsWith(".linearTime")) return "timeout";
  if (checkId.startsWith("6.")) return "not-implemented";
  return "failed";
}

function sampleMessage(checkId: string, variant: number): string {
  const name = checkId.split(".").slice(1).join(".");
  if (variant % 5 !== 0)
    return `${name} differs from the reference at ${1 + (variant % 4)} of 6 entries (largest error ${(0.1 * (1 + (variant % 3))).toFixed(1)})`;
  const entries = Array.from(
    { length: 40 },
    (_, i) => `  [${i}] expected ${i * 0.5} but got ${i * 0.5 + 0.25}`,
  );
  return `${name} differs from the reference at 40 of 40 entries:\n${entries.join("\n")}`;
}

/** A linear congruential generator: plenty for sample data, and the same on every machine. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
