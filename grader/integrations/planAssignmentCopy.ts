import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";
import { loadAssignment } from "../assignments/loadAssignment.js";
import { bundleAssignment } from "../authoring/bundleAssignment.js";
import { packagePath } from "../common/packagePath.js";
import { UsageError } from "../common/UsageError.js";
import { NO_DRIVERS_MODULE } from "../sandbox/child/standard/standardDrivers.js";

/** More files than this in an assignment's folder is not an assignment folder. */
const MAX_FILES = 2000;

/** Never copied: installed packages and version control. */
const SKIPPED = new Set(["node_modules", ".git"]);

/** Modules that hold hidden checks: left out of a students' copy (see planAssignmentCopy). */
export const HIDDEN_MODULE = /\.hidden\.(ts|mts|cts|js|mjs|cjs)$/;

/** A copy of an assignment's folder, checked and ready to write. */
export interface AssignmentCopy {
  /** The assignment file inside the copy, relative to the copy's parent folder, with `/`. */
  assignmentFile: string;
  /** Check ids the copy leaves out (hidden checks, in a students' copy). */
  leftOut: string[];
  /** Writes the copy to its destination (replacing an earlier one). */
  write: () => void;
  /** Drops the copy without writing it. */
  discard: () => void;
}

export interface AssignmentCopyOptions {
  /** Replace an existing destination folder. */
  force?: boolean;
  cwd?: string;
  /**
   * A students' copy: every `*.hidden.ts` module (HIDDEN_MODULE) is replaced by one exporting
   * the same names as empty arrays, and the copy must load with no hidden check left.
   */
  students?: boolean;
}

/**
 * Checks that the folder of assignment `file` can be copied to `destination` and still load:
 * the assignment defines, and everything it reads (its drivers module, the files it imports) is
 * inside its folder, with no npm package but gradmark's own. For students, hidden checks must
 * live in `*.hidden.ts` modules, so that their cases and judges never reach the copy. Nothing is
 * written until `write`.
 */
export async function planAssignmentCopy(
  file: string,
  destination: string,
  options: AssignmentCopyOptions = {},
): Promise<AssignmentCopy> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  const full = await loadAssignment(file, cwd);
  const bundle = await bundleAssignment(path, file);
  const folder = bundle.dir;
  const outside = readFrom(bundle.map, folder, full.drivers);
  if (outside.length > 0) {
    throw new UsageError(
      `${file} reads files outside its folder ${shown(cwd, folder)}, which is what is copied: ${outside.join(", ")}; move them into the folder (npm packages other than gradmark and fast-check are not installed there)`,
    );
  }
  const target = resolve(cwd, destination);
  if (countFiles(folder, target) > MAX_FILES) {
    throw new UsageError(
      `${file}'s folder ${shown(cwd, folder)} holds more than ${MAX_FILES} files: keep the assignment in a folder of its own (with its drivers and what it imports)`,
    );
  }
  if (existsSync(target) && !options.force) {
    throw new UsageError(
      `${shown(cwd, target)} already exists and would be replaced; use --force to replace it`,
    );
  }
  const staged = mkdtempSync(join(tmpdir(), "gradmark-assignment-copy-"));
  const copy = join(staged, basename(target));
  copyFolder(folder, copy, target);
  const copied = join(copy, relative(folder, path));
  let leftOut: string[] = [];
  try {
    if (options.students) leftOut = await leaveOutHidden(copy, copied, file, full);
  } catch (error) {
    rmSync(staged, { recursive: true, force: true });
    throw error;
  }
  return {
    assignmentFile: relative(dirname(target), join(target, relative(folder, path)))
      .split(sep)
      .join("/"),
    leftOut,
    write: () => {
      rmSync(target, { recursive: true, force: true });
      cpSync(copy, target, { recursive: true });
      rmSync(staged, { recursive: true, force: true });
    },
    discard: () => rmSync(staged, { recursive: true, force: true }),
  };
}

/**
 * Replaces the copy's hidden modules by empty ones, then loads the copy: it must define, and
 * hold no hidden check. Returns the ids of the checks left out.
 */
async function leaveOutHidden(
  copy: string,
  copiedFile: string,
  file: string,
  full: { problems: { checks: { id: string; hidden?: boolean }[] }[] },
): Promise<string[]> {
  for (const module of listFiles(copy).filter((f) => HIDDEN_MODULE.test(f))) {
    writeFileSync(module, await emptyModule(module));
  }
  let students: typeof full;
  try {
    students = await loadAssignment(copiedFile);
  } catch (error) {
    throw new UsageError(
      `the students' copy of ${file} (its *.hidden.ts modules emptied) does not load: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const still = students.problems.flatMap((p) => p.checks).filter((c) => c.hidden === true);
  if (still.length > 0) {
    throw new UsageError(
      `${file}: hidden ${still.length === 1 ? "check" : "checks"} ${still.map((c) => c.id).join(", ")} ${still.length === 1 ? "is" : "are"} defined outside a *.hidden.ts module, so the students' copy would hold ${still.length === 1 ? "it" : "them"}: move hidden checks into a module named like checks.hidden.ts that exports arrays of them`,
    );
  }
  const kept = new Set(students.problems.flatMap((p) => p.checks).map((c) => c.id));
  return full.problems
    .flatMap((p) => p.checks)
    .map((c) => c.id)
    .filter((id) => !kept.has(id));
}

/** A module exporting, as empty arrays, every name `module` exports. */
async function emptyModule(module: string): Promise<string> {
  const result = await build({
    entryPoints: [module],
    bundle: false,
    write: false,
    metafile: true,
    format: "esm",
    outdir: "out",
    logLevel: "silent",
  });
  const names = Object.values(result.metafile.outputs).flatMap((output) => output.exports);
  const lines = ["// Left out of the students' copy: the hidden checks of the assignment."];
  for (const name of [...new Set(names)].sort()) {
    lines.push(name === "default" ? "export default [];" : `export const ${name} = [];`);
  }
  return `${lines.join("\n")}\n`;
}

function copyFolder(from: string, to: string, skip: string): void {
  cpSync(from, to, {
    recursive: true,
    filter: (source) => !SKIPPED.has(basename(source)) && !isInside(source, skip),
  });
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
  // An assignment that names no drivers module gets gradmark's empty one, which is not copied.
  const own = drivers !== packagePath(NO_DRIVERS_MODULE);
  if (own && !isInside(drivers, folder)) outside.push(relative(folder, drivers));
  return [...new Set(outside)].sort();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
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
