import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import type { GradeResult } from "../model/results.js";
import {
  type GradescopeResults,
  gradescopeReporter,
  gradescopeResultsProblems,
  hiddenVisibilityFromEnv,
  toGradescopeResults,
} from "./gradescopeReporter.js";
import type { ReportOptions } from "./Reporter.js";

const options: ReportOptions = { color: false, command: "npx gradmark grade" };

function render(result: GradeResult, extra: Partial<ReportOptions> = {}): GradescopeResults {
  const text = gradescopeReporter.render(result, { ...options, ...extra });
  expect(text.endsWith("}\n")).toBe(true);
  return JSON.parse(text) as GradescopeResults;
}

/** The sample graded in `grade` mode: the hidden checks ran and passed. */
function gradedWithHidden(): GradeResult {
  const result = sampleResult();
  result.mode = "grade";
  result.hiddenSkipped = 0;
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status !== "skipped") continue;
      check.status = "passed";
      check.score = check.maxScore;
      problem.score += check.maxScore;
      problem.maxScore += check.maxScore;
      result.score += check.maxScore;
      result.maxScore += check.maxScore;
    }
  }
  return result;
}

/** Every check passed (hidden ones too). */
function allPassed(result: GradeResult): GradeResult {
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status === "skipped") continue;
      check.status = "passed";
      check.score = check.maxScore;
      check.message = "";
      check.counterexample = null;
      check.replay = null;
    }
    problem.score = problem.maxScore;
  }
  result.score = result.maxScore;
  result.output = { stdout: "", stderr: "" };
  return result;
}

const CLAIMS_ALL_PASSED = /\ball\b[^.\n]*\bpass|\bevery\b[^.\n]*\bpass|\bfull (marks|score)\b/i;

