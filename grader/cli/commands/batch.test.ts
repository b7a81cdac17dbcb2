import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeDeps, fakeIO } from "../../../testing/cliFakes.js";
import { formatGradesCsv, parseGradesCsv } from "../../batch/tables/gradesCsv.js";
import { runCli } from "../cli.js";

// Usage errors, and the CLI's own part of small batches (rosters, exports, exit codes): the
// grading itself is tested in grader/batch/batchClass.e2e.test.ts, merging in
// grader/batch/mergeShards.test.ts.
let root: string;

/** GitHub Classroom's roster export: alice's repository is hw1-alice, carol has none, dave no account. */
const CLASSROOM_ROSTER = [
  "identifier,github_username,github_id,name",
  "alice@uni.edu,alice,101,Alice A",
  "s-bob,bob,102,Bob B",
  "carol@uni.edu,carol,103,Carol C",
  "dave@uni.edu,,,Dave D",
  "",
].join("\n");

const CANVAS_ROSTER = [
  "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (4411)",
  "    Points Possible,,,,,100",
  '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,',
  '"Turing, Alan",5002,U002,aturing,CS 101 A,',
  '"Hopper, Grace",5003,U003,ghopper,CS 101 B,',
  "",
].join("\n");
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "gradmark-batch-cli-"));
  mkdirSync(join(root, "class", "alice"), { recursive: true });
  mkdirSync(join(root, "class", "bob"), { recursive: true });
  writeFileSync(join(root, "class", "bob.zip"), "");
  writeFileSync(join(root, "bad-roster.csv"), "name,id\nx,1\n");
  writeFileSync(join(root, "bad-line.csv"), "folder,id,name\nalice,1,Alice\n\nbob,2,Bob, Jr\n");
  writeFileSync(join(root, "open-quote.csv"), 'folder,id,name\nalice,1,"Alice\n');
  writeFileSync(join(root, "classroom.csv"), CLASSROOM_ROSTER);
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
    [
      ["batch", "class", "--out", "o", "--roster", "bad-line.csv"],
      "roster bad-line.csv line 4: 4 field(s) where the header has 3 (a comma in an unquoted name?)",
    ],
    [
      ["batch", "class", "--out", "o", "--roster", "open-quote.csv"],
      "roster open-quote.csv line 2: a quoted field is never closed",
    ],
    [
      ["batch", "class", "--out", "o", "--export", "canvas"],
      "--export canvas needs a Canvas roster: Canvas's gradebook export (Student,ID,SIS User ID,SIS Login ID,Section,...) given to batch as --roster",
    ],
    [
      ["batch", "class", "--out", "o", "--roster", "classroom.csv", "--export", "canvas"],
      "--export canvas needs a Canvas roster",
    ],
    [["batch", "class", "--out", "o", "--export", "moodle"], "Invalid values"],
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
      /^alice,,alice,,,,,,,,100,error,\d+,,[0-9a-f]{64},.*has no src\/ folder/,
    );
    expect(grades[2]).toMatch(/^bob,,bob,.*,error,/);
  }, 60_000);
});

describe("gradmark batch with a GitHub Classroom roster and --compare", () => {
  it("matches hw1-alice and bob, lists carol and dave as missing with blank scores; exit 3 when an unchanged submission's grade moved", async () => {
    // Folders without src/: error rows, quick to grade.
    mkdirSync(join(root, "gh-class", "hw1-alice"), { recursive: true });
    mkdirSync(join(root, "gh-class", "bob"), { recursive: true });
    const batch = async (out: string, ...extra: string[]) => {
      const io = fakeIO();
      io.cwd = root;
      const argv = ["batch", "gh-class", "--out", out, "-j", "1", "--roster", "classroom.csv"];
      return { code: await runCli([...argv, ...extra], io), io };
    };
    const first = await batch("gh-1");
    expect(first.code).toBe(1);
    const text = readFileSync(join(root, "gh-1", "grades.csv"), "utf8");
    const lines = text.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      /^dave@uni\.edu,Dave D,\(no GitHub username\) dave@uni\.edu,{8}100,missing,\d+,,,no submission$/,
    );
    expect(lines[2]).toMatch(/^s-bob,Bob B,bob,{8}100,error,\d+,,[0-9a-f]{64},./);
    expect(lines[3]).toMatch(/^carol@uni\.edu,Carol C,carol,{8}100,missing,\d+,,,no submission$/);
    expect(lines[4]).toMatch(/^alice@uni\.edu,Alice A,hw1-alice,{8}100,error,/);

    // The same submissions, said to have been graded differently before: the grader is not
    // reproducible, which outranks the submissions that could not be graded.
    const rows = parseGradesCsv(text, "grades.csv").map((row) =>
      row.folder === "bob" ? { ...row, status: "graded" as const, total: 42, message: "" } : row,
    );
    const problems = Object.keys(rows[0]!.problems).map((id) => ({
      id,
      title: id,
      maxScore: 0,
      checks: [],
    }));
    writeFileSync(
      join(root, "gh-before.csv"),
      formatGradesCsv({
        assignment: { id: "a", title: "A" },
        seed: 0,
        graderVersion: "",
        problems,
        rows,
      }),
    );
    const again = await batch("gh-2", "--compare", "gh-before.csv");
    expect(again.io.out).toContain("!!! 1 UNCHANGED submission(s) graded differently");
    expect(again.code).toBe(3);
    // Compared with itself, nothing moved: back to 1 for the ungraded submissions.
    expect((await batch("gh-3", "--compare", "gh-1")).code).toBe(1);
  }, 120_000);
});

describe("gradmark batch --export canvas", () => {
  it("writes canvas.csv from a Canvas roster, with blank points for missing and ungraded students", async () => {
    mkdirSync(join(root, "canvas-class", "alovelace"), { recursive: true });
    // A file from Canvas's "Download Submissions", and not a zip at all: an error row.
    writeFileSync(join(root, "canvas-class", "turingalan_5002_90211_hw1.zip"), "not a zip");
    writeFileSync(join(root, "canvas-roster.csv"), CANVAS_ROSTER);
    const io = fakeIO();
    io.cwd = root;
    const argv = ["batch", "canvas-class", "--out", "canvas-out", "-j", "1"];
    const code = await runCli([...argv, "--roster", "canvas-roster.csv", "--export", "canvas"], io);
    expect(code).toBe(1);
    expect(io.out).toContain(
      `Canvas gradebook import written to ${join("canvas-out", "canvas.csv")} (3 student(s))`,
    );
    expect(readFileSync(join(root, "canvas-out", "canvas.csv"), "utf8")).toBe(
      [
        "Student,ID,SIS User ID,SIS Login ID,Section,Automatic differentiation",
        "Points Possible,,,,,100",
        '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,',
        '"Hopper, Grace",5003,U003,ghopper,CS 101 B,',
        '"Turing, Alan",5002,U002,aturing,CS 101 A,',
        "",
      ].join("\n"),
    );
    const grades = readFileSync(join(root, "canvas-out", "grades.csv"), "utf8");
    expect(grades).toMatch(/\nU002,"Turing, Alan",turingalan_5002_90211_hw1,{8}100,error,/);
  }, 120_000);
});

describe("gradmark batch and merge --help", () => {
  it("documents the exit codes", async () => {
    for (const command of ["batch", "merge"]) {
      const io = fakeIO();
      expect(await runCli([command, "--help"], io)).toBe(0);
      expect(io.out.replace(/\s+/g, " ")).toContain(
        "3 --compare found an unchanged submission (same hash and seed) graded differently",
      );
    }
  });
});
