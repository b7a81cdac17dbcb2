import { describe, expect, it } from "vitest";
import { LruCache } from "./LruCache.js";

describe("LruCache", () => {
  it("keeps at most its capacity, forgetting the least recently used entry", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // "b" is now the least recently used
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    cache.set("c", 4); // replacing an entry does not evict another
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(4);
  });
});
