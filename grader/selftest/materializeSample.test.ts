import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readExpectedOutcome } from "./expectedOutcome.js";
import { materializeSample } from "./materializeSample.js";

describe("materializeSample", () => {
  it("lays a sample's own files over the staff solution and removes what it lists", () => {
    const dir = "fixtures/submissions/broken-syntax-einsum";
    const sample = materializeSample(dir, readExpectedOutcome(dir));
    try {
      const src = join(sample.dir, "src");
      expect(readFileSync(join(src, "einsum.ts"), "utf8")).toBe(
        readFileSync(join(dir, "src", "einsum.ts"), "utf8"),
      );
      expect(readFileSync(join(src, "layers.ts"), "utf8")).toBe(
        readFileSync("reference/solution/layers.ts", "utf8"),
      );
      expect(existsSync(join(src, "layers.test.ts"))).toBe(false);
    } finally {
      sample.cleanup();
    }
    expect(existsSync(sample.dir)).toBe(false);
    const missing = "fixtures/submissions/broken-missing-training";
    const gone = materializeSample(missing, readExpectedOutcome(missing));
    expect(existsSync(join(gone.dir, "src", "training.ts"))).toBe(false);
    expect(existsSync(join(gone.dir, "src", "autograd.ts"))).toBe(true);
    gone.cleanup();
  });

  it("builds a partial submission from the starter and the solved modules", () => {
    const dir = "fixtures/submissions/partial-1-2";
    const sample = materializeSample(dir, readExpectedOutcome(dir));
    const src = join(sample.dir, "src");
    expect(readFileSync(join(src, "contractions.ts"), "utf8")).toBe(
      readFileSync("reference/solution/contractions.ts", "utf8"),
    );
    expect(readFileSync(join(src, "layers.ts"), "utf8")).toBe(
      readFileSync("fixtures/starter/src/layers.ts", "utf8"),
    );
    sample.cleanup();
  });

  it("lays a sample's symbolic links out as links to the same targets", () => {
    const dir = "fixtures/submissions/hostile-symlinks";
    const sample = materializeSample(dir, readExpectedOutcome(dir));
    try {
      const layers = join(sample.dir, "src", "layers.ts");
      expect(lstatSync(layers).isSymbolicLink()).toBe(true);
      // Made absolute, so it points where it did from the sample's folder.
      expect(readlinkSync(layers)).toBe(resolve("reference/solution/layers.ts"));
    } finally {
      sample.cleanup();
    }
    const imports = "fixtures/submissions/hostile-symlink-imports";
    const over = materializeSample(imports, readExpectedOutcome(imports));
    try {
      const staff = join(over.dir, "src", "staff");
      expect(lstatSync(staff).isSymbolicLink()).toBe(true);
      expect(realpathSync(staff)).toBe(realpathSync("reference/solution"));
      expect(readlinkSync(join(over.dir, "src", "accounts.ts"))).toBe("/etc/passwd");
      expect(lstatSync(join(over.dir, "src", "training.ts")).isFile()).toBe(true);
    } finally {
      over.cleanup();
    }
  });
});
