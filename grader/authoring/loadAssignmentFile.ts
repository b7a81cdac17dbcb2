import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../common/UsageError.js";
import { bundleAssignment, importAssignmentBundle } from "./bundleAssignment.js";
import { guardFilters } from "./guardFilters.js";
import type { Assignment } from "./types.js";

/** What a loaded value lacks to be an Assignment made by defineAssignment, or null. */
function whatIsWrong(value: unknown): string | null {
  if (typeof value !== "object" || value === null) {
    return `it is ${value === null ? "null" : typeof value}, not an assignment object`;
  }
  const a = value as Record<string, unknown>;
  const lacking: string[] = [];
  if (typeof a.id !== "string") lacking.push("id");
  if (!Array.isArray(a.problems)) lacking.push("problems");
  if (!Array.isArray(a.modules)) lacking.push("modules");
  if (typeof a.drivers !== "string") lacking.push("drivers");
  if (lacking.length > 0) return `it has no ${lacking.join(", ")}`;
  if (typeof a.maxScore !== "number" || typeof a.defaults !== "object" || a.defaults === null) {
    return "it is a bare definition: export defineAssignment({...}), which validates it and fills in the defaults";
  }
  return null;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
}

/**
 * The assignment in a file: the default export (or the export named `assignment`) of that
 * TypeScript or JavaScript file, which must be the value `defineAssignment` returned. Relative paths are resolved against
 * `cwd`. Every problem with the file is a UsageError naming it.
 *
 * The file is bundled with what it imports into one ES module (bundleAssignment), so it needs
 * no package.json and no node_modules beside it: `gradmark`, `gradmark/tensor`,
 * `gradmark/checks` and `fast-check` are the running grader's own modules.
 */
export async function loadAssignmentFile(
  file: string,
  cwd: string = process.cwd(),
): Promise<Assignment> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new UsageError(`assignment file not found: ${file}`);
  if (!statSync(path).isFile()) throw new UsageError(`assignment file ${file} is not a file`);

  // Before the file makes its arbitraries: a filter that never yields must not hang the grader.
  guardFilters();
  // A syntax error or an import that does not resolve: a UsageError naming the place.
  const bundle = await bundleAssignment(path, file);
  let exports: Record<string, unknown>;
  const tempDir = mkdtempSync(join(tmpdir(), "gradmark-assignment-"));
  try {
    exports = await importAssignmentBundle(bundle, tempDir);
  } catch (error) {
    throw new UsageError(`cannot load assignment file ${file}: ${firstLine(error)}`);
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }

  // A CommonJS file (`module.exports = ...`, or TypeScript compiled to it) arrives as
  // { default: module.exports } with the real exports marked __esModule inside.
  const inner = exports.default as Record<string, unknown> | undefined;
  if (typeof inner === "object" && inner !== null && inner.__esModule === true) exports = inner;
  const candidates = (
    [
      ["the default export", exports.default],
      ['the export "assignment"', exports.assignment],
    ] as [string, unknown][]
  ).filter(([, value]) => value !== undefined);
  if (candidates.length === 0) {
    const names = Object.keys(exports).filter((name) => name !== "__esModule");
    throw new UsageError(
      `assignment file ${file} has no default export (or export named "assignment")${
        names.length > 0 ? `; it exports ${names.join(", ")}` : ""
      }`,
    );
  }
  const problems: string[] = [];
  for (const [what, value] of candidates) {
    const wrong = whatIsWrong(value);
    if (wrong === null) return value as Assignment;
    problems.push(`${what}: ${wrong}`);
  }
  throw new UsageError(`assignment file ${file} does not export an assignment (${problems[0]})`);
}
