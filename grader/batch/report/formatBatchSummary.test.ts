import { describe, expect, it } from "vitest";
import { row } from "../../../testing/batch/sampleRow.js";
import type { BatchSummary } from "../types.js";
import {
  formatBatchErrors,
  formatBatchSummary,
  formatPercent,
  relativeToClass,
  shortenText,
} from "./formatBatchSummary.js";
import { summarizeBatch } from "./summarizeBatch.js";

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

describe("shortenText", () => {
  it("leaves text that fits alone", () => {
    expect(shortenText("dave.zip: the zip holds no files", 32)).toBe(
      "dave.zip: the zip holds no files",
    );
  });

  it("cuts at the last whole word, drops a dangling comma and adds an ellipsis", () => {
    const text = "bob has no src/ folder, and none of the modules at its top level";
    expect(shortenText(text, 25)).toBe("bob has no src/ folder…");
    expect(shortenText(text, 30)).toBe("bob has no src/ folder, and…");
    expect(shortenText(text, 30).length).toBeLessThanOrEqual(30);
    expect(shortenText("one two\nthree four", 12)).toBe("one two…");
  });

  it("cuts inside a word only when there is no space in the second half", () => {
    expect(shortenText(`see ${"x".repeat(50)}`, 20)).toBe(`see ${"x".repeat(15)}…`);
  });

  it("never leaves half of a surrogate pair", () => {
    expect(shortenText("😀".repeat(10), 6)).toBe("😀😀…");
  });
});

describe("relativeToClass", () => {
  const paths = [
    { path: "/home/ta/class", as: "" },
    { path: "/home/ta/class/alice", as: "alice" },
    { path: "/scratch/gradmark-batch-x/3", as: "carol.zip" },
  ];

  it("names submissions and their files relative to the class folder", () => {
    expect(
      relativeToClass("/home/ta/class/alice has no src/ folder; see /home/ta/class/alice.", paths),
    ).toBe("alice has no src/ folder; see alice.");
    expect(relativeToClass("ENOENT: stat '/home/ta/class/bob.zip'", paths)).toBe(
      "ENOENT: stat 'bob.zip'",
    );
    expect(relativeToClass("/scratch/gradmark-batch-x/3/repo has no src/ folder", paths)).toBe(
      "carol.zip/repo has no src/ folder",
    );
    expect(relativeToClass("at f (file:///home/ta/class/alice/src/layers.ts:3:9)", paths)).toBe(
      "at f (alice/src/layers.ts:3:9)",
    );
  });

  it("matches whole path components only", () => {
    for (const text of [
      "/home/ta/classes/alice",
      "/home/ta/class.zip",
      "/scratch/gradmark-batch-x/31/repo",
      "/srv/home/ta/class/alice",
    ])
      expect(relativeToClass(text, paths)).toBe(text);
  });

  it("takes paths with characters that mean something in a regular expression literally", () => {
    const odd = [{ path: "/home/t.a (2)/cl+ass", as: "" }];
    expect(relativeToClass("/home/t.a (2)/cl+ass/bob: no", odd)).toBe("bob: no");
    expect(relativeToClass("/home/tXa (2)/cl+ass/bob: no", odd)).toBe(
      "/home/tXa (2)/cl+ass/bob: no",
    );
  });
});

describe("formatBatchErrors", () => {
  it("lists every error row with its whole message, continuation lines indented", () => {
    const long = `bob: ${"word ".repeat(60).trim()}`;
    const rows = [
      row("alice", 10),
      row("bob", 0, { status: "error", message: long }),
      row("carol", 0, { status: "error", message: "first line\nsecond line" }),
      row("dave", 0, { status: "missing", message: "no submission" }),
    ];
    expect(formatBatchErrors(rows)).toBe(
      [
        "2 submission(s) could not be graded (the message column of grades.csv says why):",
        `  bob: ${long}`,
        "  carol: first line",
        "      second line",
        "",
      ].join("\n"),
    );
  });

  it("is empty when every submission was graded, and says how many more there are past the limit", () => {
    expect(formatBatchErrors([row("alice", 10)])).toBe("");
    const errors = ["a", "b", "c"].map((f) =>
      row(f, 0, { status: "error", message: "x\u001b[2J" }),
    );
    const text = formatBatchErrors(errors, 2);
    expect(text).toContain("  a: x\\x1b[2J\n  b: x\\x1b[2J\n");
    expect(text).toMatch(/\n {2}and 1 more: see the message column of grades\.csv\n$/);
  });
});
