import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { autodiff } from "../assignments/autodiff/index.js";
import { packagePath } from "../common/packagePath.js";
import { type BatchOutcome, runBatch } from "./runBatch.js";
import { readStoredResult } from "./store/resultStore.js";
import { zeroBombZip } from "./store/zipBombs.js";
import { parseGradesCsv } from "./tables/gradesCsv.js";
import type { BatchRow } from "./types.js";

// A tiny class where most submissions attack the batch's input limits: each must cost only its
// own row (an error naming the problem) while the staff solution is graded as usual.
const GIB = 1024 * 1024 * 1024;
let root: string;
let classDir: string;
let outDir: string;
let first: BatchOutcome;

const options = () => ({
  classDir,
  outDir,
  assignment: autodiff,
  assignmentFile: null,
  jobs: 2,
});

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "gradmark-limits-"));
  classDir = join(root, "class");
  outDir = join(root, "out");
  // The staff solution, laid out as a student's repository (as buildFixtureClass does).
  cpSync(packagePath("reference/solution"), join(classDir, "solution", "src"), {
    recursive: true,
    filter: (path) => !/\.test\.ts$/.test(path),
  });
  const layers = new Uint8Array(readFileSync(join(classDir, "solution", "src", "layers.ts")));
  // 1 GiB of zeros in a 1 MB zip, declaring its size honestly; and the same lying about it.
  writeFileSync(join(classDir, "bomb.zip"), zeroBombZip({ unpackedBytes: GIB }));
  writeFileSync(
    join(classDir, "liar.zip"),
    zeroBombZip({ unpackedBytes: GIB, declaredBytes: 1000, others: { "src/layers.ts": layers } }),
  );
  // The solution plus a 3 GB file: sparse, so it costs no disk and reading it would show.
  cpSync(join(classDir, "solution"), join(classDir, "huge"), { recursive: true });
  writeFileSync(join(classDir, "huge", "src", "huge.bin"), "");
  truncateSync(join(classDir, "huge", "src", "huge.bin"), 3 * GIB);
  first = await runBatch(options());
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const rowOf = (folder: string): BatchRow => {
  const found = first.report.rows.find((row) => row.folder === folder);
  if (!found) throw new Error(`no row for ${folder}`);
  return found;
};

describe("batch input limits: a hostile submission costs only its own row", () => {
  it("grades the solution while the zip bombs and the 3 GB file are error rows", () => {
    expect(first.report.rows.map((row) => [row.folder, row.status])).toEqual([
      ["bomb", "error"],
      ["huge", "error"],
      ["liar", "error"],
      ["solution", "graded"],
    ]);
    expect(rowOf("solution").total).toBe(rowOf("solution").maxScore);
    expect(rowOf("bomb").message).toBe(
      'bomb.zip: entry "src/bomb.ts" declares 1073741824 bytes, over the limit of 52428800 bytes per file',
    );
    expect(rowOf("liar").message).toBe(
      'liar.zip: entry "src/bomb.ts" inflates to more than the 1000 bytes the zip declares for it',
    );
    expect(rowOf("huge").message).toBe(
      "huge: src/huge.bin is 3221225472 bytes, over the limit of 52428800 bytes per file",
    );
  });

  it("writes the error rows into grades.csv, one line each", () => {
    const rows = parseGradesCsv(readFileSync(first.gradesCsvFile, "utf8"), "grades.csv");
    expect(rows).toEqual(first.report.rows);
    expect(readFileSync(first.gradesCsvFile, "utf8").trim().split("\n")).toHaveLength(5);
  });

  it("stores the refusals like any result, and --resume keeps them without grading again", async () => {
    const stored = readStoredResult(outDir, "huge");
    expect(stored).toMatchObject({ status: "error", retry: false });
    const before = readFileSync(first.gradesCsvFile, "utf8");
    const again = await runBatch({ ...options(), resume: true });
    expect(again.graded).toBe(0);
    expect(readFileSync(again.gradesCsvFile, "utf8")).toBe(before);
  }, 120_000);
});

describe("batch input limits in a whole class zipped as one", () => {
  it("unpacks a student's bomb only to refuse that student's folder; the others are graded", async () => {
    const files: Record<string, Uint8Array> = {};
    const solution = packagePath("reference/solution");
    for (const name of readdirSync(solution, { recursive: true }) as string[]) {
      const full = join(solution, name);
      if (!statSync(full).isFile() || /\.test\.ts$/.test(name)) continue;
      files[`export/ada/src/${name}`] = new Uint8Array(readFileSync(full));
    }
    const classZip = join(root, "class.zip");
    writeFileSync(
      classZip,
      zeroBombZip({
        name: "export/bomber/src/bomb.ts",
        unpackedBytes: 64 * 1024 * 1024,
        others: { ...files, "export/bomber/src/layers.ts": new Uint8Array(1) },
      }),
    );
    const outcome = await runBatch({ ...options(), classDir: classZip, outDir: join(root, "z") });
    expect(outcome.report.rows.map((row) => [row.folder, row.status])).toEqual([
      ["ada", "graded"],
      ["bomber", "error"],
    ]);
    expect(outcome.report.rows[0]!.total).toBe(outcome.report.rows[0]!.maxScore);
    expect(outcome.report.rows[1]!.message).toBe(
      "bomber: src/bomb.ts is 67108864 bytes, over the limit of 52428800 bytes per file",
    );
  }, 120_000);
});
