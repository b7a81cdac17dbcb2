import { readFileSync } from "node:fs";
import { UsageError } from "../../common/UsageError.js";
import { CsvError, type CsvRecord, parseCsvRecords } from "./csv.js";

/** A student's columns in Canvas's gradebook, as `--export canvas` writes them back. */
export interface CanvasColumns {
  student: string;
  id: string;
  sisUserId: string;
  sisLoginId: string;
  section: string;
}

export interface RosterEntry {
  id: string;
  name: string;
  /** From a Canvas roster only: what Canvas's gradebook import needs to find the student. */
  canvas?: CanvasColumns;
}

/** Folder name -> student. */
export type Roster = Map<string, RosterEntry>;

/**
 * The roster layouts gradmark reads: its own (a folder column), and the exports of GitHub
 * Classroom, Canvas and Gradescope, told apart by their header.
 */
export type RosterFormat = "gradmark" | "github-classroom" | "canvas" | "gradescope";

export const ROSTER_FORMAT_NAMES: Record<RosterFormat, string> = {
  gradmark: "gradmark roster",
  "github-classroom": "GitHub Classroom roster",
  canvas: "Canvas gradebook export",
  gradescope: "Gradescope roster",
};

export interface RosterStudent {
  /** The roster line the student is on. */
  line: number;
  entry: RosterEntry;
  /** What the student is called in messages: the value of the column that matches folders. */
  label: string;
  /** Names a submission folder may have to be this student's (lower case where case does not count). */
  keys: string[];
  /** The folder of the student's `missing` row when no submission is theirs. */
  folder: string;
}

/** A roster as read, before it is matched against the submissions (see resolveRoster). */
export interface RosterFile {
  file: string;
  format: RosterFormat;
  students: RosterStudent[];
}

/**
 * Reads `--roster`. Accepted, by header (column names are matched without regard to case):
 *
 * - gradmark's own: a `folder` column (the submission's folder or zip name, matched exactly)
 *   and an `id` column, optionally `name`, common aliases accepted (COLUMNS below). Without an
 *   explicit folder column, `github_username`, `username` or `login` is the folder; with one,
 *   that column may stand in for `id`.
 * - GitHub Classroom's roster export (`identifier,github_username,github_id,name`): a folder is
 *   the student's when it is named after the GitHub username, or ends in `-<username>` (the
 *   assignment repositories Classroom makes are `<assignment>-<username>`), in any case: GitHub
 *   usernames are case-insensitive. The id is the identifier. A student with no username is
 *   still listed, as missing.
 * - Canvas's gradebook export (`Student,ID,SIS User ID,SIS Login ID,Section,...`): a folder is
 *   the student's when it is named after the Canvas `ID` or the SIS Login ID, or is a file of
 *   Canvas's "Download Submissions" (`<name>_<ID>_<submission>_<file>`, `<name>_LATE_<ID>_...`).
 *   The id is the SIS User ID (the Canvas ID when it is blank). The "Points Possible" row, rows
 *   without a student and Canvas's Test Student are skipped.
 * - Gradescope's roster export (`First Name,Last Name,SID,Email,Role,Sections`): a folder is the
 *   student's when it is named after the Email, or the part of it before the `@` (when no
 *   other student's email starts the same), in any case. The id is the SID (the Email when
 *   blank). Rows whose Role is not Student are skipped.
 *
 * Every problem is a UsageError naming the file (as `shown`, the path the user gave) and the
 * line: a line with more or fewer fields than the header, a quote never closed, an empty key
 * column, a student listed twice.
 */
