import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeIO } from "../../../testing/cliFakes.js";
import { packagePath } from "../../common/packagePath.js";
import { runSelftestCommand } from "./selftest.js";

// `selftest --assignment`: course staff test their own assignment on their staff solution,
// starter and samples, as the built-in one is tested on the checkout's.
const root = mkdtempSync(join(tmpdir(), "gradmark-selftest-assignment-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const toy = (name: string) => packagePath(`testing/toy/${name}`);

/** A sample folder: its src/ files and its expected.json. */
function sample(name: string, expected: object, files: Record<string, string>): void {
  const dir = join(root, "samples", name);
  mkdirSync(join(dir, "src"), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, "src", file), text);
  writeFileSync(join(dir, "expected.json"), JSON.stringify(expected));
}

describe("selftest --assignment", () => {
  it("grades the staff solution, the starter and the samples, laid over those folders", async () => {
    const starter = join(root, "starter", "src");
    mkdirSync(starter, { recursive: true });
    const stub = 'export const NAME = () => { throw new Error("not implemented"); };\n';
    writeFileSync(
      join(starter, "ops.ts"),
      stub.replace("NAME", "add") + stub.replace("NAME", "mul"),
    );
    writeFileSync(join(starter, "more.ts"), stub.replace("NAME", "twice"));
    // A whole submission, and one laid over the staff solution that changes only `twice`.
    cpSync(toy("buggy/src"), join(root, "samples", "buggy", "src"), { recursive: true });
    writeFileSync(
      join(root, "samples", "buggy", "expected.json"),
      JSON.stringify({
        kind: "mistake",
        description: "add subtracts",
        expect: { "*": "any", "1.add.values": "failed" },
      }),
    );
    sample(
      "twice-thrice",
      {
        kind: "mistake",
        description: "twice adds three times",
        base: "solution",
        expect: { "*": "passed", "2.twice.values": "failed" },
      },
      {
        "more.ts":
          'import { add, type Tensor } from "gradmark/tensor";\nexport const twice = (a: Tensor) => add(add(a, a), a);\n',
      },
    );
    sample(
      "wrong-expectation",
      {
        kind: "correct",
        description: "claims full marks but is the starter",
        base: "starter",
        expect: { "*": "passed" },
      },
      {},
    );
    const io = fakeIO();
    io.cwd = root;
    const code = await runSelftestCommand(
      {
        assignment: packagePath("testing/toy/toyAssignment.ts"),
        solution: toy("good"),
        starter: "starter",
        samples: "samples",
        jobs: 2,
      },
      io,
    );
    expect(io.out).toMatch(/^staff solution .* yes$/m);
    expect(io.out).toMatch(/^starter .* yes$/m);
    expect(io.out).toMatch(/^buggy .* yes$/m);
    expect(io.out).toMatch(/^twice-thrice .* yes$/m);
    // The one sample whose expected.json is wrong is named, with its checks.
    expect(io.out).toMatch(/^wrong-expectation .* NO$/m);
    expect(io.out).toMatch(/selftest: 1 of 5 targets disagree/);
    expect(code).toBe(1);
  }, 120_000);

  it("refuses folders without an assignment, and an assignment without a solution", async () => {
    const io = fakeIO();
    expect(await runSelftestCommand({ solution: "x" }, io)).toBe(2);
    expect(io.err).toMatch(/--solution goes with --assignment <file>/);
    const again = fakeIO();
    expect(await runSelftestCommand({ assignment: "hw.ts" }, again)).toBe(2);
    expect(again.err).toMatch(/selftest --assignment needs --solution <dir>/);
    const missing = fakeIO();
    expect(await runSelftestCommand({ assignment: "hw.ts", solution: "nowhere" }, missing)).toBe(2);
    expect(missing.err).toMatch(/--solution nowhere: no such folder/);
  });
});
