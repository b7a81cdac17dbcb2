import { createHash } from "node:crypto";
import { UsageError } from "../../common/UsageError.js";

/** One part of a deterministic split of a class: part `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** `--shard i/n` (1 <= i <= n), as CI matrices, Slurm arrays and indexed jobs number parts. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match)
    throw new UsageError(
      `--shard must look like i/n (for example 2/3), got ${JSON.stringify(text)}`,
    );
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > 10_000)
    throw new UsageError(`--shard ${text}: n must be between 1 and 10000`);
  if (index < 1 || index > count)
    throw new UsageError(`--shard ${text}: i must be between 1 and ${count}`);
  return { index, count };
}

/**
 * Whether a submission belongs to a shard. Decided by a hash of its folder name alone, so a
 * submission stays in the same part when others are added or removed, and every machine of a
 * matrix agrees without talking to the others.
 */
export function inShard(folder: string, shard: Shard): boolean {
  const digest = createHash("sha256").update(folder, "utf8").digest();
  return (digest.readUInt32BE(0) % shard.count) + 1 === shard.index;
}