describe("gradescope reporter", () => {
  it("writes only documented fields, with the documented types", () => {
    for (const result of [sampleResult(), gradedWithHidden()]) {
      const json = render(result);
      expect(gradescopeResultsProblems(json)).toEqual([]);
      expect(Object.keys(json)).toEqual([
        "score",
        "execution_time",
        "output",
        "output_format",
        "test_output_format",
        "test_name_format",
        "extra_data",
        "tests",
      ]);
      for (const test of json.tests) {
        expect(Object.keys(test)).toEqual([
          "score",
          "max_score",
          "status",
          "name",
          "number",
          "output",
          "tags",
          "visibility",
        ]);
      }
    }
  });

  it("the validator catches what Gradescope would not read", () => {
    expect(gradescopeResultsProblems([])).toEqual(["results must be a JSON object"]);
    expect(gradescopeResultsProblems({ output: "x" })).toContain(
      "a top-level score or tests is required",
    );
    expect(
      gradescopeResultsProblems({
        score: "3",
        color: 1,
        tests: [{ score: 1, status: "pass", visibility: "students", tags: [1] }],
      }),
    ).toEqual([
      "unknown top-level field color",
      "score must be a number",
      'tests[0].status must be "passed" or "failed"',
      "tests[0].tags must be a list of strings",
      "tests[0].visibility must be one of hidden, after_due_date, after_published, visible",
    ]);
  });

  it("maps each check that ran to a test, leaving skipped checks out", () => {
    const result = sampleResult();
    const json = render(result);
    const ran = result.problems.flatMap((p) => p.checks).filter((c) => c.status !== "skipped");
    expect(json.tests.map((t) => t.number)).toEqual(ran.map((c) => c.id));
    expect(json.tests).toHaveLength(11);
    expect(json.score).toBe(38);
    expect(json.tests.reduce((sum, t) => sum + t.score, 0)).toBe(json.score);
    expect(json.tests.reduce((sum, t) => sum + t.max_score, 0)).toBe(result.maxScore);
    expect(json.execution_time).toBe(3);
    expect(json.extra_data).toEqual({
      gradmark: "0.1.0",
      assignment: "autodiff",
      mode: "check",
      seed: 1234567,
    });

    const failed = json.tests[1]!;
    expect(failed).toEqual({
      score: 0,
      max_score: 3,
      status: "failed",
      name: "1.batchedMatmul.values: batchedMatmul: values",
      number: "1.batchedMatmul.values",
      output: [
        "Result: failed",
        "",
        "Y has the wrong shape: expected [1, 3], got [3, 1]",
        "hint: the result looks transposed",
        "",
        "Counterexample:",
        "  X = [[1, 0]]  (shape [1, 2])",
        "  M = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])",
        "",
        "Replay: npx gradmark grade --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
      ].join("\n"),
      tags: ["contractions", "failed"],
      visibility: "visible",
    });
    expect(json.tests[0]).toMatchObject({ status: "passed", output: "", score: 4, max_score: 4 });
    // Every gradmark status other than passed is a Gradescope failure, named in the output.
    const byId = new Map(json.tests.map((t) => [t.number, t]));
    expect(byId.get("3.bias.backward")!.output).toBe(
      'Result: not implemented\n\nBias.backward throws "not implemented"',
    );
    expect(byId.get("3.sigmoid.forward")).toMatchObject({
      status: "failed",
      tags: ["layers", "timeout"],
    });
    expect(byId.get("3.sigmoid.forward")!.output).toMatch(/^Result: timeout\n/);
    expect(byId.get("3.network.gradcheck")!.output).toMatch(/^Result: memory limit exceeded\n/);
    expect(byId.get("3.crossEntropy.backward")!.output).toMatch(/^Result: crashed\n/);
  });

  it("keeps fractional points", () => {
    const result = sampleResult();
    const check = result.problems[0]!.checks[0]!;
    check.score = 2.5;
    check.maxScore = 2.5;
    result.problems[1]!.checks[0]!.score = 0.25;
    result.problems[1]!.checks[0]!.maxScore = 0.25;
    result.score = 32.75;
    const text = gradescopeReporter.render(result, options);
    expect(text).toContain('"score": 2.5');
    expect(text).toContain('"max_score": 0.25');
    const json = JSON.parse(text) as GradescopeResults;
    expect(json.score).toBe(32.75);
    expect(json.tests.reduce((sum, t) => sum + t.score, 0)).toBe(32.75);
    expect(json.output).toContain("Score: 32.75/");
  });

  it("gives hidden checks after_published by default, or the visibility chosen by environment", () => {
    const result = gradedWithHidden();
    const hiddenIds = ["1.slideEinsum.values", "3.network.deep"];
    const visibilityOf = (json: GradescopeResults) =>
      Object.fromEntries(json.tests.map((t) => [t.number, t.visibility]));

    const json = toGradescopeResults(result, options, hiddenVisibilityFromEnv({}));
    for (const [id, visibility] of Object.entries(visibilityOf(json))) {
      expect(visibility).toBe(hiddenIds.includes(id) ? "after_published" : "visible");
    }
    const hidden = toGradescopeResults(
      result,
      options,
      hiddenVisibilityFromEnv({ GRADMARK_GRADESCOPE_HIDDEN: "hidden" }),
    );
    expect(hiddenIds.map((id) => visibilityOf(hidden)[id])).toEqual(["hidden", "hidden"]);
    expect(hidden.output).toContain("their results are not shown to students");
    expect(hiddenVisibilityFromEnv({ GRADMARK_GRADESCOPE_HIDDEN: " after_due_date " })).toBe(
      "after_due_date",
    );
    expect(hiddenVisibilityFromEnv({ GRADMARK_GRADESCOPE_HIDDEN: "" })).toBe("after_published");
    expect(() => hiddenVisibilityFromEnv({ GRADMARK_GRADESCOPE_HIDDEN: "visible" })).toThrow(
      "GRADMARK_GRADESCOPE_HIDDEN must be one of hidden, after_due_date, after_published",
    );
  });

  it("reads GRADMARK_GRADESCOPE_HIDDEN from the process environment when rendering", () => {
    const before = process.env.GRADMARK_GRADESCOPE_HIDDEN;
    try {
      process.env.GRADMARK_GRADESCOPE_HIDDEN = "hidden";
      expect(
        render(gradedWithHidden()).tests.filter((t) => t.visibility === "hidden"),
      ).toHaveLength(2);
      process.env.GRADMARK_GRADESCOPE_HIDDEN = "hiden";
      expect(() => render(gradedWithHidden())).toThrow("GRADMARK_GRADESCOPE_HIDDEN must be");
    } finally {
      if (before === undefined) delete process.env.GRADMARK_GRADESCOPE_HIDDEN;
      else process.env.GRADMARK_GRADESCOPE_HIDDEN = before;
    }
  });

  it("never claims that everything passed, nor shows the total, while hidden checks count", () => {
    const result = allPassed(gradedWithHidden());
    const json = render(result);
    expect(json.tests.every((t) => t.status === "passed")).toBe(true);
    expect(json.output).not.toMatch(CLAIMS_ALL_PASSED);
    // The total (70/70) would give away the hidden checks' results; visible points only.
    expect(json.output).not.toContain(`${result.score}/${result.maxScore}`);
    expect(json.output).toContain("Visible checks: 11 of 11 passed, 65/65 points.");
    expect(json.output).toContain(
      "2 hidden checks (5 points) also count towards the score; their results appear when the grades are published.",
    );
    expect(json.output).toContain(
      "Contractions and einsum (problem contractions): visible 7/7 points, 2 of 2 visible checks passed (+ 1 hidden check)",
    );

    // In check mode the hidden checks did not run: still no claim that all passed.
    const checked = allPassed(sampleResult());
    const output = render(checked).output;
    expect(output).not.toMatch(CLAIMS_ALL_PASSED);
    expect(output).toContain("Score: 65/65 points; 11 of 11 checks passed.");
    expect(output).toContain(
      "2 hidden checks did not run (check mode); they count only when graded.",
    );
  });

  it("summarises per problem, and shows the total when there are no hidden checks", () => {
    const result = sampleResult();
    result.hiddenSkipped = 0;
    for (const problem of result.problems) {
      problem.checks = problem.checks.filter((c) => !c.hidden);
    }
    const output = render(result).output;
    expect(output.split("\n").slice(0, 7)).toEqual([
      "gradmark 0.1.0 · Automatic differentiation (autodiff) · check · seed 1234567",
      "",
      "Contractions and einsum (problem contractions): 4/7 points, 1 of 2 checks passed",
      "Layers (the simplified graph) (problem layers): 4/28 points, 1 of 7 checks passed",
      "Computational graph engine (problem autograd): 30/30 points, 2 of 2 checks passed",
      "",
      "Score: 38/65 points; 4 of 11 checks passed.",
    ]);
  });

  it("writes plain text: no ANSI or control characters from the submission", () => {
    const result = sampleResult();
    result.problems[1]!.checks[1]!.message = "\u001b[32mlooks fine\u001b[0m\rforged\u202e";
    const text = gradescopeReporter.render(result, options);
    const json = JSON.parse(text) as GradescopeResults;
    const strings = [json.output, ...json.tests.flatMap((t) => [t.name, t.output, ...t.tags])];
    for (const s of strings) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
      expect(s).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    expect(json.tests[3]!.output).toContain("\\x1b[32mlooks fine\\x1b[0m\\x0dforged\\u202e");
    expect(json.output).toContain(
      "--- output of your submission (stdout), captured while grading, not part of the grade ---\n| debug: W shape [3, 2]\n| \\x1b[32m✔ Total 70/70\\x1b[0m\n--- end of submission stdout ---",
    );
    expect(render(result, { showOutput: false }).output).not.toContain("output of your submission");
  });

  it("cuts long submission output", () => {
    const result = sampleResult();
    result.output.stdout = `${"x".repeat(400)}\n${Array.from({ length: 60 }, (_, i) => `line ${i}`).join("\n")}\n`;
    const output = render(result).output;
    expect(output).toContain(`| ${"x".repeat(300)} [line cut]\n`);
    expect(output).toContain("| line 38\n| [21 more lines not shown]\n");
  });

  it("keeps a secret seed out of the file", () => {
    const result = gradedWithHidden();
    const text = gradescopeReporter.render(result, { ...options, redactSeed: true });
    expect(text).not.toContain("1234567");
    const json = JSON.parse(text) as GradescopeResults;
    expect(json.extra_data.seed).toBe("secret");
    expect(json.output).toContain("· grade · seed secret");
    expect(json.tests[1]!.output).toContain(
      'Replay: npx gradmark grade --seed "$GRADMARK_SEED" --only 1.batchedMatmul.values --path 0:1:0',
    );
  });

  it("handles a result with no checks", () => {
    const result = sampleResult();
    result.problems = [];
    result.score = 0;
    result.maxScore = 0;
    result.hiddenSkipped = 0;
    const json = render(result);
    expect(gradescopeResultsProblems(json)).toEqual([]);
    expect(json.tests).toEqual([]);
    expect(json.score).toBe(0);
  });
});
