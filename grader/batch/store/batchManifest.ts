import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Assignment } from "../../authoring/types.js";
import type { RosterEntry } from "../tables/readRoster.js";
import type { BatchProblem } from "../types.js";
import { type BatchKey, writeFileAtomic } from "./resultStore.js";
import type { Shard } from "./shard.js";

export const MANIFEST_VERSION = 1;

/**
 * `<out>/batch.json`: what a batch (or one shard of it) set out to grade, written before the
 * first grading. `merge` reads it to know which results belong to the part and to check that
 * the parts agree; it holds the roster so missing students come out the same in every part.
 */
export interface BatchManifest {
  manifestVersion: typeof MANIFEST_VERSION;
  key: BatchKey;
  assignment: { id: string; title: string };
  problems: BatchProblem[];
  maxScore: number;
  shard: Shard | null;
  /** Folders of this part's submissions, sorted. */
  submissions: string[];
  /** Roster lines that fall in this part, [folder, student], sorted by folder; null without a roster. */
  roster: [string, RosterEntry][] | null;
}

export function batchProblems(assignment: Assignment): BatchProblem[] {
  return assignment.problems.map((problem) => ({
    id: problem.id,
    title: problem.title,
    maxScore: problem.checks.reduce((total, check) => total + check.points, 0),
    checks: problem.checks.map((check) => ({ id: check.id, title: check.title })),
  }));
}

export function manifestFile(outDir: string): string {
  return join(outDir, "batch.json");
}

export function writeManifest(outDir: string, manifest: BatchManifest): void {
  writeFileAtomic(manifestFile(outDir), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of an output folder; a clear error when it is not one gradmark wrote. */
export function readManifest(outDir: string): BatchManifest {
  const file = manifestFile(outDir);
  if (!existsSync(file))
    throw new Error(`${outDir} has no batch.json: it is not the --out folder of a gradmark batch`);
  let value: BatchManifest;
  try {
    value = JSON.parse(readFileSync(file, "utf8")) as BatchManifest;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (
    value?.manifestVersion !== MANIFEST_VERSION ||
    !Array.isArray(value.submissions) ||
    !Array.isArray(value.problems)
  ) {
    throw new Error(
      `${file} was written by another version of gradmark (manifestVersion ${String(value?.manifestVersion)})`,
    );
  }
  return value;
}
