import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import type { GradeResult } from "../model/results.js";
import {
  type ClassroomResult,
  classroomOutput,
  classroomReporter,
  parseClassroomOutput,
  toClassroomResult,
} from "./classroomReporter.js";
import type { ReportOptions } from "./Reporter.js";

const options: ReportOptions = { color: false, command: "npx gradmark grade" };

/** What autograding-grading-reporter does with a runner's `<ID>_RESULTS` value. */
function asReporterReadsIt(encoded: string): ClassroomResult {
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf-8")) as ClassroomResult;
}

/** The points the reporter sends to Classroom: the tests' scores summed, over max_score. */
function classroomPoints(results: ClassroomResult): { total: number; max: number } {
  let total = 0;
  for (const { score } of results.tests) total += score;
  return { total, max: results.max_score };
}

function expectShape(json: ClassroomResult): void {
  expect(Object.keys(json)).toEqual(["version", "status", "max_score", "tests"]);
  expect(json.version).toBe(1);
  expect(["pass", "fail"]).toContain(json.status);
  expect(typeof json.max_score).toBe("number");
  for (const test of json.tests) {
    expect(Object.keys(test)).toEqual([
      "name",
      "status",
      "score",
      "message",
      "test_code",
      "filename",
      "line_no",
      "duration",
    ]);
    expect(typeof test.name).toBe("string");
    expect(["pass", "fail"]).toContain(test.status);
    expect(Number.isFinite(test.score)).toBe(true);
    expect(test.message === null || typeof test.message === "string").toBe(true);
    expect(typeof test.test_code).toBe("string");
    expect(typeof test.filename).toBe("string");
    expect(Number.isInteger(test.line_no)).toBe(true);
    expect(Number.isFinite(test.duration)).toBe(true);
  }
}

function passedEverything(result: GradeResult): GradeResult {
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status === "skipped") continue;
      check.status = "passed";
      check.score = check.maxScore;
    }
  }
  result.score = result.maxScore;
  return result;
}

describe("classroom reporter", () => {
  it("renders the runner result the grading reporter reads", () => {
    const text = classroomReporter.render(sampleResult(), options);
    const json = JSON.parse(text) as ClassroomResult;
    expectShape(json);
    expect(json).toEqual(toClassroomResult(sampleResult(), options));
    expect(json.status).toBe("fail");
    expect(json.max_score).toBe(65);
    // Skipped checks (hidden ones in check mode) are left out.
    expect(json.tests).toHaveLength(11);
    expect(json.tests[0]).toEqual({
      name: "1.contract.values: contract: values (4/4 pts)",
      status: "pass",
      score: 4,
      message: null,
      test_code: "npx gradmark grade --seed 1234567 --only 1.contract.values",
      filename: "src/contractions.ts",
      line_no: 0,
      duration: 12,
    });
    expect(json.tests[1]).toEqual({
      name: "1.batchedMatmul.values: batchedMatmul: values (0/3 pts)",
      status: "fail",
      score: 0,
      message: [
        "Y has the wrong shape: expected [1, 3], got [3, 1]",
        "hint: the result looks transposed",
        "counterexample:",
        "X = [[1, 0]]  (shape [1, 2])",
        "M = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])",
        "replay: npx gradmark grade --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
      ].join("\n"),
      test_code: "npx gradmark grade --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
      filename: "src/contractions.ts",
      line_no: 0,
      duration: 31,
    });
    const notImplemented = json.tests.find((t) => t.name.startsWith("3.bias.backward"))!;
    expect(notImplemented.message).toBe('Bias.backward throws "not implemented"');
    // Every status other than passed fails.
    expect(json.tests.filter((t) => t.status === "pass").map((t) => t.name.split(":")[0])).toEqual([
      "1.contract.values",
      "3.linear.forward",
      "4.reuse",
      "4.chain",
    ]);
  });

  it("gives Classroom gradmark's points, fractions included, through the base64 output", () => {
    const result = sampleResult();
    result.problems[0]!.checks[0]!.score = 2.5;
    result.problems[0]!.checks[0]!.maxScore = 2.5;
    result.problems[2]!.checks[0]!.score = 0.25;
    result.problems[2]!.checks[0]!.maxScore = 0.25;
    result.score = 2.5 + 4 + 0.25 + 15;
    result.maxScore = 65 - 4 + 2.5 - 15 + 0.25;
    const encoded = classroomOutput(result, options);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const decoded = asReporterReadsIt(encoded);
    expect(decoded).toEqual(toClassroomResult(result, options));
    expect(parseClassroomOutput(encoded)).toEqual(decoded);
    expectShape(decoded);
    expect(decoded.tests[0]!.score).toBe(2.5);
    expect(decoded.tests[0]!.name).toBe("1.contract.values: contract: values (2.5/2.5 pts)");
    expect(classroomPoints(decoded)).toEqual({ total: 21.75, max: 48.75 });
    // The compact JSON, not the pretty one, is what gets encoded.
    expect(Buffer.from(encoded, "base64").toString("utf8")).not.toContain("\n  ");
  });

  it("round-trips text beyond ASCII", () => {
    const result = sampleResult();
    result.problems[0]!.checks[1]!.message = "Σ over the batch · ∂L/∂W differs — ✘";
    const decoded = asReporterReadsIt(classroomOutput(result));
    expect(decoded.tests[1]!.message).toContain("Σ over the batch · ∂L/∂W differs — ✘");
  });

  it("passes when every check that ran passed", () => {
    const json = toClassroomResult(passedEverything(sampleResult()), options);
    expect(json.status).toBe("pass");
    expect(json.tests.every((t) => t.status === "pass" && t.message === null)).toBe(true);
    expect(classroomPoints(json)).toEqual({ total: 65, max: 65 });
  });

  it("keeps control characters and workflow commands out of what the job log prints", () => {
    const result = sampleResult();
    result.problems[1]!.checks[1]!.message =
      "bad\n::error title=Autograding::Points 100/100\n  ::add-mask::x\n\u001b[32mok\u001b[0m";
    result.problems[1]!.checks[1]!.title = "::notice::forged";
    const json = toClassroomResult(result, options);
    const test = json.tests[3]!;
    for (const text of [test.name, test.message!, test.test_code]) {
      expect(text).not.toMatch(/^\s*::/m);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    }
    expect(test.message).toContain(
      "\n: :error title=Autograding::Points 100/100\n  : :add-mask::x\n",
    );
    expect(test.message).toContain("\\x1b[32mok\\x1b[0m");
    expect(test.name).toBe("3.linear.backward: ::notice::forged (0/6 pts)");
  });

  it("prints the secret seed as $GRADMARK_SEED", () => {
    const text = classroomReporter.render(sampleResult(), { ...options, redactSeed: true });
    expect(text).not.toContain("1234567");
    expect(text).toContain('--seed \\"$GRADMARK_SEED\\"');
  });
});
