import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { knockOnResult } from "../../../testing/knockOnSample.js";
import { knockOnCheckIds } from "../../reporters/knockOns.js";
import type { BatchProblem, BatchReport, BatchRow } from "../types.js";
import { summarizeBatch } from "./summarizeBatch.js";

const PROBLEMS: BatchProblem[] = [
  {
    id: "1",
    title: "Einsum",
    maxScore: 10,
    checks: [
      { id: "1.a", title: "a values" },
      { id: "1.b", title: "b shape" },
    ],
  },
  { id: "2", title: "Layers", maxScore: 5, checks: [{ id: "2.a", title: "Linear backward" }] },
];

function row(
  folder: string,
  scores: Record<string, number>,
  failedChecks: string[] = [],
  status: BatchRow["status"] = "graded",
): BatchRow {
  const total = Object.values(scores).reduce((sum, score) => sum + score, 0);
  return {
    folder,
    studentId: folder,
    name: "",
    status,
    problems: scores,
    total,
    maxScore: 15,
    seed: 7,
    failedChecks,
    submissionHash: "0".repeat(64),
    message: status === "error" ? "could not bundle" : "",
  };
}

function report(rows: BatchRow[], problems = PROBLEMS): BatchReport {
  return {
    assignment: { id: "autodiff", title: "Automatic differentiation" },
    seed: 7,
    graderVersion: "0.1.0",
    problems,
    rows,
  };
}

/**
 * Four graded rows and one error row whose zero scores and listed failure must not count
 * (counting it would lower every mean and put 1.a level with 2.a).
 */
const CLASS = report([
  row("a", { "1": 10, "2": 5 }),
  row("b", { "1": 4, "2": 5 }, ["1.a"]),
  row("c", { "1": 7, "2": 0 }, ["1.b", "2.a"]),
  row("d", { "1": 10, "2": 2.5 }, ["2.a"]),
  row("e", { "1": 0, "2": 0 }, ["1.a"], "error"),
]);

