import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Unzip, UnzipInflate } from "fflate";

export interface UnzipLimits {
  /** Bytes of the .zip file itself. */
  zipBytes: number;
  /** Bytes of all files once unpacked (counted as they inflate, whatever the headers claim). */
  unpackedBytes: number;
  files: number;
}

export const DEFAULT_UNZIP_LIMITS: UnzipLimits = {
  zipBytes: 20 * 1024 * 1024,
  unpackedBytes: 50 * 1024 * 1024,
  files: 5000,
};

/** A whole class in one zip (a course platform's export): larger, more files. */
export const CLASS_UNZIP_LIMITS: UnzipLimits = {
  zipBytes: 1024 * 1024 * 1024,
  unpackedBytes: 4 * 1024 * 1024 * 1024,
  files: 200_000,
};

/** Why a zip was refused; the batch records the submission as an error with this message. */
export class UnzipError extends Error {}

/**
 * The path an entry may be written to, relative to the unpack folder, or an error naming the
 * entry: no absolute paths, drive letters, `..` segments or NUL bytes (zip slip). Backslashes
 * count as separators, as Windows tools write them.
 */
export function safeEntryPath(name: string): string {
  if (name.includes("\0"))
    throw new UnzipError(`entry ${JSON.stringify(name)} has a NUL byte in its name`);
  const normalised = name.replace(/\\/g, "/");
  if (normalised.startsWith("/") || /^[A-Za-z]:/.test(normalised)) {
    throw new UnzipError(`entry ${JSON.stringify(name)} has an absolute path`);
  }
  const parts = normalised.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes(".."))
    throw new UnzipError(`entry ${JSON.stringify(name)} climbs out of the folder with ..`);
  return parts.join("/");
}

/**
 * Unpacks a submission's .zip into `destDir` (which must be empty or missing), safely: entry
 * paths are checked before anything is written, sizes are counted while inflating so a zip
 * bomb stops at the limit, symbolic links arrive as plain files. Returns the submission
 * folder: `destDir`, or its single top-level folder when the zip wraps everything in one
 * (as zipping a repository folder does).
 */
export function unzipSubmission(
  zipFile: string,
  destDir: string,
  limits: UnzipLimits = DEFAULT_UNZIP_LIMITS,
): string {
  const size = statSync(zipFile).size;
  if (size > limits.zipBytes) {
    throw new UnzipError(`the zip is ${size} bytes, over the limit of ${limits.zipBytes}`);
  }
  const files = new Map<string, Uint8Array[]>();
  let unpacked = 0;
  const unzip = new Unzip((entry) => {
    const path = safeEntryPath(entry.name);
    if (entry.name.endsWith("/") || path === "") return;
    if (files.size >= limits.files) {
      throw new UnzipError(`the zip has more than ${limits.files} files`);
    }
    if (files.has(path)) throw new UnzipError(`entry ${JSON.stringify(entry.name)} appears twice`);
    const chunks: Uint8Array[] = [];
    files.set(path, chunks);
    entry.ondata = (error, chunk) => {
      if (error)
        throw new UnzipError(`entry ${JSON.stringify(entry.name)} is corrupt: ${error.message}`);
      unpacked += chunk.length;
      if (unpacked > limits.unpackedBytes) {
        throw new UnzipError(`the zip unpacks to more than ${limits.unpackedBytes} bytes`);
      }
      chunks.push(chunk);
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  try {
    unzip.push(new Uint8Array(readFileSync(zipFile)), true);
  } catch (error) {
    if (error instanceof UnzipError) throw error;
    throw new UnzipError(`not a readable zip: ${(error as Error).message}`);
  }
  if (files.size === 0) throw new UnzipError("the zip holds no files");
  mkdirSync(destDir, { recursive: true });
  for (const [path, chunks] of files) {
    const target = join(destDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.concat(chunks));
  }
  return singleTopFolder(destDir, [...files.keys()]);
}

/** macOS adds __MACOSX/ and .DS_Store to zips; they never make a submission. */
function isJunk(path: string): boolean {
  return path.startsWith("__MACOSX/") || path.split("/").some((part) => part === ".DS_Store");
}

function singleTopFolder(destDir: string, paths: string[]): string {
  const kept = paths.filter((path) => !isJunk(path));
  const tops = new Set(kept.map((path) => path.split("/")[0]!));
  const nested = kept.every((path) => path.includes("/"));
  const top = [...tops][0];
  if (tops.size !== 1 || !nested || top === "src") return destDir;
  return join(destDir, top!);
}
