import { readdirSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../common/UsageError.js";

export interface SubmissionEntry {
  /** The name rows, result files and the roster use: the folder's, or the zip's without .zip. */
  folder: string;
  path: string;
  kind: "folder" | "zip";
}

/**
 * The submissions of a class folder: every sub-folder and every `.zip` file, sorted by name.
 * Hidden entries (a leading dot) are left out; other plain files are ignored. A folder and a
 * zip with the same name are refused: which one to grade would be a guess.
 */
export function findSubmissions(classDir: string): SubmissionEntry[] {
  let names: string[];
  try {
    if (!statSync(classDir).isDirectory()) throw new UsageError(`${classDir} is not a folder`);
    names = readdirSync(classDir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`no such folder: ${classDir}`);
  }
  const entries = new Map<string, SubmissionEntry>();
  for (const name of names.sort()) {
    if (name.startsWith(".")) continue;
    const path = join(classDir, name);
    let entry: SubmissionEntry | null = null;
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch {
      // A broken link or an entry that cannot be read: that submission's own error row (its
      // hashing fails and says why), never the end of the batch.
      stat = { isDirectory: () => true, isFile: () => false } as Stats;
    }
    if (stat.isDirectory()) entry = { folder: name, path, kind: "folder" };
    else if (stat.isFile() && name.toLowerCase().endsWith(".zip") && name.length > 4)
      entry = { folder: name.slice(0, -4), path, kind: "zip" };
    if (entry === null) continue;
    const other = entries.get(entry.folder);
    if (other) {
      throw new UsageError(
        `the class folder holds both ${other.kind === "zip" ? `${other.folder}.zip` : `${other.folder}/`} and ${name}: keep one of them`,
      );
    }
    entries.set(entry.folder, entry);
  }
  return [...entries.values()].sort((a, b) => compareNames(a.folder, b.folder));
}

/** Code-point order, so every machine sorts a class the same way whatever its locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
