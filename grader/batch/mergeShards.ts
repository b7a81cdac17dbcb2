import { resolve } from "node:path";
import type { CliIO } from "../common/io.js";
import { type BatchReportStatus, reportBatch } from "./report/reportBatch.js";
import { readManifest } from "./store/batchManifest.js";
import { readPreviousRows } from "./tables/compareGrades.js";
import { checkExportRoster, type GradebookExport, writeExports } from "./tables/exports/index.js";
import { type MergeOutcome, mergeBatchParts } from "./tables/mergeBatchParts.js";
import type { RosterEntry } from "./tables/readRoster.js";

export interface MergeShardsOptions {
  /** The --out folders of the shards (`batch` with `shard` i/n). */
  parts: readonly string[];
  /** The merged results folder; shown as given. */
  outDir: string;
  /** Gradebook imports to write into `outDir`; refused before the merge when a part has no roster for them. */
  exports?: readonly GradebookExport[];
  /** Also write the self-contained HTML report to this file. */
  html?: string;
  /** An earlier grades.csv or results folder: list every student whose grade changed. */
  compare?: string;
}

export interface MergeShardsResult extends BatchReportStatus {
  merged: MergeOutcome;
}

/**
 * `gradmark merge`: one class's results folder from the --out folders of its shards
 * (mergeBatchParts: the same grades.csv as one run over the whole class), then what `batch`
 * prints and writes (reportBatch, the exports). Paths are relative to `io.cwd`.
 */
export function mergeShards(
  options: MergeShardsOptions,
  io: Pick<CliIO, "stdout" | "cwd">,
): MergeShardsResult {
  // Read before the merge writes anything: it may be the merged folder itself.
  const previous =
    options.compare === undefined
      ? undefined
      : { name: options.compare, rows: readPreviousRows(resolve(io.cwd, options.compare)) };
  const parts = options.parts.map((part) => resolve(io.cwd, part));
  const exports = options.exports ?? [];
  const roster = exports.length > 0 ? rosterOfParts(parts) : undefined;
  if (roster !== undefined) checkExportRoster(exports, roster);
  const outDir = resolve(io.cwd, options.outDir);
  const merged = mergeBatchParts(parts, outDir);
  io.stdout(
    `merged ${parts.length} part(s): ${merged.manifest.submissions.length} submission(s)\n`,
  );
  const status = reportBatch(
    merged.report,
    merged.gradesCsvFile,
    { html: options.html, compare: previous },
    io,
  );
  const exported = writeExports(
    exports,
    merged.report,
    merged.manifest.roster,
    outDir,
    options.outDir,
  );
  for (const line of exported) io.stdout(`${line}\n`);
  return { merged, ...status };
}

/**
 * The roster entries the parts were graded with (null when one had no roster), read before the
 * merge so that an export the roster cannot feed is refused before anything is written;
 * undefined when a part cannot be read, which mergeBatchParts then reports.
 */
function rosterOfParts(parts: readonly string[]): RosterEntry[] | null | undefined {
  const entries: RosterEntry[] = [];
  for (const part of parts) {
    let roster: [string, RosterEntry][] | null;
    try {
      roster = readManifest(part).roster;
    } catch {
      return undefined;
    }
    if (roster === null) return null;
    entries.push(...roster.map(([, entry]) => entry));
  }
  return entries;
}
