import { createHash, type Hash } from "node:crypto";
import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import { DEFAULT_UNZIP_LIMITS, type UnzipLimits } from "./unzipSubmission.js";

/** Folders that are not the student's work and may differ between copies of it. */
const SKIPPED = new Set(["node_modules", ".git"]);

/** Bytes read at a time when hashing: a file of any size costs this much memory. */
export const HASH_READ_BYTES = 64 * 1024;

/** What a folder submission is held to: the same limits as an unpacked zip. */
export type FolderLimits = Pick<UnzipLimits, "fileBytes" | "unpackedBytes" | "files">;

/**
 * Why a submission's files could not be hashed: over a limit (`retry` false: the same files
 * fail the same way) or unreadable (`retry` true: a fixed permission may help). The batch
 * records the submission as an error with this message and grades the others.
 */
export class SubmissionInputError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/**
 * A sha256 over a submission's files (relative paths and contents, in a fixed order), so a
 * regrade can tell an unchanged submission from a changed one. Symbolic links count by their
 * target text and are never followed; FIFOs, sockets and devices are left out. The limits are
 * checked from sizes (lstat) before any file is read, so a huge file costs nothing; files are
 * then read in HASH_READ_BYTES pieces.
 */
export function hashSubmission(dir: string, limits: FolderLimits = DEFAULT_UNZIP_LIMITS): string {
  const items: { path: string; link: string | null; size: number }[] = [];
  let total = 0;
  const walk = (relative: string) => {
    const entries = io(relative || "the folder", () => readdirSync(join(dir, relative))).sort();
    for (const name of entries) {
      if (SKIPPED.has(name)) continue;
      const path = relative === "" ? name : `${relative}/${name}`;
      const full = join(dir, path);
      const stat = io(path, () => lstatSync(full));
      if (stat.isDirectory()) {
        walk(path);
        continue;
      }
      if (!stat.isSymbolicLink() && !stat.isFile()) continue;
      if (items.length >= limits.files)
        throw new SubmissionInputError(`the submission has more than ${limits.files} files`, false);
      if (stat.isSymbolicLink()) {
        items.push({ path, link: io(path, () => readlinkSync(full)), size: 0 });
        continue;
      }
      if (stat.size > limits.fileBytes) {
        throw new SubmissionInputError(
          `${path} is ${stat.size} bytes, over the limit of ${limits.fileBytes} bytes per file`,
          false,
        );
      }
      total += stat.size;
      if (total > limits.unpackedBytes) {
        throw new SubmissionInputError(
          `the submission's files add up to more than ${limits.unpackedBytes} bytes (the limit) at ${path}`,
          false,
        );
      }
      items.push({ path, link: null, size: stat.size });
    }
  };
  walk("");
  const hash = createHash("sha256");
  for (const item of items) {
    if (item.link !== null) hash.update(`link\0${item.path}\0${item.link}\0`);
    else {
      hash.update(`file\0${item.path}\0${item.size}\0`);
      const read = hashInto(hash, join(dir, item.path), item.path, item.size);
      if (read !== item.size) {
        throw new SubmissionInputError(`${item.path} changed while it was being read`, true);
      }
    }
  }
  return hash.digest("hex");
}

/** The sha256 of a file (a submission's .zip), read in HASH_READ_BYTES pieces. */
export function hashFile(file: string, name = file): string {
  const hash = createHash("sha256");
  hashInto(hash, file, name, Number.POSITIVE_INFINITY);
  return hash.digest("hex");
}

/**
 * Feeds a file to `hash` piece by piece, never through a symbolic link, reading at most
 * `expected` + 1 bytes (so a file that grew is noticed without reading all of it). Returns the
 * bytes read.
 */
function hashInto(hash: Hash, file: string, name: string, expected: number): number {
  const fd = io(name, () => openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)));
  try {
    const buffer = Buffer.alloc(HASH_READ_BYTES);
    let total = 0;
    for (;;) {
      const read = io(name, () => readSync(fd, buffer, 0, buffer.length, null));
      if (read === 0) return total;
      hash.update(buffer.subarray(0, read));
      total += read;
      if (total > expected) return total;
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs a file-system call; a failure becomes a one-line error naming the file. */
function io<T>(name: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SubmissionInputError(`cannot read ${name} (${code})`, true);
  }
}
