import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSplitAssignment } from "../../testing/splitAssignment.js";
import { loadAssignment } from "../assignments/loadAssignment.js";
import { UsageError } from "../common/UsageError.js";
import { planAssignmentCopy } from "./planAssignmentCopy.js";

const root = mkdtempSync(join(tmpdir(), "gradmark-students-copy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function allText(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => (statSync(path).isDirectory() ? allText(path) : readFileSync(path, "utf8")))
    .join("\n");
}

async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("not refused");
}

describe("a students' copy of an assignment", () => {
  it("leaves out the *.hidden.ts modules: their checks, cases and text never reach it", async () => {
    const file = writeSplitAssignment(join(root, "course", "hw"), "module");
    expect((await loadAssignment(file)).problems[0]!.checks.map((c) => c.id)).toEqual([
      "1.add",
      "1.add.hidden",
    ]);
    const plan = await planAssignmentCopy(file, join(root, "repo", "grading"), { students: true });
    expect(plan.assignmentFile).toBe("grading/hw.ts");
    expect(plan.leftOut).toEqual(["1.add.hidden"]);
    plan.write();
    const copy = join(root, "repo", "grading");
    expect(allText(copy)).not.toContain("SECRET-CASE-42");
    expect(readFileSync(join(copy, "checks.hidden.ts"), "utf8")).toContain(
      "export const hiddenChecks = [];",
    );
    const students = await loadAssignment(join(copy, "hw.ts"));
    expect(students.problems[0]!.checks.map((c) => c.id)).toEqual(["1.add"]);
    // The staff's folder is untouched.
    expect(readFileSync(join(root, "course", "hw", "checks.hidden.ts"), "utf8")).toContain(
      "SECRET-CASE-42",
    );
  }, 60_000);

  it("refuses a hidden check defined elsewhere, naming it, and writes nothing", async () => {
    const file = writeSplitAssignment(join(root, "course2", "hw"), "inline");
    const destination = join(root, "repo2", "grading");
    expect(await refusal(planAssignmentCopy(file, destination, { students: true }))).toMatch(
      /hidden check 1\.add\.inline is defined outside a \*\.hidden\.ts module, so the students' copy would hold it/,
    );
    expect(() => readdirSync(destination)).toThrow();
  }, 60_000);

  it("says so when the copy without its hidden checks does not define (points that no longer add up)", async () => {
    const file = writeSplitAssignment(join(root, "course3", "hw"), "module", 10);
    expect(
      await refusal(planAssignmentCopy(file, join(root, "repo3", "grading"), { students: true })),
    ).toMatch(
      /^the students' copy of .*hw\.ts \(its \*\.hidden\.ts modules emptied\) does not load: /,
    );
  }, 60_000);
});