describe("summarizeBatch", () => {
  it("computes the figures over the graded rows only (hand-computed)", () => {
    const summary = summarizeBatch(CLASS);
    expect(summary.submissions).toBe(5);
    expect(summary.graded).toBe(4);
    expect(summary.errors).toBe(1);
    // Totals 15, 9, 7, 12.5: mean 43.5 / 4, median (9 + 12.5) / 2, one full mark of four.
    expect(summary.total).toEqual({
      maxScore: 15,
      mean: 10.875,
      median: 10.75,
      fullMarksRate: 0.25,
    });
    expect(summary.problems).toEqual([
      // 10, 4, 7, 10 -> sorted 4 7 10 10.
      { id: "1", title: "Einsum", maxScore: 10, mean: 7.75, median: 8.5, fullMarksRate: 0.5 },
      // 5, 5, 0, 2.5 -> sorted 0 2.5 5 5.
      { id: "2", title: "Layers", maxScore: 5, mean: 3.125, median: 3.75, fullMarksRate: 0.5 },
    ]);
  });

  it("lists failing checks most common first, ties by check id, with titles and problems", () => {
    expect(summarizeBatch(CLASS).commonFailures).toEqual([
      { checkId: "2.a", title: "Linear backward", problemId: "2", students: 2 },
      { checkId: "1.a", title: "a values", problemId: "1", students: 1 },
      { checkId: "1.b", title: "b shape", problemId: "1", students: 1 },
    ]);
  });

  it("takes the median of an odd count as the middle value", () => {
    const summary = summarizeBatch(
      report([row("a", { "1": 9, "2": 1 }), row("b", { "1": 2, "2": 5 }), row("c", { "1": 3 })]),
    );
    // A missing problem score is 0: problem 2 is 1, 5, 0.
    expect(summary.problems.map((problem) => problem.median)).toEqual([3, 1]);
    // Totals 10, 7, 3.
    expect(summary.total.median).toBe(7);
    expect(summary.problems[1]!.mean).toBeCloseTo(2, 12);
  });

  it("gives zeros, not NaN, when nothing was graded", () => {
    for (const rows of [[], [row("x", { "1": 0, "2": 0 }, ["1.a"], "error")]]) {
      const summary = summarizeBatch(report(rows));
      expect(summary.graded).toBe(0);
      expect(summary.errors).toBe(rows.length);
      expect(summary.total).toEqual({ maxScore: 15, mean: 0, median: 0, fullMarksRate: 0 });
      for (const problem of summary.problems) {
        expect([problem.mean, problem.median, problem.fullMarksRate]).toEqual([0, 0, 0]);
      }
      expect(summary.commonFailures).toEqual([]);
    }
  });

  it("counts a full score that summing fractions left a rounding error short as full marks", () => {
    const tiny: BatchProblem[] = [{ id: "1", title: "t", maxScore: 1, checks: [] }];
    const short = 0.7 + 0.2 + 0.1; // 0.9999999999999999
    expect(short).toBeLessThan(1);
    const summary = summarizeBatch(
      report([row("a", { "1": short }), row("b", { "1": 0.75 })], tiny),
    );
    expect(summary.problems[0]!.fullMarksRate).toBe(0.5);
    expect(summary.total.fullMarksRate).toBe(0.5);
  });

  it("counts a check listed twice in one row once, and keeps unknown checks without a title", () => {
    const summary = summarizeBatch(
      report([row("a", { "1": 0 }, ["1.a", "1.a", "9.gone"]), row("b", { "1": 0 }, ["9.gone"])]),
    );
    expect(summary.commonFailures).toEqual([
      { checkId: "9.gone", title: "", problemId: "", students: 2 },
      { checkId: "1.a", title: "a values", problemId: "1", students: 1 },
    ]);
  });

  it("keeps ten failures by default and honours a limit", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const rows = ids.map((_, i) => row(`r${i}`, { "1": 1 }, ids.slice(0, i + 1)));
    const all = summarizeBatch(report(rows));
    // c00 fails in all 12 rows, c01 in 11, ... so the order is the id order.
    expect(all.commonFailures.map((failure) => failure.checkId)).toEqual(ids.slice(0, 10));
    expect(all.commonFailures.map((failure) => failure.students)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
    ]);
    expect(summarizeBatch(report(rows), { limit: 2 }).commonFailures).toHaveLength(2);
    expect(summarizeBatch(report(rows), { limit: 50 }).commonFailures).toHaveLength(12);
  });

  it("rejects a limit that is not a positive integer", () => {
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => summarizeBatch(CLASS, { limit })).toThrow(
        `summarizeBatch: limit must be a positive integer, got ${String(limit)}`,
      );
    }
  });

  it("keeps every figure in range for any class (property)", () => {
    fc.assert(
      fc.property(classArb, fc.integer({ min: 1, max: 8 }), (batch, limit) => {
        const summary = summarizeBatch(batch, { limit });
        const graded = batch.rows.filter((r) => r.status === "graded");
        expect(summary.submissions).toBe(batch.rows.length);
        expect(summary.graded).toBe(graded.length);
        expect(summary.graded + summary.errors).toBe(summary.submissions);

        expectFigures(
          summary.total,
          graded.map((r) => r.total),
          summary.total.maxScore,
        );
        batch.problems.forEach((problem, i) => {
          expect(summary.problems[i]!.id).toBe(problem.id);
          expectFigures(
            summary.problems[i]!,
            graded.map((r) => r.problems[problem.id]!),
            problem.maxScore,
          );
        });
        expectTopFailures(summary.commonFailures, graded, limit);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

/** Problems with quarter-point maxima, and rows whose scores are quarter points within them. */
const classArb: fc.Arbitrary<BatchReport> = fc
  .array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 })
  .chain((quarters) => {
    const problems: BatchProblem[] = quarters.map((q, i) => ({
      id: String(i + 1),
      title: `Problem ${i + 1}`,
      maxScore: q / 4,
      checks: [0, 1, 2].map((j) => ({ id: `${i + 1}.c${j}`, title: `check ${j}` })),
    }));
    const checkIds = problems.flatMap((problem) => problem.checks.map((check) => check.id));
    const rowArb = fc.record({
      scores: fc.tuple(...quarters.map((q) => fc.integer({ min: 0, max: q }))),
      failed: fc.subarray(checkIds),
      status: fc.constantFrom<BatchRow["status"]>("graded", "graded", "error"),
    });
    return fc.array(rowArb, { maxLength: 25 }).map((drawn) =>
      report(
        drawn.map((d, i) =>
          row(
            `s${i}`,
            Object.fromEntries(d.scores.map((q, p) => [String(p + 1), q / 4])),
            d.failed,
            d.status,
          ),
        ),
        problems,
      ),
    );
  });

function expectFigures(
  figures: { mean: number; median: number; fullMarksRate: number },
  scores: number[],
  maxScore: number,
): void {
  for (const value of [figures.mean, figures.median]) {
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(maxScore);
  }
  expect(figures.fullMarksRate).toBeGreaterThanOrEqual(0);
  expect(figures.fullMarksRate).toBeLessThanOrEqual(1);
  if (scores.length === 0) {
    expect([figures.mean, figures.median, figures.fullMarksRate]).toEqual([0, 0, 0]);
    return;
  }
  const sum = scores.reduce((a, b) => a + b, 0);
  expect(figures.mean * scores.length).toBeCloseTo(sum, 9);
  // At least half the scores lie on each side of the median.
  expect(2 * scores.filter((s) => s <= figures.median).length).toBeGreaterThanOrEqual(
    scores.length,
  );
  expect(2 * scores.filter((s) => s >= figures.median).length).toBeGreaterThanOrEqual(
    scores.length,
  );
  // Quarter points are exact in binary, so full marks here means exactly the maximum.
  const full = scores.filter((s) => s === maxScore).length;
  expect(figures.fullMarksRate * scores.length).toBeCloseTo(full, 9);
}

function expectTopFailures(
  failures: { checkId: string; students: number }[],
  graded: BatchRow[],
  limit: number,
): void {
  const counts = new Map<string, number>();
  for (const r of graded)
    for (const id of r.failedChecks) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect(failures.length).toBe(Math.min(limit, counts.size));
  expect(new Set(failures.map((f) => f.checkId)).size).toBe(failures.length);
  failures.forEach((failure, i) => {
    expect(failure.students).toBe(counts.get(failure.checkId));
    expect(failure.students).toBeGreaterThanOrEqual(1);
    expect(failure.students).toBeLessThanOrEqual(graded.length);
    const next = failures[i + 1];
    if (next === undefined) return;
    const inOrder =
      failure.students > next.students ||
      (failure.students === next.students && failure.checkId < next.checkId);
    expect(inOrder).toBe(true);
  });
  // Nothing left out fails more often than the last one kept.
  const last = failures.at(-1);
  const kept = new Set(failures.map((f) => f.checkId));
  for (const [id, count] of counts) {
    if (!kept.has(id) && last !== undefined) expect(count).toBeLessThanOrEqual(last.students);
  }
}

describe("summarizeBatch with roster students who did not submit", () => {
  it("counts them apart: not in submissions, not in the figures", () => {
    const summary = summarizeBatch(
      report([row("a", { "1": 10, "2": 5 }), row("ghost", { "1": 0, "2": 0 }, [], "missing")]),
    );
    expect(summary).toMatchObject({ submissions: 1, graded: 1, errors: 0, missing: 1 });
    expect(summary.total.mean).toBe(15);
  });
});

describe("summarizeBatch and knock-on failures", () => {
  const problems: BatchProblem[] = [
    {
      id: "3",
      title: "Layers",
      maxScore: 4,
      checks: [
        { id: "3.Linear.forward", title: "Linear: forward values" },
        { id: "3.Linear.backward", title: "Linear: gradients" },
        { id: "3.Linear.shapes", title: "Linear: gradient shapes" },
        { id: "3.Linear.immutable", title: "Linear: inputs left unchanged" },
      ],
    },
  ];
  const failed = ["3.Linear.backward", "3.Linear.shapes", "3.Linear.immutable"];
  // b's shapes check fails on its own (a real mistake): it counts.
  const rows = [row("a", { "3": 1 }, failed), row("b", { "3": 1 }, failed)];
  const knockOns = new Map([
    ["a", knockOnCheckIds(knockOnResult())],
    ["b", ["3.Linear.immutable"]],
  ]);

  it("counts the failure a knock-on waits for, not the knock-on", () => {
    expect(summarizeBatch(report(rows, problems), { knockOns }).commonFailures).toEqual([
      { checkId: "3.Linear.backward", title: "Linear: gradients", problemId: "3", students: 2 },
      { checkId: "3.Linear.shapes", title: "Linear: gradient shapes", problemId: "3", students: 1 },
    ]);
  });

  it("counts every failing check without knowing the knock-ons", () => {
    expect(
      summarizeBatch(report(rows, problems)).commonFailures.map((f) => [f.checkId, f.students]),
    ).toEqual([
      ["3.Linear.backward", 2],
      ["3.Linear.immutable", 2],
      ["3.Linear.shapes", 2],
    ]);
  });
});
