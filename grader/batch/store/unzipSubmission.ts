import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { Inflate } from "fflate";

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

export interface UnzipLimits {
  /** Bytes of the .zip file itself. */
  zipBytes: number;
  /**
   * Bytes of all files once unpacked: checked against the sizes the zip declares before
   * anything is inflated, and counted again as the data inflates, whatever the zip claims.
   * A folder submission's files (node_modules and .git aside) are held to it too.
   */
  unpackedBytes: number;
  /** Bytes of one file once unpacked (declared, then counted); for folder submissions too. */
  fileBytes: number;
  /** Files (directories and skipped links aside); for folder submissions too. */
  files: number;
  /**
   * Highest compression ratio (unpacked / compressed bytes) an entry may declare once it
   * declares more than RATIO_CHECKED_FROM_BYTES: source files compress 3 to 10 times, a zip
   * bomb's zeros about 1000 times.
   */
  maxRatio: number;
}

/** One student's submission: a zip, or a folder (see hashSubmission). */
export const DEFAULT_UNZIP_LIMITS: UnzipLimits = {
  zipBytes: 20 * MIB,
  unpackedBytes: 50 * MIB,
  fileBytes: 50 * MIB,
  files: 5000,
  maxRatio: 200,
};

/**
 * A whole class in one zip (a course platform's export): larger, more files, and no ratio or
 * small per-file limit, so that one student's bomb does not refuse the whole class: it is
 * unpacked (streamed, within `unpackedBytes` of disk), then that student's folder is held to
 * DEFAULT_UNZIP_LIMITS when it is hashed and costs only its own row.
 */
export const CLASS_UNZIP_LIMITS: UnzipLimits = {
  zipBytes: 1 * GIB,
  unpackedBytes: 4 * GIB,
  fileBytes: 4 * GIB,
  files: 200_000,
  maxRatio: Number.POSITIVE_INFINITY,
};

/** Entries declaring fewer unpacked bytes than this are not held to `maxRatio`. */
export const RATIO_CHECKED_FROM_BYTES = 1 * MIB;

/**
 * Compressed bytes handed to the inflater at a time. Deflate expands at most about 1032-fold,
 * so one step yields at most about 8.5 MB, which is checked before it is written and dropped.
 */
export const INFLATE_STEP_BYTES = 8 * KIB;

/** Bytes read at a time from the zip for stored (uncompressed) entries. */
const COPY_STEP_BYTES = 64 * KIB;

/** The end of central directory record is at most this far from the end of the file. */
const EOCD_SEARCH_BYTES = 22 + 0xffff;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;
const FLAG_UTF8 = 0x800;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;

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

/** An entry of the central directory (the zip's own table of contents). */
interface Entry {
  name: string;
  rawName: Buffer;
  /** Where it is written, relative to the unpack folder. */
  path: string;
  kind: "file" | "directory" | "link" | "special";
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Where its data starts, once its local header is read. */
  dataStart: number;
}

/**
 * Unpacks a submission's .zip into `destDir` (which must be empty or missing), safely. Before
 * anything is inflated or written, the central directory is checked: entry paths (zip slip),
 * the number of files, every declared size against the limits, compression ratios, overlapping
 * entries, and each local header against its central directory entry. Data then inflates a
 * few KiB of input at a time, straight to disk, and stops the moment an entry exceeds the size
 * it declared (or the limits); its CRC-32 is checked at the end. Symbolic links, devices and
 * other special entries are skipped: nothing but plain files and folders is created. On a
 * refusal whatever was written is removed. Returns the submission folder: `destDir`, or its
 * single top-level folder when the zip wraps everything in one (as zipping a repository
 * folder does).
 */
export function unzipSubmission(
  zipFile: string,
  destDir: string,
  limits: UnzipLimits = DEFAULT_UNZIP_LIMITS,
): string {
  const fd = openSync(zipFile, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > limits.zipBytes) {
      throw new UnzipError(`the zip is ${size} bytes, over the limit of ${limits.zipBytes}`);
    }
    const files = checkedEntries(fd, size, limits);
    writeEntries(fd, files, destDir, limits);
    return singleTopFolder(
      destDir,
      files.map((entry) => entry.path),
    );
  } finally {
    closeSync(fd);
  }
}

