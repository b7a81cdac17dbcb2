import { describe, expect, it } from "vitest";
import { row } from "../../../testing/batch/sampleRow.js";
import type { BatchReport, BatchRow } from "../types.js";
import { formatGradesCsv, parseGradesCsv } from "./gradesCsv.js";

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

  it("guards every untrusted cell against formulas, yet keeps negative scores as numbers", () => {
    const text = formatGradesCsv(
      report([
        row("-cmd", -1.5, { studentId: "@evil", name: "=1+1;x", problems: { "1": -2, "2": 0.5 } }),
        row("bob", 0, { status: "error", message: "+ATTACK\u0007 at src/x.ts" }),
      ]),
    );
    const lines = text.split("\n");
    expect(lines[1]).toBe(`'@evil,"'=1+1;x",'-cmd,-2,0.5,-1.5,20,graded,5,,hash--cmd,`);
    expect(lines[2]).toBe("bob,,bob,,,,20,error,5,,hash-bob,'+ATTACK at src/x.ts");
  });

  it("leaves the scores of error and missing rows blank, not 0, and reads them back as 0", () => {
    const rows = [
      row("alice", 0, { studentId: "s1", problems: { "1": 0, "2": 0 } }),
      row("bob", 0, { status: "error", message: "no src/", problems: { "1": 0, "2": 0 } }),
      row("carol", 0, {
        status: "missing",
        submissionHash: "",
        message: "no submission",
        problems: { "1": 0, "2": 0 },
      }),
    ];
    const text = formatGradesCsv(report(rows));
    expect(text.split("\n").slice(1, 4)).toEqual([
      "s1,,alice,0,0,0,20,graded,5,,hash-alice,",
      "bob,,bob,,,,20,error,5,,hash-bob,no src/",
      "carol,,carol,,,,20,missing,5,,,no submission",
    ]);
    expect(parseGradesCsv(text, "g.csv")).toEqual(rows);
    // A graded row still needs its numbers, and so does every row's max_score and seed.
    expect(() => parseGradesCsv(text.replace("alice,0,0,0,", "alice,0,0,,"), "g.csv")).toThrow(
      'g.csv line 2: total is "", not a number',
    );
    expect(() => parseGradesCsv(text.replace(",,,20,error,", ",,,,error,"), "g.csv")).toThrow(
      'g.csv line 3: max_score is "", not a number',
    );
  });

  it("reads a grades.csv from before the blank scores (0 in error and missing rows)", () => {
    const old =
      "id,name,folder,p1,p2,total,max_score,status,seed,failed_checks,submission_hash,message\n" +
      "bob,,bob,0,0,0,20,error,5,,h,no src/\n";
    expect(parseGradesCsv(old, "old.csv")[0]).toMatchObject({ status: "error", total: 0 });
  });

  it("names the right line after a name that spans lines", () => {
    const text = formatGradesCsv(report([row("ann", 1, { name: "A\nB" }), row("bob", 2)]));
    expect(() => parseGradesCsv(text.replace(",2,20,", ",two,20,"), "g.csv")).toThrow(
      'g.csv line 4: total is "two"',
    );
  });

  it("reads back hostile names and messages; only control characters are lost", () => {
    const rows = [
      row("-2", -1, { studentId: "+1", name: "@x\tTab;semi", problems: { "1": -1, "2": 0 } }),
      row("zed", 0, {
        status: "error",
        message: "\u0000=bad\u001b[31m red",
        problems: { "1": 0, "2": 0 },
      }),
    ];
    const read = parseGradesCsv(formatGradesCsv(report(rows)), "g.csv");
    expect(read[0]).toEqual(rows[0]);
    expect(read[1]).toEqual({ ...rows[1], message: "=bad[31m red" });
  });

  it("reads a grades.csv from before numbers were exempt ('-2 as a folder name)", () => {
    const old =
      "id,name,folder,p1,p2,total,max_score,status,seed,failed_checks,submission_hash,message\n" +
      "'-2,'@n,'-2,1,2,3,20,graded,5,1.a,h,\n";
    expect(parseGradesCsv(old, "old.csv")[0]).toMatchObject({
      folder: "-2",
      studentId: "-2",
      name: "@n",
      total: 3,
      failedChecks: ["1.a"],
    });
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
