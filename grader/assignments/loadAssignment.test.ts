import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Tensor } from "../../reference/tensor/index.js";
import { packagePath } from "../common/packagePath.js";
import { UsageError } from "../common/UsageError.js";
import { gradeSubmission } from "../engine/gradeSubmission.js";
import { loadAssignment } from "./loadAssignment.js";

const dir = mkdtempSync(join(tmpdir(), "gradmark-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defineAssignmentPath = JSON.stringify(packagePath("grader/authoring/defineAssignment.ts"));
const definition = `{
  id: "tiny",
  title: "Tiny",
  seed: 7,
  modules: ["m"],
  drivers: ${JSON.stringify(packagePath("grader/assignments/autodiff/drivers.ts"))},
  problems: [{
    id: "p", title: "P", module: "m",
    checks: [{
      id: "p.c", title: "C", points: 2, driver: "d",
      cases: { generate() {} } as never,
      payload: (c: unknown) => c,
      judge: () => ({ pass: true as const }),
    }],
  }],
}`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function usageError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

describe("loadAssignment", () => {
  it("returns the built-in autodiff assignment when no file is given", async () => {
    const builtin = await import("./autodiff/index.js").then(
      (m) => m.autodiff,
      (error: Error) => error,
    );
    if (builtin instanceof Error) {
      // The default assignment is still being written; loading it fails the same way.
      await expect(loadAssignment()).rejects.toThrow(builtin.message);
    } else {
      expect(await loadAssignment()).toBe(builtin);
    }
  });

  it("loads a TypeScript file's default export made with defineAssignment", async () => {
    const path = file(
      "default.ts",
      `import { defineAssignment } from ${defineAssignmentPath};\nconst points: number = 2;\nexport default defineAssignment(${definition});\nexport { points };\n`,
    );
    const assignment = await loadAssignment(path);
    expect(assignment.id).toBe("tiny");
    expect(assignment.maxScore).toBe(2);
    expect(assignment.defaults.runs).toBe(25);
  });

  it("accepts an export named assignment, resolving relative paths against cwd", async () => {
    file(
      "named.ts",
      `import { defineAssignment } from ${defineAssignmentPath};\nexport const assignment = defineAssignment(${definition});\n`,
    );
    expect((await loadAssignment("named.ts", dir)).id).toBe("tiny");
  });

  it("names a missing file", async () => {
    expect(await usageError(loadAssignment("nope.ts", dir))).toBe(
      "assignment file not found: nope.ts",
    );
    expect(await usageError(loadAssignment(".", dir))).toBe("assignment file . is not a file");
  });

  it("says when there is no default export and what the file exports", async () => {
    const path = file("none.ts", "export const a = 1;\nexport function b() {}\n");
    expect(await usageError(loadAssignment(path))).toBe(
      `assignment file ${path} has no default export (or export named "assignment"); it exports a, b`,
    );
  });

  it("says when the export is a bare definition or not an assignment", async () => {
    const bare = file("bare.ts", `export default ${definition};\n`);
    expect(await usageError(loadAssignment(bare))).toMatch(
      /does not export an assignment \(the default export: it is a bare definition: export defineAssignment\(\{\.\.\.\}\)/,
    );
    const other = file("other.ts", `export default { title: "x" };\n`);
    expect(await usageError(loadAssignment(other))).toBe(
      `assignment file ${other} does not export an assignment (the default export: it has no id, problems, modules, drivers)`,
    );
    const number = file("number.ts", "export default 3;\n");
    expect(await usageError(loadAssignment(number))).toContain("it is number, not an assignment");
  });

  it("turns a file that does not compile or throws into one usage error line", async () => {
    const broken = file("broken.ts", "export default {{{;\n");
    const message = await usageError(loadAssignment(broken));
    expect(message).toMatch(new RegExp(`^cannot load assignment file ${broken}: `));
    expect(message).not.toContain("\n");
    const invalid = file(
      "invalid.ts",
      `import { defineAssignment } from ${defineAssignmentPath};\nexport default defineAssignment({ ...${definition}, seed: 1.5 });\n`,
    );
    expect(await usageError(loadAssignment(invalid))).toBe(
      `cannot load assignment file ${invalid}: assignment "tiny": seed must be an integer, got 1.5`,
    );
  });

  it("loads plain JavaScript too", async () => {
    const path = file(
      "plain.mjs",
      `import { defineAssignment } from ${JSON.stringify(`file://${packagePath("grader/authoring/defineAssignment.ts")}`)};\nexport default defineAssignment(${definition.replace(" as never", "").replace(": unknown", "").replace(" as const", "")});\n`,
    );
    expect((await loadAssignment(path)).id).toBe("tiny");
  });

  it("loads and grades a .ts assignment with no package.json or node_modules above it", async () => {
    // Where Gradescope puts it (/autograder/source): nothing to resolve packages from.
    const folder = mkdtempSync(join(tmpdir(), "gradmark-bare-"));
    const above: string[] = [];
    for (let d = folder; ; d = dirname(d)) {
      for (const name of ["package.json", "node_modules"])
        if (existsSync(join(d, name))) above.push(join(d, name));
      if (dirname(d) === d) break;
    }
    expect(above).toEqual([]);
    writeFileSync(join(folder, "reference.ts"), REFERENCE);
    writeFileSync(join(folder, "drivers.ts"), DRIVERS);
    writeFileSync(join(folder, "hw.ts"), ASSIGNMENT);
    mkdirSync(join(folder, "student", "src"), { recursive: true });
    writeFileSync(
      join(folder, "student", "src", "ops.ts"),
      'import { add as plus, type Tensor } from "gradmark/tensor";\nexport const add = (a: Tensor, b: Tensor) => plus(a, b);\n',
    );
    try {
      const assignment = await loadAssignment("hw.ts", folder);
      expect(assignment.id).toBe("bare");
      // `import.meta.url` is the assignment file's own, not the bundle's.
      expect(assignment.drivers).toBe(join(realpathSync(folder), "drivers.ts"));
      // Its fast-check, tensorArb and Tensor are the grader's own.
      const cases = assignment.problems[0]!.checks[0]!.cases;
      expect(cases).toBeInstanceOf(fc.Arbitrary);
      const [a] = fc.sample(cases, { numRuns: 1, seed: 1 })[0] as [unknown, unknown];
      expect(a).toBeInstanceOf(Tensor);
      const result = await gradeSubmission({
        dir: join(folder, "student"),
        assignment,
        mode: "grade",
        lanes: 1,
      });
      expect([result.score, result.maxScore]).toEqual([10, 10]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it("names the file, line and column of a syntax error or an import that does not resolve", async () => {
    // Line 1 of a file using import.meta is where the bundler adds to it: columns still count.
    const broken = file(
      "syntax.ts",
      "const here = import.meta.url;\nexport default { a: 1 +* 2 };\n",
    );
    expect(await usageError(loadAssignment(broken))).toBe(
      `cannot load assignment file ${broken}: ${broken}:2:24: Unexpected "*"`,
    );
    file("first.ts", "const here = import.meta.url; export default { a: 1 +* 2 };\n");
    expect(await usageError(loadAssignment("first.ts", dir))).toBe(
      'cannot load assignment file first.ts: first.ts:1:54: Unexpected "*"',
    );
    file("helper.ts", 'export const λ = "λ"; export const b = (2;\n');
    file("uses-helper.ts", 'import { b } from "./helper.ts";\nexport default b;\n');
    expect(await usageError(loadAssignment("uses-helper.ts", dir))).toBe(
      'cannot load assignment file uses-helper.ts: helper.ts:1:42: Expected ")" but found ";"',
    );
    const missing = file("missing.ts", 'import { x } from "./gone.ts";\nexport default x;\n');
    expect(await usageError(loadAssignment(missing))).toBe(
      `cannot load assignment file ${missing}: ${missing}:1:19: Could not resolve "./gone.ts"`,
    );
    const unknown = file("unknown.ts", 'import { nope } from "gradmark";\nexport default nope;\n');
    expect(await usageError(loadAssignment(unknown))).toBe(
      `cannot load assignment file ${unknown}: ${unknown}:1:10: No matching export in "gradmark" for import "nope"`,
    );
  });
});

const REFERENCE = `import { add, map, type Tensor } from "gradmark/tensor";
export const OFFSET = 0;
export function referenceAdd(a: Tensor, b: Tensor): Tensor {
  return map(add(a, b), (v) => v + OFFSET);
}
`;

const DRIVERS = `export const drivers = {
  call(modules: Record<string, Record<string, (...args: unknown[]) => unknown>>, payload: unknown) {
    const { module, name, args } = payload as { module: string; name: string; args: unknown[] };
    return { out: modules[module]![name]!(...args) };
  },
};
`;

const ASSIGNMENT = `import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { defineAssignment, expectTensor } from "gradmark";
import { tensorArb } from "gradmark/checks";
import type { Tensor } from "gradmark/tensor";
import { referenceAdd } from "./reference.ts";

type Pair = [Tensor, Tensor];
export default defineAssignment({
  id: "bare",
  title: "Bare",
  seed: 3,
  modules: ["ops"],
  drivers: fileURLToPath(new URL("./drivers.ts", import.meta.url)),
  defaults: { runs: 5 },
  problems: [
    {
      id: "1",
      title: "Addition",
      module: "ops",
      checks: [
        {
          id: "1.add",
          title: "add(a, b)",
          points: 10,
          cases: fc.tuple(tensorArb({ shape: [2, 3] }), tensorArb({ shape: [2, 3] })),
          driver: "call",
          payload: ([a, b]: Pair) => ({ module: "ops", name: "add", args: [a, b] }),
          judge: ([a, b]: Pair, result: unknown, ctx) =>
            expectTensor((result as { out: unknown }).out, referenceAdd(a, b), {
              name: "add(a, b)",
              tolerance: ctx.tolerance,
            }),
        },
      ],
    },
  ],
});
`;