/** The file entries of the zip, every check that needs no inflating done. */
function checkedEntries(fd: number, zipSize: number, limits: UnzipLimits): Entry[] {
  const directory = readCentralDirectory(fd, zipSize);
  const files: Entry[] = [];
  const seen = new Set<string>();
  for (const entry of directory.entries) {
    if (entry.kind !== "file" || entry.path === "") continue;
    if (files.length >= limits.files)
      throw new UnzipError(`the zip has more than ${limits.files} files`);
    if (seen.has(entry.path))
      throw new UnzipError(`entry ${JSON.stringify(entry.name)} appears twice`);
    seen.add(entry.path);
    const name = JSON.stringify(entry.name);
    if (entry.flags & FLAG_ENCRYPTED) throw new UnzipError(`entry ${name} is encrypted`);
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
      throw new UnzipError(
        `entry ${name} uses compression method ${entry.method}; gradmark reads only stored and deflated entries`,
      );
    }
    if (entry.size > limits.fileBytes) {
      throw new UnzipError(
        `entry ${name} declares ${entry.size} bytes, over the limit of ${limits.fileBytes} bytes per file`,
      );
    }
    files.push(entry);
  }
  if (files.length === 0) throw new UnzipError("the zip holds no files");
  const declared = files.reduce((total, entry) => total + entry.size, 0);
  if (declared > limits.unpackedBytes) {
    throw new UnzipError(
      `the zip unpacks to more than ${limits.unpackedBytes} bytes (its entries declare ${declared})`,
    );
  }
  for (const entry of files) {
    const name = JSON.stringify(entry.name);
    if (entry.size > RATIO_CHECKED_FROM_BYTES) {
      const ratio = entry.size / Math.max(1, entry.compressedSize);
      if (ratio > limits.maxRatio) {
        throw new UnzipError(
          `entry ${name} declares a compression ratio of ${Math.round(ratio)} to 1, over the limit of ${limits.maxRatio} to 1`,
        );
      }
    }
    if (entry.method === METHOD_STORED && entry.compressedSize !== entry.size)
      throw new UnzipError(`entry ${name} is corrupt: it is stored, yet its two sizes differ`);
    readLocalHeader(fd, entry, directory.dataEnd);
  }
  // Entries may not share data (a known way to make a small zip unpack to a lot).
  const byOffset = [...files].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const before = byOffset[i - 1]!;
    if (before.dataStart + before.compressedSize > byOffset[i]!.localOffset) {
      throw new UnzipError(`entry ${JSON.stringify(byOffset[i]!.name)} overlaps another entry`);
    }
  }
  return files;
}

/** Checks an entry's local header against the central directory; sets its dataStart. */
function readLocalHeader(fd: number, entry: Entry, dataEnd: number): void {
  const name = JSON.stringify(entry.name);
  const mismatch = () =>
    new UnzipError(`entry ${name}: its local header does not match the central directory`);
  if (entry.localOffset + 30 > dataEnd) throw mismatch();
  const header = readExactly(fd, 30, entry.localOffset);
  if (header.readUInt32LE(0) !== SIG_LOCAL) throw mismatch();
  const flags = header.readUInt16LE(6);
  const nameLength = header.readUInt16LE(26);
  const extraLength = header.readUInt16LE(28);
  if (header.readUInt16LE(8) !== entry.method) throw mismatch();
  if (entry.localOffset + 30 + nameLength > dataEnd) throw mismatch();
  const localName = readExactly(fd, nameLength, entry.localOffset + 30);
  if (!localName.equals(entry.rawName)) throw mismatch();
  if (!(flags & FLAG_DATA_DESCRIPTOR)) {
    const sizes = [
      [header.readUInt32LE(14), entry.crc],
      [header.readUInt32LE(18), entry.compressedSize],
      [header.readUInt32LE(22), entry.size],
    ];
    // 0xffffffff: the real size is in a zip64 extra field; the central directory's is used.
    for (const [local, central] of sizes)
      if (local !== central && local !== 0xffffffff) throw mismatch();
  }
  entry.dataStart = entry.localOffset + 30 + nameLength + extraLength;
  if (entry.dataStart + entry.compressedSize > dataEnd) {
    throw new UnzipError(`entry ${name} is corrupt: its data runs past the end of the zip`);
  }
}

interface CentralDirectory {
  entries: Entry[];
  /** Where entry data must end: the start of the central directory. */
  dataEnd: number;
}

/** Refusals of a zip whose structure cannot be read. */
const unreadable = (why: string) => new UnzipError(`not a readable zip: ${why}`);

/** Where the end of central directory record says the directory is (zip64's values if any). */
interface DirectoryPlace {
  count: number;
  directorySize: number;
  directoryOffset: number;
  /** Where the directory must end: the start of the end record (or of the zip64 one). */
  directoryEnd: number;
}

function readCentralDirectory(fd: number, zipSize: number): CentralDirectory {
  const { count, directorySize, directoryOffset, directoryEnd } = findDirectory(fd, zipSize);
  if (directoryOffset + directorySize > directoryEnd)
    throw unreadable("its central directory is out of place");
  // At least 46 bytes per entry: a count the directory cannot hold is a lie.
  if (count * 46 > directorySize) throw unreadable("its central directory is too short");
  const directory = readExactly(fd, directorySize, directoryOffset);
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const { entry, end } = readDirectoryEntry(directory, p, i);
    entries.push(entry);
    p = end;
  }
  return { entries, dataEnd: directoryOffset };
}

