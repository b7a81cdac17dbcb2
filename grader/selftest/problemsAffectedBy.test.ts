import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { autodiff } from "../assignments/autodiff/index.js";
import type { ExpectedOutcome } from "./expectedOutcome.js";
import { readExpectedOutcome } from "./expectedOutcome.js";
import { materializeSample } from "./materializeSample.js";
import { localImports, problemsAffectedBy } from "./problemsAffectedBy.js";

const assignment = {
  problems: [
    { id: "1", module: "a" },
    { id: "2", module: "b" },
    { id: "3", module: "c" },
    { id: "4", module: "d" },
  ],
};

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function folder(files: Record<string, string>): string {
  const at = mkdtempSync(join(dir, "f-"));
  mkdirSync(join(at, "src"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(at, "src", name), text);
  return at;
}

const over = (expect: ExpectedOutcome["expect"], extra: Partial<ExpectedOutcome> = {}) =>
  ({ kind: "mistake", description: "x", base: "solution", expect, ...extra }) as ExpectedOutcome;

describe("problemsAffectedBy", () => {
  it("reads local imports in every form, with and without extensions", () => {
    expect(
      localImports(
        [
          'import { x } from "./a";',
          "import type { Y } from './b.ts';",
          'export * from "./c.js";',
          'import "./d";',
          'const e = await import("./e");',
          'const f = require( "./f.mjs" );',
          'import { tensor } from "gradmark/tensor";',
          'import { g } from "../g";',
        ].join("\n"),
      ),
    ).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it("follows imports from the changed modules, and adds the problems expected.json names", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-affected-"));
    const submission = folder({
      "a.ts": "export const a = 1;",
      "b.ts": 'import { a } from "./a";',
      "c.ts": 'import { b } from "./b";',
      "d.ts": "export const d = 4;",
    });
    const sample = folder({ "a.ts": "export const a = 2;" });
    const src = join(submission, "src");
    expect(problemsAffectedBy(sample, over({ "*": "passed" }), src, assignment)).toEqual([
      "1",
      "2",
      "3",
    ]);
    const onlyC = folder({ "c.ts": "export const c = 3;" });
    expect(problemsAffectedBy(onlyC, over({ "*": "passed" }), src, assignment)).toEqual(["3"]);
    // A key names problem 4 (and problem 1 through a check id).
    expect(
      problemsAffectedBy(
        onlyC,
        over({ "*": "passed", "4": "failed", "1.x.y": "any" }),
        src,
        assignment,
      ),
    ).toEqual(["1", "3", "4"]);
    // A removed module counts as changed; a helper file the sample adds does too.
    const empty = folder({});
    expect(
      problemsAffectedBy(empty, over({ "*": "passed" }, { remove: ["b"] }), src, assignment),
    ).toEqual(["2", "3"]);
    const withHelper = folder({ "helper.ts": "", "d.ts": 'import "./helper";' });
    expect(problemsAffectedBy(withHelper, over({}), src, assignment)).toEqual(["4"]);
  });

  it("grades everything for samples not laid over the staff solution", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-affected-"));
    const sample = folder({ "a.ts": "" });
    const src = join(sample, "src");
    expect(problemsAffectedBy(sample, over({}, { base: "starter" }), src, assignment)).toBe("all");
    expect(problemsAffectedBy(sample, over({}, { base: undefined }), src, assignment)).toBe("all");
  });

  it("on the real samples: a contractions change reaches the engine, a layers change training", () => {
    const cases: [string, string[]][] = [
      ["fixtures/submissions/mistake-1-tensordot-order", ["1", "4", "5"]],
      ["fixtures/submissions/mistake-3-sigmoid-sign", ["3", "6"]],
      ["fixtures/submissions/mistake-4-reuse-overwrite", ["4", "5"]],
      ["fixtures/submissions/mistake-2-output-first", ["2"]],
      ["fixtures/submissions/broken-missing-training", ["6"]],
    ];
    for (const [sampleDir, problems] of cases) {
      const expected = readExpectedOutcome(sampleDir);
      const sample = materializeSample(sampleDir, expected);
      try {
        expect(
          problemsAffectedBy(sampleDir, expected, join(sample.dir, "src"), autodiff),
          sampleDir,
        ).toEqual(problems);
      } finally {
        sample.cleanup();
      }
    }
  });
});
