import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { packagePath } from "../common/packagePath.js";
import type { ExpectedOutcome } from "./expectedOutcome.js";

const MODULE_FILE = /\.(ts|mts|js|mjs)$/;

/** The folders of modules (a submission's src/) that samples are laid over. */
export interface SampleBases {
  solution: string | null;
  starter: string | null;
}

/** The built-in assignment's: the staff solution and the starter of a gradmark checkout. */
export function builtinBases(): SampleBases {
  return {
    solution: packagePath("reference/solution"),
    starter: packagePath("fixtures/starter/src"),
  };
}

/**
 * The submission a sample stands for, as a folder with src/: its own src/ files laid over its
 * base (the staff solution or the starter), with `useSolution` modules taken from the solution
 * and `remove` modules deleted. A sample without a base is graded as it is. Call `cleanup`
 * when done. A symbolic link among the sample's files stays a link (hostile samples test that
 * the grader refuses them), to the same target: a relative one is made absolute, so it points
 * where it pointed from the sample's folder.
 */
export function materializeSample(
  dir: string,
  expected: ExpectedOutcome,
  bases: SampleBases = builtinBases(),
): { dir: string; cleanup: () => void } {
  if (expected.base === undefined) return { dir, cleanup: () => {} };
  const solution = bases.solution;
  const base = expected.base === "solution" ? solution : bases.starter;
  if (base === null) {
    throw new Error(
      `its expected.json lays it over the ${expected.base}, but no ${expected.base} was given (--${expected.base})`,
    );
  }
  if (expected.useSolution && solution === null) {
    throw new Error("its expected.json takes modules from the solution, but none was given");
  }
  const work = mkdtempSync(join(tmpdir(), "gradmark-sample-"));
  const src = join(work, "src");
  mkdirSync(src);
  const copyModules = (from: string, only?: readonly string[]) => {
    for (const file of readdirSync(from)) {
      if (!MODULE_FILE.test(file) || file.includes(".test.")) continue;
      if (only && !only.includes(file.replace(MODULE_FILE, ""))) continue;
      cpSync(join(from, file), join(src, file));
    }
  };
  copyModules(base);
  if (expected.useSolution && solution !== null) copyModules(solution, expected.useSolution);
  const own = join(dir, "src");
  if (existsSync(own)) overlay(own, src);
  for (const module of expected.remove ?? []) {
    for (const ext of [".ts", ".mts", ".js", ".mjs"])
      rmSync(join(src, `${module}${ext}`), { force: true });
  }
  return { dir: work, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

/** Lays `from`'s files over `to`: a file or link replaces what was there, folders merge. */
function overlay(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const target = join(to, name);
    const stat = lstatSync(source);
    // lstat, not exists: a dangling link is there too.
    const there = lstatSync(target, { throwIfNoEntry: false });
    if (stat.isDirectory()) {
      if (there && !there.isDirectory()) rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      overlay(source, target);
      continue;
    }
    if (there) rmSync(target, { recursive: true, force: true });
    if (stat.isSymbolicLink()) {
      const link = readlinkSync(source);
      symlinkSync(isAbsolute(link) ? link : resolve(dirname(source), link), target);
    } else {
      copyFileSync(source, target);
    }
  }
}
