import type { BatchReport, BatchRow, BatchRowStatus } from "../types.js";
import { formatCsvRow, parseCsvRecords, untrustedText } from "./csv.js";

/** The column of a problem's score: "p" and the problem id. */
export function problemColumn(problemId: string): string {
  return `p${problemId}`;
}

/**
 * grades.csv, one line per submission in folder order: id, name, folder, one score column per
 * problem, total, max_score, status, seed, then what a regrade diff needs (the failed checks,
 * the submission's hash) and an error's message. The score cells (problems and total) of an
 * `error` or `missing` row are blank, not 0: a gradebook importing the file would record a zero
 * for a student who was never graded. Deterministic: no times, no dates. Every cell
 * is made spreadsheet-safe by formatCsvRow (names, folders and messages are untrusted; scores
 * stay numbers); parseGradesCsv undoes it.
 */
export function formatGradesCsv(report: BatchReport): string {
  const header = [
    "id",
    "name",
    "folder",
    ...report.problems.map((p) => problemColumn(p.id)),
    "total",
    "max_score",
    "status",
    "seed",
    "failed_checks",
    "submission_hash",
    "message",
  ];
  const lines = [formatCsvRow(header)];
  for (const row of report.rows) {
    const score = (value: number | undefined) => (row.status === "graded" ? (value ?? 0) : "");
    lines.push(
      formatCsvRow([
        row.studentId,
        row.name,
        row.folder,
        ...report.problems.map((p) => score(row.problems[p.id])),
        score(row.total),
        row.maxScore,
        row.status,
        row.seed,
        row.failedChecks.join(" "),
        row.submissionHash,
        row.message.split("\n")[0] ?? "",
      ]),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The rows of a grades.csv gradmark wrote, for a regrade diff; errors name the line. Texts come
 * back as written, except for the control characters formatCsvRow strips. The blank scores of
 * an `error` or `missing` row come back as 0 (files written before they were blank hold 0).
 */
export function parseGradesCsv(text: string, file: string): BatchRow[] {
  const records = parseCsvRecords(text).map(({ line, cells }) => ({
    line,
    cells: cells.map(untrustedText),
  }));
  const header = records[0]?.cells;
  const at = (name: string) => header?.indexOf(name) ?? -1;
  const required = ["id", "folder", "total", "max_score", "status", "seed"];
  const missing = required.filter((name) => at(name) < 0);
  if (header === undefined || missing.length > 0) {
    throw new Error(`${file} is not a gradmark grades.csv: it has no ${missing.join(", ")} column`);
  }
  const problemColumns = header
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => /^p.+/.test(name) && !required.includes(name));
  return records.slice(1).map(({ line, cells }) => {
    const cell = (name: string) => cells[at(name)] ?? "";
    const status = cell("status") as BatchRowStatus;
    if (!["graded", "error", "missing"].includes(status)) {
      throw new Error(`${file} line ${line}: unknown status ${JSON.stringify(status)}`);
    }
    const number = (name: string, text = cell(name)) => {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new Error(`${file} line ${line}: ${name} is ${JSON.stringify(text)}, not a number`);
      }
      return value;
    };
    // A score of a row that was not graded: blank (or 0, in files from before).
    const score = (name: string, text = cell(name)) =>
      status !== "graded" && text.trim() === "" ? 0 : number(name, text);
    return {
      folder: cell("folder"),
      studentId: cell("id"),
      name: cell("name"),
      status,
      problems: Object.fromEntries(
        problemColumns.map(({ name, index }) => [name.slice(1), score(name, cells[index] ?? "")]),
      ),
      total: score("total"),
      maxScore: number("max_score"),
      seed: number("seed"),
      failedChecks: cell("failed_checks")
        .split(" ")
        .filter((id) => id !== ""),
      submissionHash: cell("submission_hash"),
      message: cell("message"),
    };
  });
}
