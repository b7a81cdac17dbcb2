import { describe, expect, it } from "vitest";
import { threeClassDataset } from "./threeClassDataset.js";

describe("threeClassDataset", () => {
  it("has the documented shapes and one-hot, balanced labels", () => {
    const d = threeClassDataset({ seed: 3, trainSize: 31, testSize: 12, features: 5 });
    expect(d.trainX.shape).toEqual([31, 5]);
    expect(d.trainY.shape).toEqual([31, 3]);
    expect(d.testX.shape).toEqual([12, 5]);
    expect(d.testY.shape).toEqual([12, 3]);
    const counts = [0, 0, 0];
    for (let b = 0; b < 31; b++) {
      const row = Array.from(d.trainY.data.slice(b * 3, b * 3 + 3));
      expect(row.filter((v) => v === 1)).toHaveLength(1);
      expect(row.filter((v) => v === 0)).toHaveLength(2);
      counts[row.indexOf(1)]!++;
    }
    expect(counts).toEqual([11, 10, 10]);
    expect(d.trainX.data.every(Number.isFinite)).toBe(true);
  });

  it("is deterministic: the same seed gives the same data, another seed other data", () => {
    const a = threeClassDataset({ seed: 11 });
    const b = threeClassDataset({ seed: 11 });
    const c = threeClassDataset({ seed: 12 });
    expect(Array.from(a.trainX.data)).toEqual(Array.from(b.trainX.data));
    expect(Array.from(a.testY.data)).toEqual(Array.from(b.testY.data));
    expect(Array.from(a.trainX.data)).not.toEqual(Array.from(c.trainX.data));
  });

  it("keeps the held-out set independent of the training set's size", () => {
    const a = threeClassDataset({ seed: 5 });
    const b = threeClassDataset({ seed: 5, trainSize: 17 });
    expect(Array.from(b.testX.data)).toEqual(Array.from(a.testX.data));
  });

  it("gives the golden first values for seed 7 (same numbers on every machine)", () => {
    const d = threeClassDataset({ seed: 7 });
    const golden = [
      -0.0923353511848008, -0.12036883608196398, -0.16344090542114664, -0.5477588457329067,
      0.19580369475442294, 0.34442388286855646,
    ];
    golden.forEach((v, i) => {
      expect(d.trainX.data[i]).toBeCloseTo(v, 14);
    });
    expect(Array.from(d.trainY.data.slice(0, 9))).toEqual([0, 0, 1, 0, 1, 0, 1, 0, 0]);
    const goldenTest = [
      -0.36326151531610795, 0.85281828914108, 0.24475297181934502, -0.2682298052633562,
    ];
    goldenTest.forEach((v, i) => {
      expect(d.testX.data[i]).toBeCloseTo(v, 14);
    });
    expect(Array.from(d.testY.data.slice(0, 6))).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it("rejects bad options with a message naming the option", () => {
    const bad = (options: unknown) => () =>
      threeClassDataset(options as Parameters<typeof threeClassDataset>[0]);
    expect(bad(undefined)).toThrow(/expected an options object/);
    expect(bad({})).toThrow(/seed must be a finite number/);
    expect(bad({ seed: Number.NaN })).toThrow(/seed must be a finite number/);
    expect(bad({ seed: 1, trainSize: 0 })).toThrow(/trainSize must be an integer >= 1/);
    expect(bad({ seed: 1, testSize: 2.5 })).toThrow(/testSize must be an integer >= 1/);
    expect(bad({ seed: 1, features: 1 })).toThrow(/features must be an integer >= 2/);
    expect(bad({ seed: 1, noise: -1 })).toThrow(/noise must be a finite number >= 0/);
    expect(bad({ seed: 1, turns: 0 })).toThrow(/turns must be a finite number > 0/);
    expect(bad({ seed: 1, trainsize: 10 })).toThrow(/unknown option 'trainsize'/);
  });
});
