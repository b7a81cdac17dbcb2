import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../model/results.js";
import { mergeShards } from "./mergeShards.js";
import { type BatchManifest, MANIFEST_VERSION, writeManifest } from "./store/batchManifest.js";
import { type BatchKey, writeStoredResult } from "./store/resultStore.js";
import { selectExports } from "./tables/exports/index.js";
import { parseRosterFile, resolveRoster } from "./tables/readRoster.js";

const root = mkdtempSync(join(tmpdir(), "gradmark-merge-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KEY: BatchKey = {
  assignmentId: "a",
  assignmentFingerprint: "f",
  seed: 3,
  graderVersion: "1.0.0",
};

const CANVAS_ROSTER = [
  "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (4411)",
  "    Points Possible,,,,,100",
  '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,',
  '"Turing, Alan",5002,U002,aturing,CS 101 A,',
  '"Hopper, Grace",5003,U003,ghopper,CS 101 B,',
  "",
].join("\n");

/** GitHub Classroom's roster export: a roster, but not one Canvas can take back. */
const CLASSROOM_ROSTER = "identifier,github_username,github_id,name\nada@uni.edu,alovelace,1,Ada\n";

/** A finished whole batch of two graded submissions (no grading needed), with the given roster. */
function part(
  name: string,
  rosterText: string | null,
  totals = { alovelace: 8, aturing: 6 },
): string {
  const dir = join(root, name);
  const folders = Object.keys(totals);
  const roster =
    rosterText === null ? null : [...resolveRoster(parseRosterFile(rosterText, "r.csv"), folders)];
  const manifest: BatchManifest = {
    manifestVersion: MANIFEST_VERSION,
    key: KEY,
    assignment: { id: "a", title: "Homework 1" },
    problems: [{ id: "1", title: "One", maxScore: 10, checks: [] }],
    maxScore: 10,
    shard: null,
    submissions: folders,
    roster,
  };
  writeManifest(dir, manifest);
  for (const [folder, score] of Object.entries(totals)) {
    writeStoredResult(dir, {
      storedResultVersion: 1,
      ...KEY,
      folder,
      submissionHash: `h-${folder}`,
      status: "graded",
      result: {
        schemaVersion: SCHEMA_VERSION,
        graderVersion: "1.0.0",
        assignment: { id: "a", title: "Homework 1" },
        seed: 3,
        mode: "grade",
        score,
        maxScore: 10,
        problems: [{ id: "1", title: "One", module: "m", score, maxScore: 10, checks: [] }],
        output: { stdout: "", stderr: "" },
        hiddenSkipped: 0,
        durationMs: 1,
      },
    });
  }
  return name;
}

/** An output interface rooted at the test's folder, keeping what is printed. */
function captured() {
  const io = {
    cwd: root,
    out: "",
    stdout: (text: string) => {
      io.out += text;
    },
  };
  return io;
}

describe("mergeShards", () => {
  it("writes the totals of a Canvas roster's students, blank for the missing one", () => {
    const io = captured();
    const merged = mergeShards(
      {
        parts: [part("m-canvas", CANVAS_ROSTER)],
        outDir: "m-out",
        exports: selectExports("canvas"),
      },
      io,
    );
    expect(merged).toMatchObject({ ungraded: false, unstable: false });
    expect(io.out).toMatch(/^merged 1 part\(s\): 2 submission\(s\)\n/);
    expect(readFileSync(join(root, "m-out", "canvas.csv"), "utf8")).toBe(
      [
        "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1",
        "Points Possible,,,,,10",
        '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,8',
        '"Turing, Alan",5002,U002,aturing,CS 101 A,6',
        '"Hopper, Grace",5003,U003,ghopper,CS 101 B,',
        "",
      ].join("\n"),
    );
  });

  it("refuses --export canvas before writing anything when the parts had no Canvas roster", () => {
    for (const roster of [null, CLASSROOM_ROSTER]) {
      const name = part(roster === null ? "m-none" : "m-classroom", roster);
      const options = { parts: [name], outDir: `${name}-out`, exports: selectExports("canvas") };
      expect(() => mergeShards(options, captured())).toThrow(
        "--export canvas needs a Canvas roster",
      );
      expect(existsSync(join(root, `${name}-out`))).toBe(false);
    }
  });

  it("tells an unchanged submission whose grade moved since the compared run", () => {
    const before = part("m-before", null);
    const same = mergeShards(
      { parts: [part("m-same", null)], outDir: "m-same-out", compare: before },
      captured(),
    );
    expect(same.unstable).toBe(false);
    const io = captured();
    const moved = mergeShards(
      {
        parts: [part("m-moved", null, { alovelace: 8, aturing: 7 })],
        outDir: "m-moved-out",
        compare: before,
      },
      io,
    );
    expect(io.out).toContain("aturing: 6 -> 7 (+1)  !!! unchanged submission");
    expect(moved.unstable).toBe(true);
  });
});
