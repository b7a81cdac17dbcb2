import type { BatchReport } from "../../types.js";
import type { RosterEntry } from "../readRoster.js";

/**
 * One `--export` format: a file for a gradebook to import, written into --out next to
 * grades.csv. A new LMS is one more file beside canvasCsv.ts and one line in index.ts.
 */
export interface GradebookExport {
  /** The value of --export. */
  name: string;
  /** The file it writes in --out. */
  fileName: string;
  /** What the file is, for the line that says it was written. */
  description: string;
  /**
   * Why the batch's roster entries (null without a roster) cannot feed this export, in one
   * line; null when they can. Checked before anything is graded.
   */
  rosterProblem(entries: readonly RosterEntry[] | null): string | null;
  /** The file's text; `students` lines of grades, and the folders left out (not in the roster). */
  format(
    report: BatchReport,
    roster: ReadonlyMap<string, RosterEntry>,
  ): { text: string; students: number; leftOut: string[] };
}
