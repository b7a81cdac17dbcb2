import { formatPoints } from "../../reporters/text.js";
import type { HistogramBin } from "./htmlReportBins.js";
import { escapeHtml } from "./htmlReportEscape.js";

export interface HistogramOptions {
  /** What the chart shows, for its accessible title: "Total scores". */
  title: string;
  maxScore: number;
}

const WIDTH = 560;
const HEIGHT = 230;
const MARGIN = { left: 48, right: 14, top: 18, bottom: 44 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const BASELINE = MARGIN.top + PLOT_HEIGHT;
/** Share of a bin's slot that its bar fills; the rest separates neighbours. */
const BAR_FILL = 0.82;

/**
 * An inline SVG bar chart of `bins`: bar heights proportional to the counts (the tallest bar
 * fills the plot), a count above each non-empty bar, students on the y axis and scores on the
 * x axis. Every bar carries `data-bin`, `data-count`, `data-from`, `data-to` and a `<title>`
 * shown on hover, so tests and people can read it without measuring.
 */
export function renderHistogram(bins: HistogramBin[], options: HistogramOptions): string {
  const tallest = Math.max(0, ...bins.map((bin) => bin.count));
  const slot = PLOT_WIDTH / bins.length;
  const title = escapeHtml(options.title);
  return [
    `<svg class="histogram" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    ...countAxis(tallest),
    ...bins.map((bin, index) => bar(bin, index, slot, tallest, options.maxScore)),
    ...scoreAxis(bins, slot),
    `<line class="axis" x1="${MARGIN.left}" y1="${BASELINE}" x2="${WIDTH - MARGIN.right}" y2="${BASELINE}"/>`,
    `<text class="axis-title" x="${MARGIN.left + PLOT_WIDTH / 2}" y="${HEIGHT - 6}" text-anchor="middle">score (out of ${escapeHtml(formatPoints(options.maxScore))})</text>`,
    `<text class="axis-title" transform="translate(13 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">students</text>`,
    "</svg>",
  ].join("\n");
}

function bar(
  bin: HistogramBin,
  index: number,
  slot: number,
  tallest: number,
  maxScore: number,
): string {
  const height = tallest === 0 ? 0 : (bin.count / tallest) * PLOT_HEIGHT;
  const x = MARGIN.left + index * slot + (slot * (1 - BAR_FILL)) / 2;
  const y = BASELINE - height;
  const hover = `${bin.count} ${bin.count === 1 ? "student" : "students"}: ${binRange(bin, maxScore)}`;
  const attributes = [
    `class="bar"`,
    `data-bin="${index}"`,
    `data-count="${bin.count}"`,
    `data-from="${bin.from}"`,
    `data-to="${bin.to}"`,
    `x="${round(x)}" y="${round(y)}" width="${round(slot * BAR_FILL)}" height="${round(height)}"`,
  ].join(" ");
  const count =
    bin.count === 0
      ? ""
      : `\n<text class="count" x="${round(x + (slot * BAR_FILL) / 2)}" y="${round(y - 4)}" text-anchor="middle">${bin.count}</text>`;
  return `<rect ${attributes}><title>${escapeHtml(hover)}</title></rect>${count}`;
}

/** In words, for the hover title: "score 7", "score 10 to under 20", "score 90 to 100". */
function binRange(bin: HistogramBin, maxScore: number): string {
  if (bin.from === bin.to) return `score ${formatPoints(bin.from)}`;
  const upper = bin.to >= maxScore ? "" : "under ";
  return `score ${formatPoints(bin.from)} to ${upper}${formatPoints(bin.to)}`;
}

/** Gridlines and labels at round numbers of students (1, 2 or 5 times a power of ten apart). */
function countAxis(tallest: number): string[] {
  const step = tickStep(tallest);
  const lines: string[] = [];
  for (let count = 0; count <= tallest; count += step) {
    const y = round(BASELINE - (tallest === 0 ? 0 : (count / tallest) * PLOT_HEIGHT));
    lines.push(
      `<line class="grid" x1="${MARGIN.left}" y1="${y}" x2="${WIDTH - MARGIN.right}" y2="${y}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${count}</text>`,
    );
  }
  return lines;
}

/** The smallest round step that needs at most four gridlines above zero. */
function tickStep(tallest: number): number {
  for (let power = 1; ; power *= 10) {
    for (const factor of [1, 2, 5]) {
      if (factor * power * 4 >= tallest) return factor * power;
    }
  }
}

/** One label per bar for one-score bins; the boundaries between bars for ranges. */
function scoreAxis(bins: HistogramBin[], slot: number): string[] {
  const y = BASELINE + 16;
  const label = (x: number, text: string) =>
    `<text class="tick" x="${round(x)}" y="${y}" text-anchor="middle">${escapeHtml(text)}</text>`;
  if (bins.every((bin) => bin.from === bin.to)) {
    return bins.map((bin, i) => label(MARGIN.left + (i + 0.5) * slot, bin.label));
  }
  const edges = [...bins.map((bin) => bin.from), bins.at(-1)!.to];
  return edges.map((edge, i) => label(MARGIN.left + i * slot, formatPoints(edge)));
}

/** Two decimals keep the markup short and identical from run to run. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}
