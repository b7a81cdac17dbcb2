import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inShard, parseShard } from "./shard.js";

describe("parseShard", () => {
  it("reads i/n", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
  });

  it.each([
    ["0/3", "i must be between 1 and 3"],
    ["4/3", "i must be between 1 and 3"],
    ["1/0", "n must be between 1 and 10000"],
    ["a/b", "must look like i/n"],
    ["2", "must look like i/n"],
    ["-1/3", "must look like i/n"],
  ])("rejects %s", (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe("inShard", () => {
  it("puts every folder in exactly one part", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 12 }), (folder, count) => {
        const parts = Array.from({ length: count }, (_, i) => i + 1).filter((index) =>
          inShard(folder, { index, count }),
        );
        expect(parts).toHaveLength(1);
      }),
      { seed: 7 },
    );
  });

  it("spreads a class over the parts", () => {
    const folders = Array.from({ length: 300 }, (_, i) => `student-${i}`);
    for (let index = 1; index <= 3; index++) {
      const size = folders.filter((f) => inShard(f, { index, count: 3 })).length;
      expect(size).toBeGreaterThan(70);
      expect(size).toBeLessThan(130);
    }
  });
});