export function readRoster(file: string, shown = file): RosterFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read the roster ${shown}`);
  }
  return parseRosterFile(text, shown);
}

/** The roster of a gradmark-format text, keyed by folder (see parseRosterFile for the others). */
export function parseRoster(text: string, file: string, folders: readonly string[] = []): Roster {
  return resolveRoster(parseRosterFile(text, file), folders);
}

/** gradmark's own columns and their aliases. */
const COLUMNS = {
  /** The submission's folder or zip name. */
  folder: ["folder", "submission"],
  /** The folder when there is no folder column; else the id when there is no id column. */
  username: ["github_username", "username", "login"],
  id: ["id", "student_id", "sid", "student id"],
  name: ["name", "student_name", "full_name", "student name"],
};

type Header = { cells: string[]; at: (...names: string[]) => number; file: string };

export function parseRosterFile(text: string, file: string): RosterFile {
  let records: CsvRecord[];
  try {
    records = parseCsvRecords(text);
  } catch (error) {
    if (error instanceof CsvError)
      throw new UsageError(`roster ${file} line ${error.line}: ${error.problem}`);
    throw error;
  }
  const first = records[0];
  if (first === undefined)
    throw new UsageError(`roster ${file} is empty; it needs a header line: folder,id,name`);
  const normal = first.cells.map((cell) => cell.trim().toLowerCase().replace(/\s+/g, " "));
  const header: Header = {
    cells: first.cells,
    at: (...names) => normal.findIndex((cell) => names.includes(cell)),
    file,
  };
  const rows: CsvRecord[] = [];
  for (const record of records.slice(1)) {
    if (record.cells.length !== first.cells.length) {
      throw new UsageError(
        `roster ${file} line ${record.line}: ${record.cells.length} field(s) where the header has ${first.cells.length}${record.cells.length > first.cells.length ? " (a comma in an unquoted name?)" : ""}`,
      );
    }
    if (record.cells.every((cell) => cell.trim() === "")) continue;
    rows.push(record);
  }
  const format = detectFormat(header);
  const students = READERS[format](header, rows);
  checkUnique(file, students);
  return { file, format, students };
}

/**
 * Which layout a header is. An explicit folder column always means gradmark's own, so that
 * rosters written for gradmark keep working as they did whatever else they hold; so does a
 * username column outside a Classroom export. Otherwise the columns each export always has.
 */
function detectFormat(header: Header): RosterFormat {
  const has = (...names: string[]) => names.every((name) => header.at(name) >= 0);
  if (header.at(...COLUMNS.folder) >= 0) return "gradmark";
  if (has("identifier", "github_username")) return "github-classroom";
  if (header.at(...COLUMNS.username) >= 0) return "gradmark";
  if (has("student", "id", "section")) return "canvas";
  if (has("email", "sid") || has("email", "role")) return "gradescope";
  return "gradmark";
}

const READERS: Record<RosterFormat, (header: Header, rows: CsvRecord[]) => RosterStudent[]> = {
  gradmark: readGradmark,
  "github-classroom": readClassroom,
  canvas: readCanvas,
  gradescope: readGradescope,
};

function readGradmark(header: Header, rows: CsvRecord[]): RosterStudent[] {
  const { file } = header;
  const explicitAt = header.at(...COLUMNS.folder);
  const usernameAt = header.at(...COLUMNS.username);
  const folderAt = explicitAt >= 0 ? explicitAt : usernameAt;
  // With a folder column of its own, a username column says who the student is.
  const idAt =
    header.at(...COLUMNS.id) >= 0 ? header.at(...COLUMNS.id) : explicitAt >= 0 ? usernameAt : -1;
  const nameAt = header.at(...COLUMNS.name);
  const missing = [folderAt < 0 ? "folder" : "", idAt < 0 ? "id" : ""].filter((c) => c !== "");
  if (missing.length > 0) {
    throw new UsageError(
      `roster ${file} has no ${missing.join(" or ")} column (its header is ${JSON.stringify(header.cells.join(","))}; expected folder,id,name, or the roster export of GitHub Classroom, Canvas or Gradescope)`,
    );
  }
  return rows.map(({ line, cells }) => {
    const folder = cell(cells, folderAt);
    const id = cell(cells, idAt);
    if (folder === "")
      throw new UsageError(
        `roster ${file} line ${line}: the ${header.cells[folderAt]!.trim()} column is empty`,
      );
    if (id === "")
      throw new UsageError(
        `roster ${file} line ${line}: the ${header.cells[idAt]!.trim()} column is empty`,
      );
    return {
      line,
      entry: { id, name: cell(cells, nameAt) },
      label: `folder ${JSON.stringify(folder)}`,
      keys: [folder],
      folder,
    };
  });
}

/**
 * The folder of a Classroom student with no GitHub username (they have not accepted an
 * assignment yet): no GitHub username, nor any repository Classroom makes, looks like it.
 */
export function unlinkedFolder(identifier: string): string {
  return `(no GitHub username) ${identifier}`;
}

function readClassroom(header: Header, rows: CsvRecord[]): RosterStudent[] {
  const identifierAt = header.at("identifier");
  const usernameAt = header.at("github_username");
  const nameAt = header.at("name");
  return rows.map(({ line, cells }) => {
    const identifier = cell(cells, identifierAt);
    const username = cell(cells, usernameAt);
    if (identifier === "" && username === "") {
      throw new UsageError(
        `roster ${header.file} line ${line}: both identifier and github_username are empty`,
      );
    }
    const entry = { id: identifier || username, name: cell(cells, nameAt) };
    if (username === "") {
      // Not linked to a GitHub account yet: no folder can be theirs, but they are in the class.
      return {
        line,
        entry,
        label: `identifier ${JSON.stringify(identifier)}`,
        keys: [],
        folder: unlinkedFolder(identifier),
      };
    }
    return {
      line,
      entry,
      label: `github_username ${JSON.stringify(username)}`,
      keys: [username.toLowerCase()],
      folder: username,
    };
  });
}

function readCanvas(header: Header, rows: CsvRecord[]): RosterStudent[] {
  const at = {
    student: header.at("student"),
    id: header.at("id"),
    sisUserId: header.at("sis user id"),
    sisLoginId: header.at("sis login id"),
    section: header.at("section"),
  };
  const students: RosterStudent[] = [];
  for (const { line, cells } of rows) {
    const canvas: CanvasColumns = {
      student: cell(cells, at.student),
      id: cell(cells, at.id),
      sisUserId: cell(cells, at.sisUserId),
      sisLoginId: cell(cells, at.sisLoginId),
      section: cell(cells, at.section),
    };
    // Not students: the points of each assignment, rows Canvas adds about posting (no student,
    // no ID), and the Test Student of Canvas's student view.
    if (/^points possible$/i.test(canvas.student)) continue;
    if (canvas.student === "" && canvas.id === "") continue;
    if (/^(student, test|test student)$/i.test(canvas.student)) continue;
    if (canvas.id === "")
      throw new UsageError(`roster ${header.file} line ${line}: the ID column is empty`);
    const keys = [canvas.id.toLowerCase()];
    if (canvas.sisLoginId !== "") keys.push(canvas.sisLoginId.toLowerCase());
    students.push({
      line,
      entry: { id: canvas.sisUserId || canvas.id, name: canvas.student, canvas },
      label: `ID ${JSON.stringify(canvas.id)}`,
      keys,
      folder: canvas.sisLoginId || canvas.id,
    });
  }
  return students;
}

function readGradescope(header: Header, rows: CsvRecord[]): RosterStudent[] {
  const at = {
    first: header.at("first name"),
    last: header.at("last name"),
    name: header.at("name", "full name"),
    sid: header.at("sid"),
    email: header.at("email"),
    role: header.at("role"),
  };
  const read: { line: number; entry: RosterEntry; email: string }[] = [];
  for (const { line, cells } of rows) {
    const role = cell(cells, at.role);
    if (at.role >= 0 && role.toLowerCase() !== "student") continue;
    const email = cell(cells, at.email);
    if (email === "")
      throw new UsageError(`roster ${header.file} line ${line}: the Email column is empty`);
    const name =
      at.name >= 0
        ? cell(cells, at.name)
        : [cell(cells, at.first), cell(cells, at.last)].filter((part) => part !== "").join(" ");
    read.push({ line, entry: { id: cell(cells, at.sid) || email, name }, email });
  }
  // The part before the @ identifies a student only when no other student shares it.
  const localPart = (email: string) => email.toLowerCase().split("@")[0]!;
  const count = new Map<string, number>();
  for (const { email } of read) count.set(localPart(email), (count.get(localPart(email)) ?? 0) + 1);
  return read.map(({ line, entry, email }) => {
    const local = localPart(email);
    const unique = local !== "" && local !== email.toLowerCase() && count.get(local) === 1;
    return {
      line,
      entry,
      label: `Email ${JSON.stringify(email)}`,
      keys: unique ? [email.toLowerCase(), local] : [email.toLowerCase()],
      folder: unique ? email.split("@")[0]! : email,
    };
  });
}

function cell(cells: string[], at: number): string {
  return at < 0 ? "" : (cells[at] ?? "").trim();
}

/** Two students sharing a key would make a folder's owner a guess: refused, naming both lines. */
function checkUnique(file: string, students: readonly RosterStudent[]): void {
  const owner = new Map<string, RosterStudent>();
  for (const student of students) {
    for (const key of new Set([...student.keys, student.folder])) {
      const other = owner.get(key);
      if (other !== undefined && other !== student) {
        // The label names the student's first key; another one is named as well.
        const what =
          student.keys.length === 0 || key === student.keys[0]
            ? student.label
            : `${student.label}: ${JSON.stringify(key)}`;
        throw new UsageError(
          `roster ${file} line ${student.line}: ${what} is already on line ${other.line}`,
        );
      }
      owner.set(key, student);
    }
  }
}

/**
 * The names a folder is looked up under, most specific first, for a roster of this format.
 * Classroom: the whole name, then what follows each `-` from the left (so `hw1-jim-bob` is
 * jim-bob's before it is bob's). Canvas: the whole name, then the user ID of a "Download
 * Submissions" file name.
 */
function candidates(format: RosterFormat, folder: string): string[] {
  switch (format) {
    case "gradmark":
      return [folder];
    case "github-classroom": {
      const lower = folder.toLowerCase();
      const names = [lower];
      for (let i = lower.indexOf("-"); i >= 0; i = lower.indexOf("-", i + 1))
        names.push(lower.slice(i + 1));
      return names;
    }
    case "canvas": {
      const names = [folder.toLowerCase()];
      const id = canvasDownloadId(folder);
      if (id !== null) names.push(id);
      return names;
    }
    case "gradescope":
      return [folder.toLowerCase()];
  }
}

/**
 * The Canvas user ID in the name of a file from Canvas's "Download Submissions":
 * `<name>_<user ID>_<submission ID>_<file>`, with `LATE_` before the user ID of a late one.
 */
export function canvasDownloadId(folder: string): string | null {
  const parts = folder.split("_");
  const at = parts[1]?.toUpperCase() === "LATE" ? 2 : 1;
  const [id, submission] = [parts[at], parts[at + 1]];
  if (parts.length < at + 3 || !/^\d+$/.test(id ?? "") || !/^\d+$/.test(submission ?? ""))
    return null;
  return id!;
}

/**
 * Folder -> student, for the submissions `folders` (all of them, before any --shard split, so
 * that every part agrees). A student no folder matches gets a row of their own under their
 * `folder`, as missing. A Map is taken as it is. Two folders matching one student are refused:
 * which one to grade would be a guess.
 */
export function resolveRoster(
  roster: Roster | RosterFile | null,
  folders: readonly string[],
): Roster {
  if (roster === null) return new Map();
  if (roster instanceof Map) return roster;
  const byKey = new Map<string, RosterStudent>();
  for (const student of roster.students) for (const key of student.keys) byKey.set(key, student);
  const folderOf = new Map<RosterStudent, string>();
  for (const folder of folders) {
    const student = candidates(roster.format, folder)
      .map((name) => byKey.get(name))
      .find((found) => found !== undefined);
    if (student === undefined) continue;
    const other = folderOf.get(student);
    if (other !== undefined) {
      throw new UsageError(
        `roster ${roster.file} line ${student.line}: both ${other} and ${folder} are the submission of ${student.label}; keep one of them`,
      );
    }
    folderOf.set(student, folder);
  }
  const submitted = new Set(folders);
  const resolved: Roster = new Map();
  for (const student of roster.students) {
    const folder = folderOf.get(student) ?? student.folder;
    if (!folderOf.has(student) && submitted.has(folder)) {
      // Only an unmatched student's own name could clash with a real folder this way.
      throw new UsageError(
        `roster ${roster.file} line ${student.line}: ${student.label} has no submission, yet a folder is named ${JSON.stringify(folder)}`,
      );
    }
    resolved.set(folder, student.entry);
  }
  return resolved;
}
