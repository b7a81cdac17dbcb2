import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { row } from "../../../../testing/batch/sampleRow.js";
import type { BatchReport } from "../../types.js";
import { parseCsv } from "../csv.js";
import { parseRosterFile, type Roster, resolveRoster } from "../readRoster.js";
import { canvasExport, formatCanvasCsv } from "./canvasCsv.js";
import { checkExportRoster, selectExports, writeExports } from "./index.js";

const CANVAS_ROSTER = [
  "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1",
  "Points Possible,,,,,100",
  '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,',
  '"Turing, Alan",5002,U002,aturing,CS 101 A,',
  '"Hopper, Grace",5003,U003,ghopper,CS 101 B,',
  '"=Evil, Eve",5004,U004,eve,CS 101 B,',
  "",
].join("\n");

/** alovelace graded, the Canvas download of Turing an error, Hopper missing, Eve graded; and a stranger. */
function classReport(): { report: BatchReport; roster: Roster } {
  const folders = ["alovelace", "turingalan_5002_901_hw1", "eve", "stranger"];
  const roster = resolveRoster(parseRosterFile(CANVAS_ROSTER, "canvas.csv"), folders);
  const report: BatchReport = {
    assignment: { id: "autodiff", title: "Autodiff, part 1" },
    seed: 5,
    graderVersion: "1.0.0",
    problems: [
      { id: "1", title: "One", maxScore: 10, checks: [] },
      { id: "2", title: "Two", maxScore: 10, checks: [] },
    ],
    rows: [
      row("alovelace", 17.5),
      row("eve", 20),
      row("ghopper", 0, { status: "missing", submissionHash: "" }),
      row("stranger", 12),
      row("turingalan_5002_901_hw1", 0, { status: "error", message: "no src/" }),
    ],
  };
  return { report, roster };
}

describe("--export canvas", () => {
  it("writes Canvas's student columns, the title as the assignment column and the total", () => {
    const { report, roster } = classReport();
    const { text, students, leftOut } = formatCanvasCsv(report, roster);
    expect(text.split("\n")).toEqual([
      'Student,ID,SIS User ID,SIS Login ID,Section,"Autodiff, part 1"',
      "Points Possible,,,,,20",
      '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,17.5',
      `"'=Evil, Eve",5004,U004,eve,CS 101 B,20`,
      '"Hopper, Grace",5003,U003,ghopper,CS 101 B,',
      '"Turing, Alan",5002,U002,aturing,CS 101 A,',
      "",
    ]);
    expect(students).toBe(4);
    expect(leftOut).toEqual(["stranger"]);
    // Every line has as many fields as the header: what Canvas's import reads.
    expect(new Set(parseCsv(text).map((cells) => cells.length))).toEqual(new Set([6]));
    expect(roster.get("ghopper")!.id).toBe("U003");
  });

  it("is written into --out, with a line naming what was left out", () => {
    const { report, roster } = classReport();
    const out = mkdtempSync(join(tmpdir(), "gradmark-export-"));
    try {
      const lines = writeExports(selectExports("canvas"), report, [...roster], out);
      expect(lines).toEqual([
        `Canvas gradebook import written to ${join(out, "canvas.csv")} (4 student(s); 1 submission(s) not in the roster left out: stranger)`,
      ]);
      expect(readFileSync(join(out, "canvas.csv"), "utf8")).toBe(
        formatCanvasCsv(report, roster).text,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("needs a Canvas roster, and says so in one line", () => {
    const canvas = selectExports(["canvas", "canvas"]);
    expect(canvas).toEqual([canvasExport]);
    const message =
      "--export canvas needs a Canvas roster: Canvas's gradebook export (Student,ID,SIS User ID,SIS Login ID,Section,...) given to batch as --roster";
    expect(() => checkExportRoster(canvas, null)).toThrow(message);
    const entries = (text: string) =>
      parseRosterFile(text, "r.csv").students.map((student) => student.entry);
    const classroom = entries("identifier,github_username,github_id,name\na,alice,1,A\n");
    expect(() => checkExportRoster(canvas, classroom)).toThrow(message);
    expect(() => checkExportRoster(canvas, entries(CANVAS_ROSTER))).not.toThrow();
    expect(() => selectExports("moodle")).toThrow("--export moodle: unknown format; known: canvas");
  });
});
