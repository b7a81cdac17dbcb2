import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** Folders that are not the student's work and may differ between copies of it. */
const SKIPPED = new Set(["node_modules", ".git"]);

/**
 * A sha256 over a submission's files (relative paths and contents, in a fixed order), so a
 * regrade can tell an unchanged submission from a changed one. Symbolic links count by their
 * target text and are never followed.
 */
export function hashSubmission(dir: string): string {
  const hash = createHash("sha256");
  const walk = (relative: string) => {
    const entries = readdirSync(join(dir, relative)).sort();
    for (const name of entries) {
      if (SKIPPED.has(name)) continue;
      const path = relative === "" ? name : `${relative}/${name}`;
      const full = join(dir, path);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(path);
      else if (stat.isSymbolicLink()) hash.update(`link\0${path}\0${readlinkSync(full)}\0`);
      else if (stat.isFile()) {
        const content = readFileSync(full);
        hash.update(`file\0${path}\0${content.length}\0`);
        hash.update(content);
      }
    }
  };
  walk("");
  return hash.digest("hex");
}
