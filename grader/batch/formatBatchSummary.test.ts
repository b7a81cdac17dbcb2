import { describe, expect, it } from "vitest";
import { formatBatchSummary, formatPercent } from "./formatBatchSummary.js";
import { row } from "./sampleRow.js";
import { summarizeBatch } from "./summarizeBatch.js";
import type { BatchSummary } from "./types.js";

function summary(): BatchSummary {
  return {
    submissions: 62,
    graded: 60,
    errors: 2,
    total: { maxScore: 100, mean: 71.354, median: 74.5, fullMarksRate: 5 / 60 },
    problems: [
      {
        id: "1",
        title: "Contractions and einsum",
        maxScore: 10,
        mean: 8.75,
        median: 10,
        fullMarksRate: 34 / 60,
      },
      { id: "3", title: "Layers", maxScore: 30, mean: 21.125, median: 22.25, fullMarksRate: 0 },
    ],
    commonFailures: [
      { checkId: "3.Linear.backward", title: "Linear.backward", problemId: "3", students: 23 },
      { checkId: "1.contract.shape", title: "contract: shape", problemId: "1", students: 1 },
    ],
  };
}

describe("formatBatchSummary", () => {
  it("prints counts, the total, an aligned table per problem and the common failures", () => {
    expect(formatBatchSummary(summary())).toBe(
      [
        "Batch: 62 submissions, 60 graded, 2 errors",
        "Total: mean 71.35/100, median 74.5, full marks 8.3%",
        "",
        "Problem  Title                    Max   Mean  Median  Full marks",
        "1        Contractions and einsum   10   8.75      10       56.7%",
        "3        Layers                    30  21.13   22.25          0%",
        "",
        "Most common failing checks:",
        "  23 students  3.Linear.backward  Linear.backward",
        "   1 student   1.contract.shape   contract: shape",
        "",
      ].join("\n"),
    );
  });

  it("says so when no check failed, with singular counts", () => {
    const quiet: BatchSummary = {
      ...summary(),
      submissions: 1,
      graded: 1,
      errors: 1,
      commonFailures: [],
    };
    const text = formatBatchSummary(quiet);
    expect(text).toContain("Batch: 1 submission, 1 graded, 1 error\n");
    expect(text).toMatch(/\nMost common failing checks: none\n$/);
  });

  it("escapes control characters so a title cannot recolour the terminal", () => {
    const hostile = summary();
    hostile.commonFailures[0]!.title = "\u001b[32mall good\u001b[0m";
    const text = formatBatchSummary(hostile);
    expect(text).not.toContain("\u001b");
    expect(text).toContain("\\x1b[32mall good");
  });
});

describe("formatBatchSummary of knock-on failures", () => {
  it("ranks the failure a knock-on waits for, not the knock-on", () => {
    const failedChecks = ["3.Linear.backward", "3.Linear.shapes"];
    const summary = summarizeBatch(
      {
        assignment: { id: "autodiff", title: "Automatic differentiation" },
        seed: 5,
        graderVersion: "0.1.0",
        problems: [],
        rows: [row("a", 10, { failedChecks }), row("b", 10, { failedChecks })],
      },
      {
        knockOns: new Map([
          ["a", ["3.Linear.shapes"]],
          ["b", ["3.Linear.shapes"]],
        ]),
      },
    );
    expect(formatBatchSummary(summary)).toMatch(
      /\nMost common failing checks:\n {2}2 students {2}3\.Linear\.backward\n$/,
    );
  });
});

describe("formatPercent", () => {
  it("rounds to one decimal and drops a trailing .0", () => {
    expect([0, 1, 0.5, 5 / 6, 1 / 3, 0.0004].map(formatPercent)).toEqual([
      "0%",
      "100%",
      "50%",
      "83.3%",
      "33.3%",
      "0%",
    ]);
  });
});
