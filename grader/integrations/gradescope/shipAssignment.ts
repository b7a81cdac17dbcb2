import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { loadAssignment } from "../../assignments/loadAssignment.js";
import { bundleAssignment } from "../../authoring/bundleAssignment.js";
import { UsageError } from "../../common/UsageError.js";

/** The folder of an autograder that holds the shipped assignment. */
export const SHIPPED_FOLDER = "assignment";

/** More files than this in an assignment's folder is not an assignment folder. */
const MAX_FILES = 2000;

/** Folders never shipped: installed packages, version control, the autograder being written. */
const SKIPPED = new Set(["node_modules", ".git"]);

/** An assignment checked for shipping: where run_autograder finds it, and the copy to make. */
export interface AssignmentShipment {
  /** The assignment file's path relative to the autograder folder (for `--assignment`). */
  assignmentFile: string;
  /** Copies the assignment's folder into `<autograder>/assignment/` (replacing it). */
  copy: () => void;
}

/**
 * Checks that the folder of assignment `file` can be shipped in an autograder: the assignment
 * loads and defines, and everything it reads (the drivers module, the files it imports) is
 * inside that folder, with no npm package but gradmark's own. Nothing is written until `copy`.
 * An existing `<autograder>/assignment/` is replaced only with `force`.
 */
export async function planAssignmentShipment(
  file: string,
  autograderDir: string,
  options: { force?: boolean; cwd?: string } = {},
): Promise<AssignmentShipment> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  const assignment = await loadAssignment(file, cwd);
  const bundle = await bundleAssignment(path, file);
  const folder = bundle.dir;
  const outside = readFrom(bundle.map, folder, assignment.drivers);
  if (outside.length > 0) {
    throw new UsageError(
      `${file} reads files outside its folder ${shown(cwd, folder)}, which is what the autograder ships: ${outside.join(", ")}; move them into the folder (npm packages other than gradmark and fast-check are not installed there)`,
    );
  }
  const target = resolve(autograderDir);
  const count = countFiles(folder, target);
  if (count > MAX_FILES) {
    throw new UsageError(
      `${file}'s folder ${shown(cwd, folder)} holds more than ${MAX_FILES} files: keep the assignment in a folder of its own (with its drivers and what it imports)`,
    );
  }
  const shipped = join(target, SHIPPED_FOLDER);
  if (existsSync(shipped) && !options.force) {
    throw new UsageError(
      `${shown(cwd, shipped)} already exists and would be replaced; use --force to replace it`,
    );
  }
  return {
    assignmentFile: join(SHIPPED_FOLDER, relative(folder, path)).split(sep).join("/"),
    copy: () => {
      rmSync(shipped, { recursive: true, force: true });
      cpSync(folder, shipped, {
        recursive: true,
        filter: (source) => !SKIPPED.has(basename(source)) && !isInside(source, target),
      });
    },
  };
}

/** What the bundle and the drivers read from outside `folder`, as paths relative to it. */
function readFrom(map: string, folder: string, drivers: string): string[] {
  const sources = (JSON.parse(map) as { sources?: string[] }).sources ?? [];
  const outside = sources.filter(
    (source) =>
      source.startsWith("..") ||
      isAbsolute(source) ||
      source.split(/[\\/]/).includes("node_modules"),
  );
  if (!isInside(drivers, folder)) outside.push(relative(folder, drivers));
  return [...new Set(outside)].sort();
}

function countFiles(dir: string, skip: string): number {
  let count = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (SKIPPED.has(name) || isInside(path, skip)) continue;
    count += statSync(path).isDirectory() ? countFiles(path, skip) : 1;
    if (count > MAX_FILES) break;
  }
  return count;
}

function isInside(path: string, folder: string): boolean {
  const near = relative(folder, path);
  return near === "" || (!near.startsWith("..") && !isAbsolute(near));
}

function shown(cwd: string, path: string): string {
  const near = relative(cwd, path);
  return near === "" ? "." : near.startsWith("..") ? path : near;
}
