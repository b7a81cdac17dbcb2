import { describe, expect, it } from "vitest";
import { runPool } from "./runPool.js";

describe("runPool", () => {
  it("keeps the items' order and never runs more than `concurrency` calls at once", async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const results = await runPool([5, 1, 4, 2, 3], 2, async (item, index) => {
      running++;
      most = Math.max(most, running);
      // Finish out of order: later items resolve after fewer ticks.
      for (let tick = 0; tick < item; tick++) await Promise.resolve();
      running--;
      order.push(index);
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    expect(order).not.toEqual([0, 1, 2, 3, 4]);
  });

  it("runs serially with concurrency 1, handles no items, and rejects a bad concurrency", async () => {
    const order: number[] = [];
    await runPool([3, 1, 2], 1, async (item) => {
      for (let tick = 0; tick < item; tick++) await Promise.resolve();
      order.push(item);
    });
    expect(order).toEqual([3, 1, 2]);
    expect(await runPool([], 4, async () => 1)).toEqual([]);
    await expect(runPool([1], 0, async () => 1)).rejects.toThrow(
      "runPool: concurrency must be a positive integer, got 0",
    );
  });

  it("rejects when a call throws", async () => {
    await expect(
      runPool([1, 2], 2, async (item) => {
        if (item === 2) throw new Error("boom");
        return item;
      }),
    ).rejects.toThrow("boom");
  });
});
