import { readFileSync } from "node:fs";
import { UsageError } from "../UsageError.js";
import { parseCsv } from "./csv.js";

export interface RosterEntry {
  id: string;
  name: string;
}

/** Folder name -> student. */
export type Roster = Map<string, RosterEntry>;

const COLUMNS = {
  folder: ["folder", "submission", "username", "github_username", "login"],
  id: ["id", "student_id", "sid", "student id"],
  name: ["name", "student_name", "full_name", "student name"],
};

/**
 * Reads `--roster`: a CSV with a header naming a `folder` column (the submission's folder or
 * zip name) and an `id` column, optionally `name` (common aliases accepted). Every problem is
 * a UsageError naming the file, the line and the column.
 */
export function readRoster(file: string): Roster {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read the roster ${file}`);
  }
  return parseRoster(text, file);
}

export function parseRoster(text: string, file: string): Roster {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw new UsageError(`roster ${file}, ${(error as Error).message}`);
  }
  const header = rows[0];
  if (header === undefined)
    throw new UsageError(`roster ${file} is empty; it needs a header line: folder,id,name`);
  const find = (names: string[]) =>
    header.findIndex((cell) => names.includes(cell.trim().toLowerCase()));
  const folderAt = find(COLUMNS.folder);
  const idAt = find(COLUMNS.id);
  const nameAt = find(COLUMNS.name);
  const missing = [folderAt < 0 ? "folder" : "", idAt < 0 ? "id" : ""].filter((c) => c !== "");
  if (missing.length > 0) {
    throw new UsageError(
      `roster ${file} has no ${missing.join(" or ")} column (its header is ${JSON.stringify(header.join(","))}; expected folder,id,name)`,
    );
  }
  const roster: Roster = new Map();
  const lineOf = new Map<string, number>();
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const folder = (row[folderAt] ?? "").trim();
    const id = (row[idAt] ?? "").trim();
    if (folder === "")
      throw new UsageError(`roster ${file} line ${line}: the folder column is empty`);
    if (id === "") throw new UsageError(`roster ${file} line ${line}: the id column is empty`);
    const earlier = lineOf.get(folder);
    if (earlier !== undefined) {
      throw new UsageError(
        `roster ${file} line ${line}: folder ${JSON.stringify(folder)} is already on line ${earlier}`,
      );
    }
    lineOf.set(folder, line);
    roster.set(folder, { id, name: nameAt < 0 ? "" : (row[nameAt] ?? "").trim() });
  });
  return roster;
}
