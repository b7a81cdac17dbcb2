import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../UsageError.js";
import { version } from "../version.js";
import { GRADE_WORKFLOW, scaffoldStudentRepo } from "./scaffoldStudentRepo.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("scaffoldStudentRepo", () => {
  it("writes the starter's modules, README, config and a grading workflow", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    const written = scaffoldStudentRepo(join(dir, "hw"));
    for (const module of [
      "contractions",
      "derivatives",
      "layers",
      "autograd",
      "einsum",
      "training",
    ]) {
      expect(written).toContain(join("src", `${module}.ts`));
    }
    expect(written).toEqual(
      expect.arrayContaining([
        "README.md",
        "tsconfig.json",
        "package.json",
        ".gitignore",
        join(".github", "workflows", "grade.yml"),
      ]),
    );
    expect(written.some((file) => file.endsWith(".test.ts"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, "hw", "package.json"), "utf8"));
    expect(manifest.devDependencies.gradmark).toBe(`^${version}`);
    expect(manifest.scripts).toMatchObject({
      check: "gradmark check",
      test: "vitest run --passWithNoTests",
    });
    expect(readFileSync(join(dir, "hw", ".github", "workflows", "grade.yml"), "utf8")).toBe(
      GRADE_WORKFLOW,
    );
    expect(GRADE_WORKFLOW).toContain("npx gradmark grade");
  });

  it("refuses to overwrite a file unless forced", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    writeFileSync(join(dir, "README.md"), "mine");
    expect(() => scaffoldStudentRepo(dir)).toThrow(UsageError);
    expect(() => scaffoldStudentRepo(dir)).toThrow(
      /already has a file gradmark init would write \(README.md\); use --force/,
    );
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("mine");
    expect(existsSync(join(dir, "src"))).toBe(false);
    scaffoldStudentRepo(dir, { force: true });
    expect(readFileSync(join(dir, "README.md"), "utf8")).not.toBe("mine");
  });

  it("names a target that is a file", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    writeFileSync(join(dir, "x"), "");
    expect(() => scaffoldStudentRepo(join(dir, "x"))).toThrow(/exists and is not a folder/);
  });
});
