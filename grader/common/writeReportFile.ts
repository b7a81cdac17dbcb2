import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Writes a report to the file a user named (`--out`, `--html`: relative to `cwd`), creating its
 * folder; a failure is an infrastructure error that names the file as given.
 */
export function writeReportFile(cwd: string, out: string, text: string): void {
  const path = resolve(cwd, out);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new Error(`cannot write the report to ${out}: ${(error as Error).message}`);
  }
}
