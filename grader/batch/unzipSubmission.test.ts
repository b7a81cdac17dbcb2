import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_UNZIP_LIMITS, safeEntryPath, unzipSubmission } from "./unzipSubmission.js";

const text = (s: string) => new TextEncoder().encode(s);
let work: string;

function zipFile(files: Record<string, Uint8Array>): string {
  work = mkdtempSync(join(tmpdir(), "gradmark-unzip-"));
  const file = join(work, "sub.zip");
  writeFileSync(file, zipSync(files));
  return file;
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

  it("stops a zip bomb at the unpacked size limit, while inflating", () => {
    const zip = zipFile({ "src/big.ts": new Uint8Array(5_000_000) });
    const limits = { ...DEFAULT_UNZIP_LIMITS, unpackedBytes: 1_000_000 };
    expect(() => unzipSubmission(zip, join(work, "out"), limits)).toThrow(
      "unpacks to more than 1000000 bytes",
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

  it("says so when the file is not a zip at all", () => {
    work = mkdtempSync(join(tmpdir(), "gradmark-unzip-"));
    const file = join(work, "sub.zip");
    writeFileSync(file, "this is not a zip");
    expect(() => unzipSubmission(file, join(work, "out"))).toThrow(
      /holds no files|not a readable zip/,
    );
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
