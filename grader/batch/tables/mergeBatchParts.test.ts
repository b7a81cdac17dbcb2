import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GradeResult, SCHEMA_VERSION } from "../../model/results.js";
import { type BatchManifest, MANIFEST_VERSION, writeManifest } from "../store/batchManifest.js";
import { type BatchKey, writeStoredResult } from "../store/resultStore.js";
import { inShard } from "../store/shard.js";
import { mergeBatchParts } from "./mergeBatchParts.js";

const KEY: BatchKey = {
  assignmentId: "a",
  assignmentFingerprint: "f",
  seed: 3,
  graderVersion: "1.0.0",
};
const FOLDERS = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"];
let root: string;

function result(score: number): GradeResult {
  return {
    schemaVersion: SCHEMA_VERSION,
    graderVersion: "1.0.0",
    assignment: { id: "a", title: "A" },
    seed: 3,
    mode: "grade",
    score,
    maxScore: 10,
    problems: [{ id: "1", title: "One", module: "m", score, maxScore: 10, checks: [] }],
    output: { stdout: "", stderr: "" },
    hiddenSkipped: 0,
    durationMs: 1,
  };
}

/** A finished part as `batch --shard index/count` would leave it (or a whole batch). */
function part(
  name: string,
  shard: { index: number; count: number } | null,
  key = KEY,
  finish = true,
): string {
  const dir = join(root, name);
  const submissions = FOLDERS.filter((f) => shard === null || inShard(f, shard));
  const manifest: BatchManifest = {
    manifestVersion: MANIFEST_VERSION,
    key,
    assignment: { id: "a", title: "A" },
    problems: [{ id: "1", title: "One", maxScore: 10, checks: [] }],
    maxScore: 10,
    shard,
    submissions,
    roster: null,
  };
  writeManifest(dir, manifest);
  for (const folder of finish ? submissions : submissions.slice(1)) {
    writeStoredResult(dir, {
      storedResultVersion: 1,
      ...key,
      folder,
      submissionHash: `h-${folder}`,
      status: "graded",
      result: result(folder.length + (folder.charCodeAt(0) % 5)),
    });
  }
  return dir;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "gradmark-merge-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("mergeBatchParts", () => {
  it("gives the same grades.csv as the whole batch", () => {
    const whole = mergeBatchParts([part("whole", null)], join(root, "out-whole"));
    const parts = [1, 2, 3].map((index) => part(`p${index}`, { index, count: 3 }));
    const merged = mergeBatchParts(parts.reverse(), join(root, "out"));
    expect(merged.manifest.submissions).toEqual(FOLDERS);
    expect(readFileSync(merged.gradesCsvFile, "utf8")).toBe(
      readFileSync(whole.gradesCsvFile, "utf8"),
    );
  });

  it("refuses a missing shard, a shard given twice, and mixed splits", () => {
    const p1 = part("p1", { index: 1, count: 3 });
    const p2 = part("p2", { index: 2, count: 3 });
    expect(() => mergeBatchParts([p1, p2], join(root, "out"))).toThrow("shard 3/3 missing");
    expect(() => mergeBatchParts([p1, p1, p2], join(root, "out"))).toThrow("are both shard 1/3");
    const half = part("half", { index: 2, count: 2 });
    expect(() => mergeBatchParts([p1, half], join(root, "out"))).toThrow(
      "split in different ways (1/3, 2/2)",
    );
    expect(() => mergeBatchParts([p1, part("whole", null)], join(root, "out"))).toThrow(
      "some parts are shards (--shard) and some are whole batches",
    );
  });

  it("refuses parts of different batches and a part that did not finish", () => {
    const p1 = part("p1", { index: 1, count: 2 });
    const otherSeed = part("p2", { index: 2, count: 2 }, { ...KEY, seed: 4 });
    expect(() => mergeBatchParts([p1, otherSeed], join(root, "out"))).toThrow(
      "parts of different batches",
    );
    const unfinished = part("p2b", { index: 2, count: 2 }, KEY, false);
    expect(() => mergeBatchParts([p1, unfinished], join(root, "out"))).toThrow(
      /p2b did not finish \(1 submission\(s\) without a result, e\.g\. \w+\); run that part again with --resume/,
    );
  });

  it("says which folder is not a batch's output", () => {
    expect(() => mergeBatchParts([root], join(root, "out"))).toThrow("has no batch.json");
  });
});
