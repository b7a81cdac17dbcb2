import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../packagePath.js";
import type { ExpectedOutcome } from "./expectedOutcome.js";

const MODULE_FILE = /\.(ts|mts|js|mjs)$/;

/**
 * The submission a sample stands for, as a folder with src/: its own src/ files laid over its
 * base (the staff solution or the starter), with `useSolution` modules taken from the solution
 * and `remove` modules deleted. A sample without a base is graded as it is. Call `cleanup`
 * when done.
 */
export function materializeSample(
  dir: string,
  expected: ExpectedOutcome,
): { dir: string; cleanup: () => void } {
  if (expected.base === undefined) return { dir, cleanup: () => {} };
  const work = mkdtempSync(join(tmpdir(), "gradmark-sample-"));
  const src = join(work, "src");
  mkdirSync(src);
  const solution = packagePath("reference/solution");
  const base = expected.base === "solution" ? solution : packagePath("fixtures/starter/src");
  const copyModules = (from: string, only?: readonly string[]) => {
    for (const file of readdirSync(from)) {
      if (!MODULE_FILE.test(file) || file.includes(".test.") || file.startsWith("test-support"))
        continue;
      if (only && !only.includes(file.replace(MODULE_FILE, ""))) continue;
      cpSync(join(from, file), join(src, file));
    }
  };
  copyModules(base);
  if (expected.useSolution) copyModules(solution, expected.useSolution);
  const own = join(dir, "src");
  if (existsSync(own)) cpSync(own, src, { recursive: true });
  for (const module of expected.remove ?? []) {
    for (const ext of [".ts", ".mts", ".js", ".mjs"])
      rmSync(join(src, `${module}${ext}`), { force: true });
  }
  return { dir: work, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}
