import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../common/packagePath.js";
import { type ExpectedOutcome, readExpectedOutcome } from "./expectedOutcome.js";

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
  if (existsSync(samples)) {
    for (const name of readdirSync(samples).sort()) {
      const dir = join(samples, name);
      if (!statSync(dir).isDirectory()) continue;
      try {
        targets.push({ name, dir, expected: readExpectedOutcome(dir) });
      } catch (error) {
        targets.push({ name, dir, expected: FULL_MARKS, invalid: (error as Error).message });
      }
    }
  }
  return targets;
}
