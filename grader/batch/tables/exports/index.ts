import { join } from "node:path";
import { UsageError } from "../../../common/UsageError.js";
import { writeFileAtomic } from "../../store/resultStore.js";
import type { BatchReport } from "../../types.js";
import type { RosterEntry } from "../readRoster.js";
import { canvasExport } from "./canvasCsv.js";
import type { GradebookExport } from "./types.js";

export type { GradebookExport } from "./types.js";

/** Every `--export` format, by name. */
export const GRADEBOOK_EXPORTS: readonly GradebookExport[] = [canvasExport];

/** Their names, as `--export` takes them. */
export const EXPORT_NAMES = GRADEBOOK_EXPORTS.map((format) => format.name);

/** The formats `--export` names (yargs gives a string, or a list when it is repeated). */
export function selectExports(names: unknown): GradebookExport[] {
  if (names === undefined) return [];
  const wanted = [...new Set((Array.isArray(names) ? names : [names]).map(String))];
  return wanted.map((name) => {
    const format = GRADEBOOK_EXPORTS.find((known) => known.name === name);
    if (format === undefined)
      throw new UsageError(`--export ${name}: unknown format; known: ${EXPORT_NAMES.join(", ")}`);
    return format;
  });
}

/** Refuses, in one line, an export the roster cannot feed: before anything is graded. */
export function checkExportRoster(
  formats: readonly GradebookExport[],
  entries: readonly RosterEntry[] | null,
): void {
  for (const format of formats) {
    const problem = format.rosterProblem(entries);
    if (problem !== null) throw new UsageError(problem);
  }
}

/**
 * Writes each export into `outDir` (atomically, like grades.csv) and returns what to print: one
 * line per file (in `shownOutDir`, the folder as the user gave it), with the submissions left
 * out because the roster does not list them.
 */
export function writeExports(
  formats: readonly GradebookExport[],
  report: BatchReport,
  roster: readonly [string, RosterEntry][] | null,
  outDir: string,
  shownOutDir = outDir,
): string[] {
  const byFolder = new Map(roster ?? []);
  return formats.map((format) => {
    const { text, students, leftOut } = format.format(report, byFolder);
    writeFileAtomic(join(outDir, format.fileName), text);
    const shown = join(shownOutDir, format.fileName);
    const names = leftOut.slice(0, 5).join(", ") + (leftOut.length > 5 ? ", ..." : "");
    const left =
      leftOut.length === 0
        ? ""
        : `; ${leftOut.length} submission(s) not in the roster left out: ${names}`;
    return `${format.description} written to ${shown} (${students} student(s)${left})`;
  });
}