/**
 * The end of central directory record, searched backwards from the end of the file, and the
 * zip64 record it points to when its values are maxed out. A zip spanning disks is refused.
 */
function findDirectory(fd: number, zipSize: number): DirectoryPlace {
  const tailLength = Math.min(zipSize, EOCD_SEARCH_BYTES);
  const tail = readExactly(fd, tailLength, zipSize - tailLength);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable("it has no end of central directory record");
  const eocdAt = zipSize - tailLength + eocd;
  let disk = tail.readUInt16LE(eocd + 4);
  let directoryDisk = tail.readUInt16LE(eocd + 6);
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  let directoryEnd = eocdAt;
  const maxed = directorySize === 0xffffffff || directoryOffset === 0xffffffff;
  // Zip64: the real values are in a record that a locator just before this one points to
  // (exactly 65535 entries may also be just that, without zip64).
  const locator = eocdAt >= 20 ? readExactly(fd, 20, eocdAt - 20) : null;
  const zip64 = locator !== null && locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR;
  if (maxed && !zip64) throw unreadable("its zip64 locator is missing");
  if (zip64 && (maxed || count === 0xffff)) {
    const at = safeNumber(locator.readBigUInt64LE(8), unreadable);
    if (at + 56 > eocdAt - 20) throw unreadable("its zip64 record is out of place");
    const record = readExactly(fd, 56, at);
    if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw unreadable("its zip64 record is missing");
    disk = record.readUInt32LE(16);
    directoryDisk = record.readUInt32LE(20);
    count = safeNumber(record.readBigUInt64LE(32), unreadable);
    directorySize = safeNumber(record.readBigUInt64LE(40), unreadable);
    directoryOffset = safeNumber(record.readBigUInt64LE(48), unreadable);
    directoryEnd = at;
  }
  if (disk !== 0 || directoryDisk !== 0) throw unreadable("it spans several disks");
  return { count, directorySize, directoryOffset, directoryEnd };
}

/**
 * The `i`th entry (0-based) of the central directory, starting at byte `p` of it, with its
 * zip64 sizes and offset when the 32-bit ones are maxed out; `end` is where the next one starts.
 */
function readDirectoryEntry(
  directory: Buffer,
  p: number,
  i: number,
): { entry: Entry; end: number } {
  if (p + 46 > directory.length || directory.readUInt32LE(p) !== SIG_CENTRAL)
    throw unreadable(`its central directory is corrupt at entry ${i + 1}`);
  const madeBy = directory.readUInt16LE(p + 4);
  const flags = directory.readUInt16LE(p + 8);
  const method = directory.readUInt16LE(p + 10);
  const crc = directory.readUInt32LE(p + 16);
  let compressedSize = directory.readUInt32LE(p + 20);
  let size = directory.readUInt32LE(p + 24);
  const nameLength = directory.readUInt16LE(p + 28);
  const extraLength = directory.readUInt16LE(p + 30);
  const commentLength = directory.readUInt16LE(p + 32);
  const external = directory.readUInt32LE(p + 38);
  let localOffset = directory.readUInt32LE(p + 42);
  const end = p + 46 + nameLength + extraLength + commentLength;
  if (end > directory.length)
    throw unreadable(`its central directory is corrupt at entry ${i + 1}`);
  const rawName = directory.subarray(p + 46, p + 46 + nameLength);
  const extra = directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
  if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
    const zip64 = zip64Extra(extra);
    let q = 0;
    const next = () => {
      if (zip64 === null || q + 8 > zip64.length)
        throw unreadable(`entry ${i + 1} lacks its zip64 sizes`);
      const value = safeNumber(zip64.readBigUInt64LE(q), unreadable);
      q += 8;
      return value;
    };
    if (size === 0xffffffff) size = next();
    if (compressedSize === 0xffffffff) compressedSize = next();
    if (localOffset === 0xffffffff) localOffset = next();
  }
  const name = decodeName(rawName, flags);
  const entry: Entry = {
    name,
    rawName: Buffer.from(rawName),
    path: safeEntryPath(name),
    kind: entryKind(name, madeBy, external),
    flags,
    method,
    crc,
    compressedSize,
    size,
    localOffset,
    dataStart: -1,
  };
  return { entry, end };
}

