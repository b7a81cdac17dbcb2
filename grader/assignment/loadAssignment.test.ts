import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packagePath } from "../packagePath.js";
import { UsageError } from "../UsageError.js";
import { loadAssignment } from "./loadAssignment.js";

const dir = mkdtempSync(join(tmpdir(), "gradmark-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defineAssignmentPath = JSON.stringify(packagePath("grader/assignment/defineAssignment.ts"));
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
    const builtin = await import("../assignments/autodiff/index.js").then(
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
      `import { defineAssignment } from ${JSON.stringify(`file://${packagePath("grader/assignment/defineAssignment.ts")}`)};\nexport default defineAssignment(${definition.replace(" as never", "").replace(": unknown", "").replace(" as const", "")});\n`,
    );
    expect((await loadAssignment(path)).id).toBe("tiny");
  });
});
