import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import type { GradeResult } from "../model/results.js";
import { toClassroomResult } from "./classroomReporter.js";
import { reporters } from "./index.js";
import type { ReportOptions } from "./Reporter.js";
import { replayCommand } from "./terminalReporter.js";

/**
 * The sample graded in `grade` mode: hidden check 1.slideEinsum.values ran and failed, with what
 * gradeSubmission keeps of a hidden check (status, generic message; no case, no replay), and
 * output printed while it ran withheld.
 */
function gradedWithHiddenFailure(): GradeResult {
  const result = sampleResult();
  result.mode = "grade";
  result.hiddenSkipped = 0;
  for (const check of result.problems.flatMap((p) => p.checks)) {
    if (!check.hidden) continue;
    check.status = "passed";
    check.score = check.maxScore;
    check.durationMs = 4321;
  }
  const slide = result.problems[0]!.checks[2]!;
  Object.assign(slide, {
    status: "failed",
    score: 0,
    message: "failed (hidden check: its inputs, output and details are not shown)",
    counterexample: null,
    replay: null,
    runs: 25,
    durationMs: 4321,
  });
  result.output.withheldBytes = 98765;
  return result;
}

const options: ReportOptions = {
  color: false,
  command: "npx gradmark grade",
  showOutput: true,
  redactSeed: true,
};

describe("reports of hidden checks", () => {
  it("give no replay, duration or withheld byte count for a hidden check, and say output was withheld", () => {
    const result = gradedWithHiddenFailure();
    for (const [name, reporter] of Object.entries(reporters)) {
      const text = reporter.render(result, options);
      if (name === "json") {
        expect(text).toContain('"withheldBytes": 98765');
        continue;
      }
      expect(text, name).not.toMatch(/--only '?1\.slideEinsum\.values/);
      expect(text, name).not.toContain("98765");
      expect(text, name).not.toContain("4321");
      expect(text, name).not.toContain("4.321");
      expect(text, name).not.toContain("1234567"); // the seed, from GRADMARK_SEED
      expect(text, name).toContain("hidden check: its inputs, output and details are not shown");
      // Visible failures keep their replay commands.
      expect(text, name).toMatch(/--only '?1\.batchedMatmul\.values/);
      if (name !== "classroom") {
        expect(text, name).toContain(
          "What the submission printed while hidden checks ran is not shown",
        );
      }
    }
    const slide = toClassroomResult(result, options).tests.find((t) =>
      t.name.startsWith("1.slideEinsum.values"),
    )!;
    expect(slide).toMatchObject({ status: "fail", duration: 0 });
    expect(slide.test_code).toBe("hidden check 1.slideEinsum.values");
    expect(replayCommand(result, result.problems[0]!.checks[2]!, options)).toBe(
      "none (hidden check)",
    );
  });

  it("say nothing of withheld output where no hidden check ran", () => {
    const result = sampleResult();
    for (const [name, reporter] of Object.entries(reporters)) {
      expect(reporter.render(result, options), name).not.toContain("hidden checks ran");
    }
  });

  it("keep the replay of a hidden check whose details staff revealed", () => {
    const result = gradedWithHiddenFailure();
    const slide = result.problems[0]!.checks[2]!;
    slide.replay = { seed: result.seed, only: slide.id, path: "3:1" };
    const text = reporters.terminal!.render(result, { ...options, redactSeed: false });
    expect(text).toContain("--seed 1234567 --only 1.slideEinsum.values --path 3:1");
  });
});
