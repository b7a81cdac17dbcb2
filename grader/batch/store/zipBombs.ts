/**
 * Hostile zips for tests, built at test time (no binary is committed): a "zero bomb" whose one
 * entry inflates to many MiB of zeros from about 1 KiB of deflate per MiB. The deflate stream
 * is one segment repeated (zlib with a full flush resets its state, so every MiB of zeros
 * compresses to the same bytes), which builds 1 GiB in a fraction of a second instead of
 * deflating 1 GiB; the zip around it is fflate's streaming `Zip`. Nothing here holds more
 * than one MiB of inflated data at a time.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";
import { Zip, type ZipInputFile } from "fflate";

const MIB = 1024 * 1024;

export interface ZeroBomb {
  /** Entry name; default "src/bomb.ts". */
  name?: string;
  /** What the entry really inflates to; a whole number of MiB. */
  unpackedBytes: number;
  /** The uncompressed size the zip declares (a liar declares less); default the real one. */
  declaredBytes?: number;
  /** More (small, honest) entries to put before the bomb. */
  others?: Record<string, Uint8Array>;
}

/** The bytes of a zip holding a zero bomb. */
export function zeroBombZip(bomb: ZeroBomb): Uint8Array {
  if (bomb.unpackedBytes % MIB !== 0) throw new Error("zeroBombZip: a whole number of MiB");
  const mebibytes = bomb.unpackedBytes / MIB;
  const zeros = new Uint8Array(MIB);
  const segment = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const finalBlock = deflateRawSync(new Uint8Array(0)); // an empty final block: 03 00
  let crc = 0;
  for (let i = 0; i < mebibytes; i++) crc = crc32(zeros, crc);

  const out: Uint8Array[] = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    out.push(data);
  });
  const mtime = new Date("2024-01-01T00:00:00Z");
  for (const [filename, data] of Object.entries(bomb.others ?? {})) {
    addRaw(zip, { filename, size: data.length, crc: crc32(data), compression: 0, mtime }, [
      new Uint8Array(data),
    ]);
  }
  const piece = new Uint8Array(segment);
  const chunks = Array.from({ length: mebibytes }, () => piece);
  chunks.push(finalBlock);
  addRaw(
    zip,
    {
      filename: bomb.name ?? "src/bomb.ts",
      size: bomb.declaredBytes ?? bomb.unpackedBytes,
      crc,
      compression: 8,
      mtime,
    },
    chunks,
  );
  zip.end();
  const total = out.reduce((sum, chunk) => sum + chunk.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of out) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Adds an entry whose data is already in its final (stored or deflated) form. */
function addRaw(
  zip: Zip,
  entry: Pick<ZipInputFile, "filename" | "size" | "crc" | "compression" | "mtime">,
  chunks: Uint8Array<ArrayBuffer>[],
): void {
  const file: ZipInputFile = { ...entry };
  zip.add(file);
  chunks.forEach((chunk, i) => {
    file.ondata!(null, chunk, i === chunks.length - 1);
  });
}
