import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { peakRssDuring } from "../pool/peakRss.js";
import {
  DEFAULT_UNZIP_LIMITS,
  safeEntryPath,
  UnzipError,
  unzipSubmission,
} from "./unzipSubmission.js";
import { zeroBombZip } from "./zipBombs.js";

const text = (s: string) => new TextEncoder().encode(s);
let work: string;

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

function zipFile(files: Parameters<typeof zipSync>[0]): string {
  return writeZip(zipSync(files));
}

function writeZip(bytes: Uint8Array): string {
  work = mkdtempSync(join(tmpdir(), "gradmark-unzip-"));
  const file = join(work, "sub.zip");
  writeFileSync(file, bytes);
  return file;
}

/** Unzips into work/out, expecting a refusal; returns its message and the peak RSS meanwhile. */
async function refusal(zip: string, label: string) {
  const { error, peakRssBytes } = await peakRssDuring(() =>
    unzipSubmission(zip, join(work, "out")),
  );
  console.log(`${label}: peak RSS ${(peakRssBytes / MIB).toFixed(0)} MiB while unzipping`);
  expect(error).toBeInstanceOf(UnzipError);
  // Nothing is left behind, even when the refusal came half-way through inflating.
  expect(existsSync(join(work, "out"))).toBe(false);
  return { message: (error as Error).message, peakRssBytes };
}

afterEach(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("unzipSubmission", () => {
  it("unpacks a submission and finds src/ under a single wrapping folder", () => {
    const zip = zipFile({
      "alice-repo/src/layers.ts": text("export const x = 1;\n"),
      "alice-repo/README.md": text("hi"),
      "__MACOSX/alice-repo/._README.md": text("junk"),
    });
    const dir = unzipSubmission(zip, join(work, "out"));
    expect(dir).toBe(join(work, "out", "alice-repo"));
    expect(readFileSync(join(dir, "src", "layers.ts"), "utf8")).toBe("export const x = 1;\n");
  });

  it("keeps the unpack folder itself when src/ is at the top", () => {
    const zip = zipFile({ "src/layers.ts": text("1") });
    expect(unzipSubmission(zip, join(work, "out"))).toBe(join(work, "out"));
  });

  it.each([
    ["../evil.ts", "climbs out of the folder with .."],
    ["src/../../evil.ts", "climbs out of the folder with .."],
    ["/etc/evil", "has an absolute path"],
    ["C:/evil", "has an absolute path"],
    ["..\\evil.ts", "climbs out of the folder with .."],
  ])("refuses the entry %j and writes nothing", (name, message) => {
    const zip = zipFile({ "src/ok.ts": text("1"), [name]: text("evil") });
    expect(() => unzipSubmission(zip, join(work, "out"))).toThrow(message);
    expect(existsSync(join(work, "out"))).toBe(false);
    expect(existsSync(join(work, "evil.ts"))).toBe(false);
  });

  it("refuses a zip whose entries declare more than the unpacked size limit", () => {
    const zip = zipFile({ "src/big.ts": new Uint8Array(5_000_000) });
    const limits = { ...DEFAULT_UNZIP_LIMITS, unpackedBytes: 1_000_000 };
    expect(() => unzipSubmission(zip, join(work, "out"), limits)).toThrow(
      "the zip unpacks to more than 1000000 bytes (its entries declare 5000000)",
    );
  });

  it("limits the number of files and the zip's own size", () => {
    const many = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`src/f${i}.ts`, text("1")]),
    );
    const zip = zipFile(many);
    expect(() =>
      unzipSubmission(zip, join(work, "out"), { ...DEFAULT_UNZIP_LIMITS, files: 10 }),
    ).toThrow("more than 10 files");
    expect(() =>
      unzipSubmission(zip, join(work, "out2"), { ...DEFAULT_UNZIP_LIMITS, zipBytes: 100 }),
    ).toThrow("over the limit of 100");
  });

  it("writes a symbolic link entry neither as a link nor as a file", () => {
    const link = { os: 3, attrs: (0o120777 << 16) >>> 0 };
    const zip = zipFile({
      "src/layers.ts": text("export const x = 1;\n"),
      "src/passwd.ts": [text("/etc/passwd"), link],
      "src/up": [text("../../.."), link],
    });
    const dir = unzipSubmission(zip, join(work, "out"));
    expect(readdirSync(join(dir, "src"))).toEqual(["layers.ts"]);
    expect(() => lstatSync(join(dir, "src", "passwd.ts"))).toThrow();
  });

  it("refuses corrupt data and leaves nothing behind", () => {
    const source = text("export function f(x: number): number { return x * 2; }\n".repeat(50));
    const bytes = zipSync({ "src/layers.ts": source });
    // The deflate data starts after the 30-byte local header and the name.
    for (let i = 30 + "src/layers.ts".length + 4; i < 30 + 13 + 24; i++) bytes[i] ^= 0x5a;
    const zip = writeZip(bytes);
    expect(() => unzipSubmission(zip, join(work, "out"))).toThrow(
      /^entry "src\/layers\.ts" (is corrupt|inflates to more than)/,
    );
    expect(existsSync(join(work, "out"))).toBe(false);
  });

  it("refuses an entry whose local header names another file than the central directory", () => {
    const bytes = zipSync({ "src/ok.ts": text("1") });
    bytes.set(text("src/ok.js"), 30); // the local header's copy of the name
    const zip = writeZip(bytes);
    expect(() => unzipSubmission(zip, join(work, "out"))).toThrow(
      'entry "src/ok.ts": its local header does not match the central directory',
    );
  });

  it("says so when the file is not a zip at all", () => {
    work = mkdtempSync(join(tmpdir(), "gradmark-unzip-"));
    const file = join(work, "sub.zip");
    writeFileSync(file, "this is not a zip");
    expect(() => unzipSubmission(file, join(work, "out"))).toThrow(
      /holds no files|not a readable zip/,
    );
  });
});

