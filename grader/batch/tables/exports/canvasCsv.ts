import type { BatchReport } from "../../types.js";
import { formatCsvRow } from "../csv.js";
import type { RosterEntry } from "../readRoster.js";
import type { GradebookExport } from "./types.js";

/** The student columns Canvas's gradebook import reads, in the order it expects them. */
export const CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"];

/**
 * Canvas's gradebook import: the five student columns of Canvas's own export, then one column
 * named after the assignment's title holding each student's total (blank when the submission
 * could not be graded or is missing, so that no zero is recorded). A "Points Possible" row gives
 * Canvas the assignment's points should the import create it. Canvas finds each student by the
 * ID column and an assignment by its exact title (otherwise it creates a new one), and shows
 * every change for approval before it applies them. Only roster students have Canvas columns:
 * submissions not in the roster are left out (and named).
 */
export const canvasExport: GradebookExport = {
  name: "canvas",
  fileName: "canvas.csv",
  description: "Canvas gradebook import",
  rosterProblem(entries) {
    if (entries !== null && entries.length > 0 && entries.every((entry) => entry.canvas))
      return null;
    return `--export canvas needs a Canvas roster: Canvas's gradebook export (${CANVAS_STUDENT_COLUMNS.join(",")},...) given to batch as --roster`;
  },
  format: formatCanvasCsv,
};

export function formatCanvasCsv(
  report: BatchReport,
  roster: ReadonlyMap<string, RosterEntry>,
): { text: string; students: number; leftOut: string[] } {
  const points = report.problems.reduce((total, problem) => total + problem.maxScore, 0);
  const lines = [
    formatCsvRow([...CANVAS_STUDENT_COLUMNS, report.assignment.title]),
    formatCsvRow(["Points Possible", "", "", "", "", points]),
  ];
  const leftOut: string[] = [];
  for (const row of report.rows) {
    const canvas = roster.get(row.folder)?.canvas;
    if (canvas === undefined) {
      leftOut.push(row.folder);
      continue;
    }
    lines.push(
      formatCsvRow([
        canvas.student,
        canvas.id,
        canvas.sisUserId,
        canvas.sisLoginId,
        canvas.section,
        row.status === "graded" ? row.total : "",
      ]),
    );
  }
  return { text: `${lines.join("\n")}\n`, students: lines.length - 2, leftOut };
}
