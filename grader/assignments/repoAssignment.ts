import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { UsageError } from "../common/UsageError.js";

/** The assignment a student repository names for itself, and where it said so. */
export interface RepoAssignment {
  /** Absolute path of the assignment file. */
  file: string;
  /** The package.json that names it. */
  packageJson: string;
}

/**
 * The assignment named by the `gradmark.assignment` field of the nearest package.json at or
 * above `dir` (a path relative to that package.json), so that a student types no flag:
 *
 *     "gradmark": { "assignment": "grading/hw2.ts" }
 *
 * Null when the nearest package.json has no `gradmark` field (or there is none). Only `check`
 * and `list` read it: `grade` and `batch` never let a submission choose what grades it.
 */
export function repoAssignment(dir: string, cwd: string = process.cwd()): RepoAssignment | null {
  const shown = (path: string) => shownFrom(cwd, path);
  const packageJson = nearestPackageJson(resolve(cwd, dir));
  if (packageJson === null) return null;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(packageJson, "utf8"));
  } catch (error) {
    throw new UsageError(
      `${shown(packageJson)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const field = (manifest as { gradmark?: unknown } | null)?.gradmark;
  if (field === undefined) return null;
  const assignment = (field as { assignment?: unknown } | null)?.assignment;
  if (typeof field !== "object" || field === null || Array.isArray(field)) {
    throw new UsageError(
      `${shown(packageJson)}: "gradmark" must be an object such as { "assignment": "grading/hw.ts" }, not ${JSON.stringify(field)}`,
    );
  }
  if (assignment === undefined) return null;
  if (typeof assignment !== "string" || assignment.trim() === "") {
    throw new UsageError(
      `${shown(packageJson)}: "gradmark.assignment" must be the path of an assignment file (relative to the package.json), not ${JSON.stringify(assignment)}`,
    );
  }
  const file = resolve(dirname(packageJson), assignment);
  if (!existsSync(file)) {
    throw new UsageError(
      `${shown(packageJson)} names the assignment ${JSON.stringify(assignment)}, which does not exist (${shown(file)})`,
    );
  }
  return { file, packageJson };
}

/**
 * The assignment file `check` grades with: --assignment, else the one the repository's
 * package.json names (repoAssignment), else none (the built-in). `grade` reads only the flag.
 */
export function assignmentFileFor(
  args: { assignment?: string },
  dir: string,
  cwd: string,
): string | undefined {
  if (args.assignment !== undefined) return args.assignment;
  const named = repoAssignment(dir, cwd);
  return named === null ? undefined : relative(cwd, named.file) || named.file;
}

function nearestPackageJson(from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** A path as a person in folder `cwd` reads it. */
function shownFrom(cwd: string, path: string): string {
  const near = relative(cwd, path);
  return near.startsWith("..") || near === "" ? path : near;
}
