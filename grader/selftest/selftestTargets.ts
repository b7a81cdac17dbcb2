import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../common/packagePath.js";
import { type ExpectedOutcome, readExpectedOutcome } from "./expectedOutcome.js";
import type { SampleBases } from "./materializeSample.js";

/** A submission selftest grades and what it must come to. */
export interface SelftestTarget {
  name: string;
  /** The folder given to gradeSubmission as `dir`. */
  dir: string;
  /** The modules folder, when it is not `dir/src` (the staff solution is itself a src/). */
  srcDir?: string;
  expected: ExpectedOutcome;
  /** Why the target's expected.json could not be read (the target then counts as an error). */
  invalid?: string;
  /** What a sample with a `base` is laid over (default: the built-in assignment's). */
  bases?: SampleBases;
}

/** What the staff solution must come to. */
export const FULL_MARKS: ExpectedOutcome = {
  kind: "correct",
  description: "full marks",
  expect: { "*": "passed" },
};

/** What the starter must come to. */
export const ALL_NOT_IMPLEMENTED: ExpectedOutcome = {
  kind: "partial",
  description: "0, all not implemented",
  expect: { "*": "not-implemented" },
};

/**
 * The submissions `gradmark selftest` grades (a gradmark checkout; not in the npm package): the
 * staff solution, the starter, and every sample in fixtures/submissions with its expected.json.
 */
export function selftestTargets(): SelftestTarget[] {
  const solution = packagePath("reference/solution");
  const targets: SelftestTarget[] = [
    { name: "reference solution", dir: solution, srcDir: solution, expected: FULL_MARKS },
    { name: "starter", dir: packagePath("fixtures/starter"), expected: ALL_NOT_IMPLEMENTED },
  ];
  const samples = packagePath("fixtures/submissions");
  if (existsSync(samples)) targets.push(...sampleTargets(samples));
  return targets;
}

/** Where a custom assignment's staff solution, starter and samples are (see assignmentTargets). */
export interface AssignmentSelftestFolders {
  /** The staff solution: a submission folder (with src/) or the folder of its modules. */
  solution: string;
  /** The starter, graded as all not implemented (optional). */
  starter?: string;
  /** A folder of sample submissions, each with its expected.json (optional). */
  samples?: string;
}

/**
 * What `selftest --assignment` grades: the staff solution (full marks), the starter if given
 * (all not implemented) and every sample folder with its expected.json, whose `base` means the
 * given solution or starter.
 */
export function assignmentTargets(folders: AssignmentSelftestFolders): SelftestTarget[] {
  const solution = submissionFolder(folders.solution);
  const starter = folders.starter === undefined ? null : submissionFolder(folders.starter);
  const bases: SampleBases = { solution: solution.src, starter: starter?.src ?? null };
  const targets: SelftestTarget[] = [
    { name: "staff solution", ...solution.target, expected: FULL_MARKS },
  ];
  if (starter !== null)
    targets.push({ name: "starter", ...starter.target, expected: ALL_NOT_IMPLEMENTED });
  if (folders.samples !== undefined) targets.push(...sampleTargets(folders.samples, bases));
  return targets;
}

/** Every sample folder of `samples` (sorted), with its expected.json. */
function sampleTargets(samples: string, bases?: SampleBases): SelftestTarget[] {
  const targets: SelftestTarget[] = [];
  for (const name of readdirSync(samples).sort()) {
    const dir = join(samples, name);
    if (!statSync(dir).isDirectory()) continue;
    try {
      targets.push({ name, dir, expected: readExpectedOutcome(dir), ...(bases ? { bases } : {}) });
    } catch (error) {
      targets.push({ name, dir, expected: FULL_MARKS, invalid: (error as Error).message });
    }
  }
  return targets;
}

/** A submission given as its folder (holding src/) or as the folder of its modules. */
function submissionFolder(dir: string): { target: { dir: string; srcDir?: string }; src: string } {
  const src = join(dir, "src");
  return existsSync(src) && statSync(src).isDirectory()
    ? { target: { dir }, src }
    : { target: { dir, srcDir: dir }, src: dir };
}
