import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { autodiff } from "../../assignments/autodiff/index.js";
import { loadAssignment } from "../../assignments/loadAssignment.js";
import { runBatch } from "../runBatch.js";
import { assignmentFingerprint, readStoredResult } from "./resultStore.js";

// A custom assignment whose judge compares with a reference function of another file, as
// course staff write them: the staff solution earns 10 of 10 with OFFSET = 0, and 5 once the
// reference is changed to add 1 (its second check does not use the reference).
const reference = (offset: number) => `import { add, map, type Tensor } from "gradmark/tensor";
export const OFFSET = ${offset};
export function referenceAdd(a: Tensor, b: Tensor): Tensor {
  return map(add(a, b), (v) => v + OFFSET);
}
`;

const DRIVERS = `import { add } from "gradmark/tensor";
export const drivers = {
  call(modules: Record<string, Record<string, (...args: unknown[]) => unknown>>, payload: unknown) {
    const { name, args } = payload as { name: string; args: unknown[] };
    return { out: modules.ops![name]!(...args), kit: add };
  },
};
`;

const ASSIGNMENT = `import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { defineAssignment, expectTensor } from "gradmark";
import { tensorArb } from "gradmark/checks";
import { add, type Tensor } from "gradmark/tensor";
import { referenceAdd } from "./reference/add.ts";

type Pair = [Tensor, Tensor];
const pairs = fc.tuple(tensorArb({ shape: [2, 2] }), tensorArb({ shape: [2, 2] }));
const check = (id: string, expected: (a: Tensor, b: Tensor) => Tensor) => ({
  id,
  title: id,
  points: 5,
  cases: pairs,
  driver: "call",
  payload: ([a, b]: Pair) => ({ name: "add", args: [a, b] }),
  judge: ([a, b]: Pair, result: unknown, ctx: { tolerance: never }) =>
    expectTensor((result as { out: unknown }).out, expected(a, b), {
      name: "add(a, b)",
      tolerance: ctx.tolerance,
    }),
});

export default defineAssignment({
  id: "offsets",
  title: "Offsets",
  seed: 11,
  modules: ["ops"],
  drivers: fileURLToPath(new URL("./drivers.ts", import.meta.url)),
  defaults: { runs: 3 },
  problems: [
    {
      id: "1",
      title: "Addition",
      module: "ops",
      checks: [check("1.reference", referenceAdd), check("1.kit", add)],
    },
  ],
});
`;

let root: string;
let staff: string;
let classDir: string;
let outDir: string;

/** Writes the assignment with a given OFFSET into `dir`. */
function writeAssignment(dir: string, offset: number): string {
  mkdirSync(join(dir, "reference"), { recursive: true });
  writeFileSync(join(dir, "reference", "add.ts"), reference(offset));
  writeFileSync(join(dir, "drivers.ts"), DRIVERS);
  writeFileSync(join(dir, "hw.ts"), ASSIGNMENT);
  return join(dir, "hw.ts");
}

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