describe("unzipSubmission against zip bombs (built at test time, about 1 MB each)", () => {
  it("refuses an entry declaring 1 GiB before inflating any of it", async () => {
    const zip = writeZip(zeroBombZip({ unpackedBytes: GIB }));
    expect(statSync(zip).size).toBeLessThan(2 * MIB);
    const { message, peakRssBytes } = await refusal(zip, "1 GiB bomb, honest sizes");
    expect(message).toBe(
      'entry "src/bomb.ts" declares 1073741824 bytes, over the limit of 52428800 bytes per file',
    );
    expect(peakRssBytes).toBeLessThan(GIB);
  }, 60_000);

  it("stops an entry that inflates past the size it declares, after one small chunk", async () => {
    const zip = writeZip(zeroBombZip({ unpackedBytes: GIB, declaredBytes: 1000 }));
    const { message, peakRssBytes } = await refusal(zip, "1 GiB bomb declaring 1000 bytes");
    expect(message).toBe(
      'entry "src/bomb.ts" inflates to more than the 1000 bytes the zip declares for it',
    );
    expect(peakRssBytes).toBeLessThan(GIB);
  }, 60_000);

  it("stops a liar declaring a size under the limits, with memory bounded while streaming", async () => {
    const zip = writeZip(
      zeroBombZip({
        unpackedBytes: GIB,
        declaredBytes: 40 * MIB,
        others: { "src/layers.ts": text("export const x = 1;\n") },
      }),
    );
    const { message, peakRssBytes } = await refusal(zip, "1 GiB bomb declaring 40 MiB");
    expect(message).toBe(
      'entry "src/bomb.ts" inflates to more than the 41943040 bytes the zip declares for it',
    );
    expect(peakRssBytes).toBeLessThan(GIB);
  }, 60_000);

  it("refuses a compression ratio no source file has, from the central directory", async () => {
    const zip = writeZip(zeroBombZip({ unpackedBytes: 8 * MIB }));
    const { message } = await refusal(zip, "8 MiB of zeros, honest sizes");
    expect(message).toMatch(
      /^entry "src\/bomb\.ts" declares a compression ratio of \d+ to 1, over the limit of 200 to 1$/,
    );
  });

  it("limits the size of one file", () => {
    const zip = zipFile({ "src/a.ts": new Uint8Array(3000), "src/b.ts": text("1") });
    expect(() =>
      unzipSubmission(zip, join(work, "out"), { ...DEFAULT_UNZIP_LIMITS, fileBytes: 2000 }),
    ).toThrow('entry "src/a.ts" declares 3000 bytes, over the limit of 2000 bytes per file');
  });
});

describe("safeEntryPath", () => {
  it("normalises separators and drops empty and . segments", () => {
    expect(safeEntryPath("a\\b/./c//d.ts")).toBe("a/b/c/d.ts");
  });
  it("refuses NUL bytes", () => {
    expect(() => safeEntryPath("a\0b")).toThrow("NUL byte");
  });
});
