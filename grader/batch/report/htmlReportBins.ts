import { formatPoints } from "../../reporters/text.js";

export interface HistogramBin {
  /** Lowest score in the bin. */
  from: number;
  /** Scores below this (or equal to it for the last bin) fall in the bin. */
  to: number;
  /** "7" for a one-score bin, "10–20" for a range. */
  label: string;
  count: number;
}

/** Ranges used when scores are fractional or the maximum is large. */
const RANGE_BINS = 10;
/** Up to this maximum, whole-number scores get one bin per score (0..max). */
const MAX_SCORE_BINS = 20;
/** A score this close below a bin boundary was meant to sit on it (sums of fractions). */
const BOUNDARY_TOLERANCE = 1e-9;

/**
 * The histogram of `scores` out of `maxScore`: one bin per score when they are whole numbers
 * and few, else ten equal ranges (the last one includes the maximum). Out-of-range scores go
 * to the nearest end so that the counts always add up to the number of scores.
 */
export function histogramBins(scores: number[], maxScore: number): HistogramBin[] {
  if (!(maxScore > 0)) return [{ from: 0, to: 0, label: "0", count: scores.length }];
  const perScore =
    Number.isInteger(maxScore) && maxScore <= MAX_SCORE_BINS && scores.every(Number.isInteger);
  const bins = perScore ? scoreBins(maxScore) : rangeBins(maxScore);
  for (const score of scores) {
    const index = perScore
      ? score
      : Math.floor((score / maxScore) * RANGE_BINS + BOUNDARY_TOLERANCE);
    bins[clamp(index, bins.length - 1)]!.count += 1;
  }
  return bins;
}

function scoreBins(maxScore: number): HistogramBin[] {
  return Array.from({ length: maxScore + 1 }, (_, score) => ({
    from: score,
    to: score,
    label: String(score),
    count: 0,
  }));
}

function rangeBins(maxScore: number): HistogramBin[] {
  return Array.from({ length: RANGE_BINS }, (_, i) => {
    const from = (maxScore * i) / RANGE_BINS;
    const to = (maxScore * (i + 1)) / RANGE_BINS;
    return { from, to, label: `${formatPoints(from)}–${formatPoints(to)}`, count: 0 };
  });
}

/** NaN counts as the lowest bin. */
function clamp(index: number, last: number): number {
  if (!(index > 0)) return 0;
  return Math.min(index, last);
}
