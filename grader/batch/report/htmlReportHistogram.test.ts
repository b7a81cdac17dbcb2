import { describe, expect, it } from "vitest";
import { histogramBins } from "./htmlReportBins.js";
import { renderHistogram } from "./htmlReportHistogram.js";

interface Bar {
  count: number;
  height: number;
  title: string;
}

function bars(svg: string): Bar[] {
  const pattern =
    /<rect class="bar" [^>]*data-count="(\d+)"[^>]* height="([\d.]+)"><title>([^<]*)<\/title><\/rect>/g;
  return [...svg.matchAll(pattern)].map((m) => ({
    count: Number(m[1]),
    height: Number(m[2]),
    title: m[3]!,
  }));
}

const tickLabels = (svg: string) =>
  [
    ...svg.matchAll(/<text class="tick" x="[\d.]+" y="[\d.]+" text-anchor="end">(\d+)<\/text>/g),
  ].map((m) => Number(m[1]));

describe("renderHistogram", () => {
  it("draws one bar per bin, heights proportional to the counts, the tallest filling the plot", () => {
    const bins = histogramBins([0, 12, 15, 41, 47, 49, 95, 100, 100, 100], 100);
    const drawn = bars(renderHistogram(bins, { title: "Totals", maxScore: 100 }));
    expect(drawn.map((bar) => bar.count)).toEqual(bins.map((bin) => bin.count));
    const unit = drawn.find((bar) => bar.count === 4)!.height / 4;
    expect(unit).toBeGreaterThan(10);
    for (const bar of drawn) expect(bar.height).toBeCloseTo(bar.count * unit, 1);
  });

  it("titles every bar with its count and range for hovering", () => {
    const svg = renderHistogram(histogramBins([1, 2, 2, 5], 5), { title: "P1", maxScore: 5 });
    expect(bars(svg).map((bar) => bar.title)).toEqual([
      "0 students: score 0",
      "1 student: score 1",
      "2 students: score 2",
      "0 students: score 3",
      "0 students: score 4",
      "1 student: score 5",
    ]);
    const ranges = bars(renderHistogram(histogramBins([0.5], 10), { title: "P", maxScore: 10 }));
    expect(ranges[0]!.title).toBe("1 student: score 0 to under 1");
    expect(ranges[9]!.title).toBe("0 students: score 9 to 10");
  });

  it("labels the count axis at round numbers up to the tallest bar", () => {
    const tall = (n: number) =>
      renderHistogram([{ from: 0, to: 0, label: "0", count: n }], { title: "t", maxScore: 0 });
    expect(tickLabels(tall(34))).toEqual([0, 10, 20, 30]);
    expect(tickLabels(tall(3))).toEqual([0, 1, 2, 3]);
    expect(tickLabels(tall(8))).toEqual([0, 2, 4, 6, 8]);
    expect(tickLabels(tall(0))).toEqual([0]);
  });

  it("draws empty bars, not NaN, when there are no scores", () => {
    const svg = renderHistogram(histogramBins([], 100), { title: "Nothing", maxScore: 100 });
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(bars(svg).map((bar) => bar.height)).toEqual(Array(10).fill(0));
  });

  it("escapes its title", () => {
    const svg = renderHistogram(histogramBins([1], 1), { title: "<b>&", maxScore: 1 });
    expect(svg).toContain('aria-label="&lt;b&gt;&amp;"');
    expect(svg).not.toContain("<b>");
  });
});
