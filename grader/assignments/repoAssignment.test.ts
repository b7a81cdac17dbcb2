import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../common/UsageError.js";
import { assignmentFileFor, repoAssignment } from "./repoAssignment.js";

const root = mkdtempSync(join(tmpdir(), "gradmark-repo-assignment-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A student repository whose package.json is `manifest` (text), with grading/hw.ts in it. */
function repo(name: string, manifest: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "grading"), { recursive: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "grading", "hw.ts"), "export default {};\n");
  writeFileSync(join(dir, "package.json"), manifest);
  return dir;
}

const usageError = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("no UsageError");
};

describe("repoAssignment: the assignment a student repository names in its package.json", () => {
  it("finds gradmark.assignment in the nearest package.json, relative to it", () => {
    const dir = repo("named", JSON.stringify({ gradmark: { assignment: "grading/hw.ts" } }));
    expect(repoAssignment(dir)?.file).toBe(join(dir, "grading", "hw.ts"));
    // From a folder below it too (a student running check inside src/).
    expect(repoAssignment(join(dir, "src"))?.packageJson).toBe(join(dir, "package.json"));
  });

  it("is null without the field (the built-in assignment then)", () => {
    expect(repoAssignment(repo("plain", JSON.stringify({ name: "hw" })))).toBeNull();
    expect(repoAssignment(repo("empty", JSON.stringify({ gradmark: {} })))).toBeNull();
  });

  it("refuses a field it cannot use, naming the package.json and the field", () => {
    const cwd = root;
    expect(usageError(() => repoAssignment(repo("array", '{"gradmark": ["hw.ts"]}'), cwd))).toBe(
      'array/package.json: "gradmark" must be an object such as { "assignment": "grading/hw.ts" }, not ["hw.ts"]',
    );
    expect(
      usageError(() => repoAssignment(repo("number", '{"gradmark": {"assignment": 3}}'), cwd)),
    ).toBe(
      'number/package.json: "gradmark.assignment" must be the path of an assignment file (relative to the package.json), not 3',
    );
    expect(
      usageError(() => repoAssignment(repo("gone", '{"gradmark": {"assignment": "hw2.ts"}}'), cwd)),
    ).toBe('gone/package.json names the assignment "hw2.ts", which does not exist (gone/hw2.ts)');
    expect(usageError(() => repoAssignment(repo("broken", "{ nope"), cwd))).toMatch(
      /^broken\/package\.json is not valid JSON: /,
    );
  });

  it("gives check the flag first, then the package.json's file (relative to cwd)", () => {
    const dir = repo("check", JSON.stringify({ gradmark: { assignment: "grading/hw.ts" } }));
    expect(assignmentFileFor({ assignment: "other.ts" }, dir, root)).toBe("other.ts");
    expect(assignmentFileFor({}, dir, root)).toBe(join("check", "grading", "hw.ts"));
    expect(assignmentFileFor({}, repo("none", "{}"), root)).toBeUndefined();
  });
});
