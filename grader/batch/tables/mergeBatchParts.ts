import { join, resolve } from "node:path";
import { UsageError } from "../../common/UsageError.js";
import { buildBatchReport } from "../report/buildBatchReport.js";
import { type BatchManifest, readManifest, writeManifest } from "../store/batchManifest.js";
import { compareNames } from "../store/findSubmissions.js";
import {
  readStoredResult,
  removeTemporaryFiles,
  type StoredResult,
  sameKey,
  writeFileAtomic,
  writeStoredResult,
} from "../store/resultStore.js";
import type { BatchReport } from "../types.js";
import { formatGradesCsv } from "./gradesCsv.js";
import type { RosterEntry } from "./readRoster.js";

/** The merged folder's report (behind its grades.csv), batch.json's content and grades.csv. */
export interface MergeOutcome {
  report: BatchReport;
  manifest: BatchManifest;
  gradesCsvFile: string;
}

/**
 * `gradmark merge`: joins the --out folders of the shards of one batch into `outDir`, as one
 * run over the whole class would have left it (results/, batch.json, grades.csv). Refuses
 * parts of different batches (assignment, seed, grader version), overlapping parts, a shard
 * missing from the set, and a part that did not finish.
 */
export function mergeBatchParts(partDirs: readonly string[], outDir: string): MergeOutcome {
  if (partDirs.length === 0) throw new UsageError("merge needs the --out folders of the parts");
  const parts = partDirs.map((dir) => {
    try {
      return { dir, manifest: readManifest(resolve(dir)) };
    } catch (error) {
      throw new UsageError(`merge: ${(error as Error).message}`);
    }
  });
  const first = parts[0]!;
  for (const part of parts.slice(1)) {
    if (!sameKey(part.manifest.key, first.manifest.key)) {
      throw new UsageError(
        `merge: ${part.dir} and ${first.dir} are parts of different batches (assignment, seed or grader version differ)`,
      );
    }
  }
  checkShards(parts);
  const results = new Map<string, StoredResult>();
  const roster = new Map<string, RosterEntry>();
  const owner = new Map<string, string>();
  for (const { dir, manifest } of parts) {
    const missing: string[] = [];
    for (const folder of manifest.submissions) {
      const other = owner.get(folder);
      if (other !== undefined)
        throw new UsageError(`merge: ${folder} is in both ${other} and ${dir}`);
      owner.set(folder, dir);
      const stored = readStoredResult(resolve(dir), folder);
      if (stored === null || !sameKey(stored, manifest.key)) missing.push(folder);
      else results.set(folder, stored);
    }
    if (missing.length > 0) {
      throw new UsageError(
        `merge: ${dir} did not finish (${missing.length} submission(s) without a result, e.g. ${missing[0]}); run that part again with --resume`,
      );
    }
    for (const [folder, student] of manifest.roster ?? []) roster.set(folder, student);
  }
  const withRoster = parts.some((p) => p.manifest.roster !== null);
  const manifest: BatchManifest = {
    ...first.manifest,
    shard: null,
    submissions: [...owner.keys()].sort(compareNames),
    roster: withRoster ? [...roster].sort(([a], [b]) => compareNames(a, b)) : null,
  };
  const out = resolve(outDir);
  removeTemporaryFiles(out);
  for (const stored of results.values()) writeStoredResult(out, stored);
  writeManifest(out, manifest);
  const report = buildBatchReport(manifest, results);
  const gradesCsvFile = join(out, "grades.csv");
  writeFileAtomic(gradesCsvFile, formatGradesCsv(report));
  return { report, manifest, gradesCsvFile };
}

function checkShards(parts: { dir: string; manifest: BatchManifest }[]): void {
  const shards = parts.map((p) => p.manifest.shard);
  if (shards.every((s) => s === null)) return;
  if (shards.some((s) => s === null)) {
    throw new UsageError("merge: some parts are shards (--shard) and some are whole batches");
  }
  const count = shards[0]!.count;
  if (shards.some((s) => s!.count !== count)) {
    throw new UsageError(
      `merge: the parts were split in different ways (${shards.map((s) => `${s!.index}/${s!.count}`).join(", ")})`,
    );
  }
  const seen = new Map<number, string>();
  for (const part of parts) {
    const index = part.manifest.shard!.index;
    const other = seen.get(index);
    if (other !== undefined)
      throw new UsageError(`merge: ${other} and ${part.dir} are both shard ${index}/${count}`);
    seen.set(index, part.dir);
  }
  const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (absent.length > 0) {
    throw new UsageError(
      `merge: shard ${absent.map((i) => `${i}/${count}`).join(", ")} missing; give every part`,
    );
  }
}
