import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { fakeDeps, fakeIO } from "../fakes.js";

// Usage errors only: the batch itself is tested in grader/batch/batchClass.test.ts.
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "gradmark-batch-cli-"));
  mkdirSync(join(root, "class", "alice"), { recursive: true });
  mkdirSync(join(root, "class", "bob"), { recursive: true });
  writeFileSync(join(root, "class", "bob.zip"), "");
  writeFileSync(join(root, "bad-roster.csv"), "name,id\nx,1\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function usageError(argv: string[]): Promise<string> {
  const io = fakeIO();
  io.cwd = root;
  expect(await runCli(argv, io, fakeDeps())).toBe(2);
  expect(io.out).toBe("");
  return io.err;
}

describe("gradmark batch and merge: bad input gets one clear line and exit 2", () => {
  it.each([
    [["batch", "class"], "Missing required argument: out"],
    [["batch", "nowhere", "--out", "o"], "no such folder: nowhere"],
    [["batch", "class", "--out", "o", "-j", "0"], "-j must be a positive integer, got 0"],
    [["batch", "class", "--out", "o", "--shard", "3/2"], "--shard 3/2: i must be between 1 and 2"],
    [["batch", "class", "--out", "o", "--shard", "half"], "--shard must look like i/n"],
    [["batch", "class", "--out", "o", "--roster", "none.csv"], "cannot read the roster"],
    [["batch", "class", "--out", "o", "--roster", "bad-roster.csv"], "has no folder column"],
    [["batch", "class", "--out", "o", "--seed", "x"], '--seed must be an integer, got "x"'],
    [
      ["batch", "class", "--out", "o", "--compare", "none.csv"],
      "--compare: no such file or folder",
    ],
    [
      ["merge", "class", "--out", "o"],
      "has no batch.json: it is not the --out folder of a gradmark batch",
    ],
    [["merge", "--out", "o"], "Not enough non-option arguments"],
  ])("%j", async (argv, message) => {
    const err = await usageError(argv);
    expect(err).toContain(message);
    expect(err.split("\n").filter((line) => line !== "")).toHaveLength(2);
  });

  it("refuses a folder and a zip with the same name", async () => {
    expect(await usageError(["batch", "class", "--out", "o"])).toContain(
      "holds both bob/ and bob.zip: keep one of them",
    );
  });
});

describe("gradmark batch on a whole class in one zip", () => {
  it("unpacks it once and grades each folder inside; a folder without src/ is an error row", async () => {
    writeFileSync(
      join(root, "class.zip"),
      zipSync({
        "export/alice/README.md": strToU8("no code here"),
        "export/bob/notes.txt": strToU8(""),
      }),
    );
    const io = fakeIO();
    io.cwd = root;
    expect(await runCli(["batch", "class.zip", "--out", "zipped-out", "-j", "1"], io)).toBe(1);
    const grades = readFileSync(join(root, "zipped-out", "grades.csv"), "utf8").split("\n");
    expect(grades[1]).toMatch(
      /^alice,,alice,0,0,0,0,0,0,0,100,error,\d+,,[0-9a-f]{64},.*has no src\/ folder/,
    );
    expect(grades[2]).toMatch(/^bob,,bob,.*,error,/);
  }, 60_000);
});
