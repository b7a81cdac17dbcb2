import { describe, expect, it } from "vitest";
import { formatGradesCsv, parseGradesCsv } from "./gradesCsv.js";
import { row } from "./sampleRow.js";
import type { BatchReport, BatchRow } from "./types.js";

const report = (rows: BatchRow[]): BatchReport => ({
  assignment: { id: "a", title: "A" },
  seed: 5,
  graderVersion: "1.0.0",
  problems: [
    { id: "1", title: "One", maxScore: 10, checks: [] },
    { id: "2", title: "Two", maxScore: 10, checks: [] },
  ],
  rows,
});

describe("grades.csv", () => {
  it("has the gradebook columns first, then what a regrade diff needs", () => {
    const text = formatGradesCsv(report([row("alice", 15, { studentId: "s1", name: "Alice A" })]));
    expect(text.split("\n")[0]).toBe(
      "id,name,folder,p1,p2,total,max_score,status,seed,failed_checks,submission_hash,message",
    );
    expect(text.split("\n")[1]).toBe("s1,Alice A,alice,7.5,7.5,15,20,graded,5,,hash-alice,");
  });

  it("reads back every row it wrote, untrusted names and error messages included", () => {
    const rows = [
      row("=HYPERLINK(evil)", 10, { name: 'Ann "the, quoter"', failedChecks: ["1.a", "2.b"] }),
      row("bob", 0, { status: "error", message: "no src/ folder", problems: { "1": 0, "2": 0 } }),
      row("carol", 0, {
        status: "missing",
        submissionHash: "",
        message: "no submission",
        problems: { "1": 0, "2": 0 },
      }),
    ];
    expect(parseGradesCsv(formatGradesCsv(report(rows)), "g.csv")).toEqual(rows);
  });

  it("keeps only the first line of a long error message", () => {
    const text = formatGradesCsv(
      report([row("bob", 0, { status: "error", message: "line one\nline two" })]),
    );
    expect(text).toContain(",line one\n");
    expect(text).not.toContain("line two");
  });

  it("says what is wrong with a CSV that gradmark did not write", () => {
    expect(() => parseGradesCsv("name,score\nx,1\n", "old.csv")).toThrow(
      "old.csv is not a gradmark grades.csv: it has no id, folder, total, max_score, status, seed column",
    );
    const bad = formatGradesCsv(report([row("alice", 15)])).replace(",15,20,", ",lots,20,");
    expect(() => parseGradesCsv(bad, "g.csv")).toThrow(
      'g.csv line 2: total is "lots", not a number',
    );
  });
});
