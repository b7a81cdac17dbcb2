import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtureClass } from "../../testing/batch/buildFixtureClass.js";
import { autodiff } from "../assignments/autodiff/index.js";
import { runCli } from "../cli/cli.js";
import { packagePath } from "../common/packagePath.js";
import { runBatch } from "./runBatch.js";
import { mergeBatchParts } from "./tables/mergeBatchParts.js";

// One class, graded several ways: whole gradings, so the file is slow (a minute or more on two
// cores); every comparison is of bytes, never of times. The class is 24 submissions: the staff
// solution and the starter, samples of every kind (correct, mistakes, partial, stubs, broken,
// hostile ones that crash, loop, exhaust memory or print a fake result), repeated copies, a zip
// and a zip that tries to climb out. Every sample is graded one by one by selftest
// (grader/selftest/samples.e2e.test.ts); here what matters is the batch: rows, resume, shards.
const CLASS_SIZE = 24;
const CLASS_SAMPLES = new Set([
  "solution",
  "starter",
  "correct-loops",
  "mistake-1-contract-k0",
  "mistake-3-linear-transposed",
  "mistake-4-dead-consumers",
  "mistake-6-sgd-adds",
  "partial-1-2",
  "stub-layers",
  "broken-syntax-einsum",
  "broken-bad-import",
  "hostile-exit-at-load",
  "hostile-fake-output",
  "hostile-infinite-loop",
  "hostile-memory-bomb",
  "hostile-self-kill",
  "hostile-spawn",
  "hostile-network",
]);
let root: string;
let classDir: string;
let uninterrupted: string;
/** The same students as roster.csv, for runBatch called directly. */
const roster = new Map([
  ["solution", { id: "s001", name: "Ada" }],
  ["zipped", { id: "s002", name: "Zed" }],
  ["absent", { id: "s404", name: "Nobody" }],
]);

function zipFolder(dir: string, prefix: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (relative: string) => {
    for (const name of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative === "" ? name.name : `${relative}/${name.name}`;
      if (name.isDirectory()) walk(path);
      else files[`${prefix}${path}`] = new Uint8Array(readFileSync(join(dir, path)));
    }
  };
  walk("");
  return files;
}

/** A CLI io that keeps what is printed, run from the class's root folder. */
function captureIO() {
  const out: string[] = [];
  const write = (text: string) => {
    out.push(text);
  };
  return { out, io: { stdout: write, stderr: write, isTTY: false, env: {}, cwd: root } };
}

