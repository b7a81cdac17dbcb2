import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ASSIGNMENT,
  DRIVERS,
  reference,
  writeAssignment,
} from "../../../testing/offsetsAssignment.js";
import { autodiff } from "../../assignments/autodiff/index.js";
import { loadAssignment } from "../../assignments/loadAssignment.js";
import { runBatch } from "../runBatch.js";
import { assignmentFingerprint, readStoredResult } from "./resultStore.js";

let root: string;
let staff: string;
let classDir: string;
let outDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "gradmark-resume-"));
  staff = join(root, "staff");
  classDir = join(root, "class");
  outDir = join(root, "out");
  writeAssignment(staff, 0);
  mkdirSync(join(classDir, "solution", "src"), { recursive: true });
  writeFileSync(
    join(classDir, "solution", "src", "ops.ts"),
    'import { add as plus, type Tensor } from "gradmark/tensor";\nexport const add = (a: Tensor, b: Tensor) => plus(a, b);\n',
  );
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

async function batch(resume: boolean) {
  const file = join(staff, "hw.ts");
  const assignment = await loadAssignment(file);
  const outcome = await runBatch({
    classDir,
    outDir,
    assignment,
    assignmentFile: file,
    jobs: 1,
    resume,
  });
  const stored = readStoredResult(outDir, "solution");
  const score = stored?.status === "graded" ? stored.result.score : null;
  return { graded: outcome.graded, reused: outcome.reused, score };
}

describe("batch --resume and the assignment's code", () => {
  it("regrades when a constant in a reference function the assignment imports changes", async () => {
    expect(await batch(false)).toEqual({ graded: 1, reused: 0, score: 10 });
    // Nothing changed: the stored result is kept (the fingerprint is stable across loads).
    expect(await batch(true)).toEqual({ graded: 0, reused: 1, score: 10 });
    writeFileSync(join(staff, "reference", "add.ts"), reference(1));
    expect(await batch(true)).toEqual({ graded: 1, reused: 0, score: 5 });
  }, 120_000);
});

describe("assignmentFingerprint", () => {
  it("is the same for the same sources in another folder, and changes with any of them", async () => {
    const fingerprint = async (dir: string) => {
      const file = join(dir, "hw.ts");
      return assignmentFingerprint(await loadAssignment(file), file);
    };
    writeAssignment(join(root, "a"), 0);
    const here = await fingerprint(join(root, "a"));
    cpSync(join(root, "a"), join(root, "moved", "b"), { recursive: true });
    expect(await fingerprint(join(root, "moved", "b"))).toBe(here);
    expect(here).toMatch(/^[0-9a-f]{16}$/);

    writeAssignment(join(root, "c"), 0);
    writeFileSync(join(root, "c", "drivers.ts"), DRIVERS.replace("kit: add", "kit: null"));
    expect(await fingerprint(join(root, "c"))).not.toBe(here);
    writeAssignment(join(root, "d"), 0);
    // A judge's code only: the check table stays the same.
    writeFileSync(
      join(root, "d", "hw.ts"),
      ASSIGNMENT.replace('name: "add(a, b)"', 'name: "a + b"'),
    );
    expect(await fingerprint(join(root, "d"))).not.toBe(here);
  });

  it("hashes the built-in assignment's code when there is no assignment file", async () => {
    const builtin = await assignmentFingerprint(autodiff, null);
    expect(builtin).toMatch(/^[0-9a-f]{16}$/);
    expect(await assignmentFingerprint(autodiff, null)).toBe(builtin);
  });
});
