import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { autodiff } from "../assignments/autodiff/index.js";
import { packagePath } from "../packagePath.js";
import { bundleSubmission } from "./bundleSubmission.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-bundle-test-"));
  made.push(dir);
  return dir;
}

function bundle(srcDir: string) {
  return bundleSubmission({
    srcDir,
    modules: autodiff.modules,
    driversFile: autodiff.drivers,
    outDir: tempDir(),
  });
}

describe("bundleSubmission", () => {
  it("bundles a clean submission in one esbuild run, every module included", async () => {
    const result = await bundle(packagePath("reference/solution"));
    expect(result.problems).toEqual([]);
    expect(result.modules).toEqual([...autodiff.modules]);
    expect(result.builds).toBe(1);
    expect(readFileSync(result.file, "utf8")).toContain("startChild(");
  });

  it("leaves out a module with a forbidden import, names the import, and bundles the rest", async () => {
    const src = tempDir();
    cpSync(packagePath("reference/solution"), src, { recursive: true });
    cpSync(
      packagePath("fixtures/submissions/broken-bad-import/src/derivatives.ts"),
      join(src, "derivatives.ts"),
    );
    const result = await bundle(src);
    expect(result.problems.map((p) => p.module)).toEqual(["derivatives"]);
    expect(result.problems[0]!.message).toContain("node:fs");
    expect(result.modules).not.toContain("derivatives");
    expect(result.modules).toContain("layers");
    expect(result.builds).toBeGreaterThan(1);
  });

  it("checks module by module when a student file has the generated entry's name", async () => {
    const src = tempDir();
    cpSync(packagePath("reference/solution"), src, { recursive: true });
    writeFileSync(join(src, "gradmark-entry.ts"), 'import "node:child_process";\n');
    const result = await bundle(src);
    expect(result.problems).toEqual([]);
    expect(result.builds).toBeGreaterThan(1);
  });
});