const csv = (outDir: string) => readFileSync(join(outDir, "grades.csv"), "utf8");
const lineOf = (text: string, folder: string) =>
  text.split("\n").find((line) => line.split(",")[2] === folder);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "gradmark-class-"));
  classDir = join(root, "class");
  buildFixtureClass(classDir, CLASS_SIZE - 2, (name) => CLASS_SAMPLES.has(name));
  // Two zipped submissions: the solution wrapped in a folder, and one that tries to escape.
  writeFileSync(
    join(classDir, "zipped.zip"),
    zipSync(zipFolder(join(classDir, "solution"), "zipped-repo/")),
  );
  writeFileSync(
    join(classDir, "escaper.zip"),
    zipSync({ "src/layers.ts": new Uint8Array(1), "../../escaped.ts": new Uint8Array(1) }),
  );
  writeFileSync(
    join(root, "roster.csv"),
    "folder,id,name\nsolution,s001,Ada\nzipped,s002,Zed\nabsent,s404,Nobody\n",
  );
  uninterrupted = join(root, "uninterrupted");
  await runBatch({
    classDir,
    outDir: uninterrupted,
    assignment: autodiff,
    assignmentFile: null,
    jobs: 2,
    roster,
  });
}, 900_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe(`gradmark batch on a class of ${CLASS_SIZE} made from the fixtures`, () => {
  it("grades every submission; broken and hostile ones only cost their own row", () => {
    const text = csv(uninterrupted);
    const lines = text.trim().split("\n");
    expect(lines).toHaveLength(1 + CLASS_SIZE + 1); // header, submissions, the absent student
    expect(lineOf(text, "solution")).toMatch(/^s001,Ada,solution,10,15,30,30,10,5,100,100,graded,/);
    expect(lineOf(text, "zipped")).toMatch(/^s002,Zed,zipped,10,15,30,30,10,5,100,100,graded,/);
    expect(lineOf(text, "absent")).toMatch(/^s404,Nobody,absent,{8}100,missing,/);
    expect(lineOf(text, "escaper")).toMatch(/,error,.*climbs out of the folder/);
    expect(existsSync(join(root, "escaped.ts"))).toBe(false);
    for (const copy of ["solution-2", "starter-2", "broken-bad-import-2"]) {
      expect(lineOf(text, copy)).toMatch(/,graded,/);
    }
    // Every hostile sample was graded (the batch went on), and its copies agree with it.
    const hostile = lines.filter((line) => line.split(",")[2]!.startsWith("hostile-"));
    expect(hostile.length).toBeGreaterThanOrEqual(6);
    for (const line of hostile) expect(line).toMatch(/,graded,/);
  });

  // The next two grade into folders of their own and run side by side: much of a hostile
  // sample's cost is waiting for a time limit, which two batches can wait out together.
  it.concurrent("killed with SIGKILL part way and resumed, gives the identical grades.csv", async () => {
    const outDir = join(root, "killed");
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const args = [
      "--import",
      tsx,
      packagePath("grader/cli/main.ts"),
      "batch",
      classDir,
      "--out",
      outDir,
      "-j",
      "2",
    ];
    const child = spawn(process.execPath, [...args, "--roster", join(root, "roster.csv")], {
      stdio: "ignore",
      cwd: packagePath("."),
    });
    const results = join(outDir, "results");
    const count = () =>
      existsSync(results) ? readdirSync(results).filter((n) => n.endsWith(".json")).length : 0;
    while (count() < 8 && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(count()).toBeLessThan(CLASS_SIZE);
    expect(existsSync(join(outDir, "grades.csv"))).toBe(false);

    const { io, out } = captureIO();
    const code = await runCli(
      ["batch", classDir, "--out", outDir, "-j", "2", "--resume", "--roster", "roster.csv"],
      io,
    );
    expect(out.join("")).toMatch(/kept from the last run/);
    expect(code).toBe(1); // the escaping zip could not be graded
    expect(csv(outDir)).toBe(csv(uninterrupted));
  }, 900_000);

  it.concurrent("sharded three ways and merged, gives the identical grades.csv", async () => {
    const parts = [1, 2, 3].map((index) => join(root, `part-${index}`));
    await Promise.all(
      parts.map((outDir, i) =>
        runBatch({
          classDir,
          outDir,
          assignment: autodiff,
          assignmentFile: null,
          jobs: 1,
          roster,
          shard: { index: i + 1, count: 3 },
        }),
      ),
    );
    const sizes = parts.map((dir) => csv(dir).trim().split("\n").length - 1);
    expect(sizes.every((size) => size > 5)).toBe(true);
    const merged = join(root, "merged");
    mergeBatchParts(parts, merged);
    expect(csv(merged)).toBe(csv(uninterrupted));
  }, 900_000);

  it("--compare after one submission changed lists exactly that student, with the flipped checks", async () => {
    const outDir = join(root, "regrade");
    cpSync(uninterrupted, outDir, { recursive: true });
    const layers = join(classDir, "solution", "src", "layers.ts");
    const source = readFileSync(layers, "utf8");
    // A regrade after a student's late change: Sigmoid.backward forgets the factor (1 - s).
    const broken = source.replace("mul(s, sub(1, s))", "s");
    expect(broken).not.toBe(source);
    writeFileSync(layers, broken);
    const { io, out } = captureIO();
    await runCli(
      [
        "batch",
        classDir,
        "--out",
        outDir,
        "--resume",
        "--compare",
        uninterrupted,
        "--roster",
        "roster.csv",
      ],
      io,
    );
    const text = out.join("");
    expect(text).toMatch(/grading 1 of 24 submission\(s\)/);
    expect(text).toMatch(/Regrade diff against .*: 1 of 25 submission\(s\) changed/);
    expect(text).toMatch(
      /\n {2}solution \(s001, Ada\): 100 -> [\d.]+ \(-[\d.]+\)\n {6}now failing: 3\.Sigmoid\.backward/,
    );
    expect(text).not.toContain("!!!");
  }, 900_000);
});
