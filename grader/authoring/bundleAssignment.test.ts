import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Tensor } from "../../reference/tensor/index.js";
import { toyAssignment } from "../../testing/toy/toyAssignment.js";
import { packagePath } from "../common/packagePath.js";
import * as grader from "../index.js";
import {
  assignmentCodeFingerprint,
  builtinFingerprint,
  bundleAssignment,
  codeFingerprint,
  importAssignmentBundle,
} from "./bundleAssignment.js";

const root = mkdtempSync(join(tmpdir(), "gradmark-bundle-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` (path relative to a new folder of `root` -> text) and returns the folder. */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const files = (scale: number) => ({
  "hw.ts": [
    'import { defineAssignment } from "gradmark";',
    'import { tensor } from "gradmark/tensor";',
    'import { SCALE, where } from "./lib/reference.ts";',
    "export const scale: number = SCALE;",
    "export const here = import.meta.url;",
    "export const there = where;",
    "export const t = tensor([1, 2]);",
    "export const define = defineAssignment;",
    'export { thrown } from "./lib/reference.ts";',
    "",
  ].join("\n"),
  "lib/reference.ts": [
    `export const SCALE = ${scale};`,
    "export const where = [import.meta.url, import.meta.filename, import.meta.dirname];",
    "export function thrown(): string {",
    '  return new Error("here").stack ?? "";',
    "}",
    "",
  ].join("\n"),
});

describe("bundleAssignment", () => {
  it("names files relative to the assignment's folder: the same sources, the same bytes", async () => {
    const a = folder("a", files(2));
    const b = folder("elsewhere/b", files(2));
    const first = await bundleAssignment(join(a, "hw.ts"));
    const second = await bundleAssignment(join(b, "hw.ts"));
    expect(second.code).toBe(first.code);
    expect(second.hash).toBe(first.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.code).toContain("// lib/reference.ts\n");
    expect(first.code).not.toContain(root);
    expect(first.code).not.toContain(realpathSync(root));
    expect(first.shared).toEqual(["gradmark", "gradmark/tensor"]);
    // A constant changed in an imported file changes the bundle.
    const changed = await bundleAssignment(join(folder("c", files(3)), "hw.ts"));
    expect(changed.hash).not.toBe(first.hash);
  });

  it("runs with the grader's own modules and each file's own import.meta", async () => {
    const dir = realpathSync(folder("run", files(5)));
    const bundle = await bundleAssignment(join(dir, "hw.ts"));
    const scratch = mkdtempSync(join(root, "scratch-"));
    const exports = await importAssignmentBundle(bundle, scratch);
    expect(exports.scale).toBe(5);
    expect(exports.t).toBeInstanceOf(Tensor);
    expect(exports.define).toBe(grader.defineAssignment);
    expect(exports.here).toBe(pathToFileURL(join(dir, "hw.ts")).href);
    const reference = join(dir, "lib", "reference.ts");
    expect(exports.there).toEqual([pathToFileURL(reference).href, reference, join(dir, "lib")]);
  });

  it("shares, from a checkout, the package's own files an assignment imports by path", async () => {
    const toy = JSON.stringify(packagePath("testing/toy/toyAssignment.ts"));
    const dir = folder("in-checkout", {
      "hw.ts": `import { toyAssignment } from ${toy};\nexport default toyAssignment;\n`,
    });
    const bundle = await bundleAssignment(join(dir, "hw.ts"));
    expect(bundle.shared).toEqual(["testing/toy/toyAssignment.ts"]);
    expect(bundle.code).not.toContain(packagePath("."));
    const exports = await importAssignmentBundle(bundle, mkdtempSync(join(root, "scratch-")));
    // The grader's own module, not a copy: its Tensors and classes are the grader's.
    expect(exports.default).toBe(toyAssignment);
    // What it is hashed by covers that file's code too.
    expect(await assignmentCodeFingerprint(join(dir, "hw.ts"))).not.toBe(bundle.hash);
  });

  it("refuses a gradmark entry an assignment does not share with the grader", async () => {
    const dir = folder("vitest", { "hw.ts": 'export * from "gradmark/checks/vitest";\n' });
    await expect(bundleAssignment(join(dir, "hw.ts"), "hw.ts")).rejects.toThrow(
      'cannot load assignment file hw.ts: hw.ts:1:15: "gradmark/checks/vitest" is not a module an assignment can import',
    );
  });
});

describe("codeFingerprint", () => {
  const drivers = (factor: number) => ({
    "drivers.ts": [
      'import { mul } from "gradmark/tensor";',
      'import { FACTOR } from "./shared/factor.ts";',
      "export const drivers = { scale: (_m: unknown, p: never) => mul(p, FACTOR) };",
      "",
    ].join("\n"),
    "shared/factor.ts": `export const FACTOR = ${factor};\n`,
  });

  it("hashes a module with what it imports, wherever it is", async () => {
    const one = await codeFingerprint(join(folder("d1", drivers(2)), "drivers.ts"));
    const two = await codeFingerprint(join(folder("x/d2", drivers(2)), "drivers.ts"));
    const three = await codeFingerprint(join(folder("d3", drivers(4)), "drivers.ts"));
    expect(two).toBe(one);
    expect(three).not.toBe(one);
  });

  it("hashes a module that does not bundle by its bytes", async () => {
    const dir = folder("broken-drivers", { "drivers.ts": "export const drivers = {{;\n" });
    expect(await codeFingerprint(join(dir, "drivers.ts"))).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes the built-in assignment's code the same way each time", async () => {
    const first = await builtinFingerprint();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await builtinFingerprint()).toBe(first);
  });
});
