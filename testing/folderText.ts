import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The text of every regular file under `dir` (links not followed), concatenated. */
export function folderText(dir: string): string {
  let text = "";
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) text += folderText(path);
    else if (entry.isFile()) text += readFileSync(path, "utf8");
  }
  return text;
}
