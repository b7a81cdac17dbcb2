import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ExpectedOutcome } from "./expectedOutcome.js";

const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;
/** `from "./x"`, `import "./x"`, `import("./x")`, `require("./x")`, with or without extension. */
const RELATIVE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']\.\/([A-Za-z0-9_.-]+?)(?:\.(?:ts|mts|js|mjs))?["']/g;

/** What problemsAffectedBy needs of an assignment. */
export interface ProblemModules {
  problems: readonly { id: string; module: string }[];
}

/** The local modules a source file imports (`./name`, extension dropped). */
export function localImports(source: string): string[] {
  return [...new Set([...source.matchAll(RELATIVE_IMPORT)].map((m) => m[1]!))];
}

function moduleFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const file of readdirSync(dir)) {
    if (!SOURCE_FILE.test(file) || !statSync(join(dir, file)).isFile()) continue;
    files.set(file.replace(SOURCE_FILE, ""), join(dir, file));
  }
  return files;
}

/**
 * The problems whose grading can see what a sample changes, so they are the only ones worth
 * grading again under more seeds (the rest is the staff solution's code, which the `reference
 * solution` target grades under every seed). Only a sample laid over the staff solution can be
 * cut down; any other sample returns "all".
 *
 * Changed: every file of the sample's own src/ and every module it removes. Affected: a changed
 * module, and every module of the graded submission (`submissionSrc`, after the overlay) that
 * imports an affected one, directly or not (type-only imports count: they are cheap to include).
 * The answer is every problem whose module is affected, plus every problem that expected.json
 * names in a key other than "*" (where it says a mistake shows up), in the assignment's order.
 */
export function problemsAffectedBy(
  sampleDir: string,
  expected: ExpectedOutcome,
  submissionSrc: string,
  assignment: ProblemModules,
): string[] | "all" {
  if (expected.base !== "solution") return "all";
  const affected = new Set([
    ...moduleFiles(join(sampleDir, "src")).keys(),
    ...(expected.remove ?? []),
  ]);
  const imports = new Map(
    [...moduleFiles(submissionSrc)].map(([name, file]) => [
      name,
      localImports(readFileSync(file, "utf8")),
    ]),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, uses] of imports) {
      if (!affected.has(name) && uses.some((used) => affected.has(used))) {
        affected.add(name);
        grew = true;
      }
    }
  }
  const named = new Set(
    Object.keys(expected.expect)
      .filter((key) => key !== "*")
      .map((key) => key.split(".")[0]!),
  );
  return assignment.problems
    .filter((problem) => affected.has(problem.module) || named.has(problem.id))
    .map((problem) => problem.id);
}
