import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashFile, hashSubmission, SubmissionInputError } from "./hashSubmission.js";
import { DEFAULT_UNZIP_LIMITS } from "./unzipSubmission.js";

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "gradmark-hash-"));
});
afterEach(() => {
  chmodSync(work, 0o700);
  rmSync(work, { recursive: true, force: true });
});

const GB3 = 3 * 1024 * 1024 * 1024;

/** A submission folder at work/sub with these files (relative path -> content). */
function submission(files: Record<string, string | Uint8Array>): string {
  const dir = join(work, "sub");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A sparse file: `bytes` long, taking no disk. */
function sparse(file: string, bytes: number): void {
  writeFileSync(file, "");
  truncateSync(file, bytes);
}

function thrown(run: () => unknown): SubmissionInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SubmissionInputError);
    return error as SubmissionInputError;
  }
  throw new Error("expected a SubmissionInputError");
}

describe("hashSubmission", () => {
  it("reads in fixed-size pieces yet gives the same hash as hashing whole files did", () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    const dir = submission({ "src/layers.ts": "export {};\n", "src/data.bin": big, "b.md": "x" });
    symlinkSync("layers.ts", join(dir, "src", "alias.ts"));
    const expected = createHash("sha256");
    expected.update(`file\0b.md\0${"x".length}\0`).update("x");
    expected.update("link\0src/alias.ts\0layers.ts\0");
    expected.update(`file\0src/data.bin\0${big.length}\0`).update(big);
    expected.update(`file\0src/layers.ts\0${"export {};\n".length}\0`).update("export {};\n");
    expect(hashSubmission(dir)).toBe(expected.digest("hex"));
  });

  it("refuses a 3 GB (sparse) file from its size, before reading any of it", () => {
    const dir = submission({ "src/layers.ts": "export {};\n" });
    sparse(join(dir, "src", "huge.bin"), GB3);
    const error = thrown(() => hashSubmission(dir));
    expect(error.message).toBe(
      "src/huge.bin is 3221225472 bytes, over the limit of 52428800 bytes per file",
    );
    expect(error.retry).toBe(false);
  });

  it("limits the files' total size and their number", () => {
    const dir = submission({ "src/a.ts": "x".repeat(600), "src/b.ts": "y".repeat(600) });
    const limits = { ...DEFAULT_UNZIP_LIMITS, unpackedBytes: 1000 };
    expect(thrown(() => hashSubmission(dir, limits)).message).toBe(
      "the submission's files add up to more than 1000 bytes (the limit) at src/b.ts",
    );
    expect(thrown(() => hashSubmission(dir, { ...DEFAULT_UNZIP_LIMITS, files: 1 })).message).toBe(
      "the submission has more than 1 files",
    );
  });

  it("never follows a symbolic link: a link to a 3 GB file or to /dev/zero is its target text", () => {
    sparse(join(work, "outside.bin"), GB3);
    const dir = submission({ "src/layers.ts": "export {};\n" });
    symlinkSync(join(work, "outside.bin"), join(dir, "src", "big.bin"));
    symlinkSync("/dev/zero", join(dir, "src", "zero.bin"));
    symlinkSync(work, join(dir, "src", "up"));
    expect(hashSubmission(dir)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.skipIf(process.getuid?.() === 0)("names a file it cannot read", () => {
    const dir = submission({ "src/layers.ts": "export {};\n", "src/secret.ts": "1" });
    chmodSync(join(dir, "src", "secret.ts"), 0);
    const error = thrown(() => hashSubmission(dir));
    expect(error.message).toBe("cannot read src/secret.ts (EACCES)");
    expect(error.retry).toBe(true);
  });
});

describe("hashFile", () => {
  it("hashes a file in fixed-size pieces", () => {
    const bytes = new Uint8Array(200_000).map((_, i) => i % 256);
    writeFileSync(join(work, "a.zip"), bytes);
    expect(hashFile(join(work, "a.zip"))).toBe(createHash("sha256").update(bytes).digest("hex"));
  });
});