/** A file, a folder, a symbolic link, or another special file (a device, a FIFO...). */
function entryKind(name: string, madeBy: number, external: number): Entry["kind"] {
  if (name.endsWith("/") || name.endsWith("\\")) return "directory";
  // Unix tools keep the file's mode in the high 16 bits; MS-DOS attributes in the low ones.
  const type = (external >>> 16) & S_IFMT;
  if (type === S_IFLNK) return "link";
  if (type === S_IFDIR) return "directory";
  if (type !== 0 && type !== S_IFREG) return "special";
  if (madeBy >> 8 === 0 && external & DOS_DIRECTORY) return "directory";
  return "file";
}

/** The zip64 extended information extra field's data (id 0x0001), or null. */
function zip64Extra(extra: Buffer): Buffer | null {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) return extra.subarray(p + 4, Math.min(extra.length, p + 4 + length));
    p += 4 + length;
  }
  return null;
}

function safeNumber(value: bigint, unreadable: (why: string) => UnzipError): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw unreadable("it declares an impossible size");
  return Number(value);
}

/** UTF-8 when flagged so or when it decodes as such (many tools do not flag it); else Latin-1. */
function decodeName(raw: Buffer, flags: number): string {
  if (flags & FLAG_UTF8) return raw.toString("utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return raw.toString("latin1");
  }
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) throw new UnzipError("not a readable zip: it ends too soon");
    done += read;
  }
  return buffer;
}

/** Writes every file; on any failure removes what was written and throws an UnzipError. */
function writeEntries(fd: number, files: Entry[], destDir: string, limits: UnzipLimits): void {
  const existed = existsSync(destDir);
  const written = new Set<string>();
  const unpacked = { bytes: 0 };
  try {
    mkdirSync(destDir, { recursive: true });
    for (const entry of files) {
      const target = join(destDir, entry.path);
      written.add(entry.path.split("/")[0]!);
      let out: number;
      try {
        mkdirSync(dirname(target), { recursive: true });
        // "wx": never through something already there; O_NOFOLLOW: never through a link.
        out = openSync(
          target,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
          0o644,
        );
      } catch (error) {
        throw new UnzipError(
          `entry ${JSON.stringify(entry.name)} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      try {
        unpackEntry(fd, entry, out, unpacked, limits);
      } finally {
        closeSync(out);
      }
    }
  } catch (error) {
    if (!existed) rmSync(destDir, { recursive: true, force: true });
    else for (const top of written) rmSync(join(destDir, top), { recursive: true, force: true });
    if (error instanceof UnzipError) throw error;
    throw new UnzipError(`the zip cannot be unpacked: ${(error as Error).message}`);
  }
}

/** Streams one entry's data to `out`, checking sizes as it goes and its CRC-32 at the end. */
function unpackEntry(
  fd: number,
  entry: Entry,
  out: number,
  unpacked: { bytes: number },
  limits: UnzipLimits,
): void {
  const name = JSON.stringify(entry.name);
  let size = 0;
  let crc = 0;
  const accept = (chunk: Uint8Array) => {
    size += chunk.length;
    unpacked.bytes += chunk.length;
    if (size > entry.size) {
      throw new UnzipError(
        `entry ${name} inflates to more than the ${entry.size} bytes the zip declares for it`,
      );
    }
    if (unpacked.bytes > limits.unpackedBytes) {
      throw new UnzipError(`the zip unpacks to more than ${limits.unpackedBytes} bytes`);
    }
    crc = crc32(chunk, crc);
    for (let done = 0; done < chunk.length; )
      done += writeSync(out, chunk, done, chunk.length - done);
  };
  const step = entry.method === METHOD_STORED ? COPY_STEP_BYTES : INFLATE_STEP_BYTES;
  const buffer = Buffer.alloc(step);
  const inflater = entry.method === METHOD_DEFLATE ? new Inflate((chunk) => accept(chunk)) : null;
  try {
    let position = entry.dataStart;
    let left = entry.compressedSize;
    do {
      const length = Math.min(step, left);
      let read = 0;
      while (read < length) {
        const got = readSync(fd, buffer, read, length - read, position + read);
        if (got === 0) throw new Error("the zip ends in the middle of it");
        read += got;
      }
      position += length;
      left -= length;
      // fflate copies what it keeps between pushes, so the buffer can be reused.
      if (inflater) inflater.push(buffer.subarray(0, length), left === 0);
      else accept(buffer.subarray(0, length));
    } while (left > 0);
  } catch (error) {
    if (error instanceof UnzipError) throw error;
    throw new UnzipError(`entry ${name} is corrupt: ${(error as Error).message}`);
  }
  if (size !== entry.size) {
    throw new UnzipError(
      `entry ${name} is corrupt: it unpacks to ${size} bytes, not the ${entry.size} the zip declares`,
    );
  }
  if (crc !== entry.crc)
    throw new UnzipError(`entry ${name} is corrupt: its CRC-32 does not match`);
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
