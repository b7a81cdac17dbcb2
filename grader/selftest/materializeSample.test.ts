import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
});
