import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { histogramBins } from "./htmlReportBins.js";

const counts = (scores: number[], maxScore: number) =>
  histogramBins(scores, maxScore).map((bin) => bin.count);

describe("histogramBins", () => {
  it("gives one bin per score when the scores are whole numbers and the maximum small", () => {
    const bins = histogramBins([0, 3, 3, 5], 5);
    expect(bins.map((bin) => bin.label)).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(bins.map((bin) => bin.count)).toEqual([1, 0, 0, 2, 0, 1]);
    expect(bins[3]).toMatchObject({ from: 3, to: 3 });
  });

  it("gives ten equal ranges otherwise, the last one including the maximum", () => {
    const bins = histogramBins([0, 9.99, 10, 55, 99.75, 100], 100);
    expect(bins.map((bin) => bin.label)).toEqual([
      "0–10",
      "10–20",
      "20–30",
      "30–40",
      "40–50",
      "50–60",
      "60–70",
      "70–80",
      "80–90",
      "90–100",
    ]);
    expect(bins.map((bin) => bin.count)).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    // Fractional scores under a small maximum, and whole scores under a large one.
    expect(counts([2.5, 10], 10)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(counts([0, 30], 30)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(histogramBins([1.5], 15).map((bin) => bin.label)[2]).toBe("3–4.5");
  });

  it("puts a score that summing fractions left just short of a boundary on the boundary", () => {
    const three = (0.7 + 0.2 + 0.1) * 3;
    expect(three).toBeLessThan(3);
    expect(counts([three], 15)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("sends out-of-range scores to the nearest end", () => {
    expect(counts([-1, Number.NaN, 120], 100)).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(counts([-1, 7], 5)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(histogramBins([0, 0, 0], 0)).toEqual([{ from: 0, to: 0, label: "0", count: 3 }]);
  });

  it("always counts every score once (property)", () => {
    const maxArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 200 }));
    fc.assert(
      fc.property(
        maxArb,
        fc.array(fc.double({ min: -10, max: 250 }), { maxLength: 60 }),
        (max, scores) => {
          const bins = histogramBins(scores, max);
          expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(scores.length);
          // Either one bin per whole score, or ranges that tile 0..max without gaps.
          const perScore = bins.every((bin, i) => bin.from === i && bin.to === i);
          if (!perScore) {
            expect(bins[0]!.from).toBe(0);
            expect(bins.at(-1)!.to).toBeCloseTo(max, 9);
            for (const [i, bin] of bins.entries()) {
              if (i > 0) expect(bin.from).toBe(bins[i - 1]!.to);
            }
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
