import { describe, expect, it } from "vitest";
import { renderHtmlReport } from "./htmlReport.js";
import { EVIL_FOLDER, EVIL_NAME, sampleBatchReport } from "./htmlReportSample.js";
import { summarizeBatch } from "./summarizeBatch.js";
import type { BatchReport } from "./types.js";

const report = sampleBatchReport();
const summary = summarizeBatch(report);
const html = renderHtmlReport(report, summary);

/** Every element the page is made of; anything else would have been injected. */
const ALLOWED_TAGS = [
  "!doctype",
  "html",
  "head",
  "meta",
  "title",
  "style",
  "body",
  "header",
  "main",
  "section",
  "h1",
  "h2",
  "p",
  "code",
  "div",
  "span",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "figure",
  "figcaption",
  "svg",
  "rect",
  "line",
  "text",
];

/** The `data-count`s of each chart, in page order. */
function chartCounts(page: string): number[][] {
  return [...page.matchAll(/<svg class="histogram"[\s\S]*?<\/svg>/g)].map((svg) =>
    [...svg[0].matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1])),
  );
}

function tableBody(page: string, id: string): string[] {
  const table = page.match(new RegExp(`<table id="${id}">[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`));
  expect(table).not.toBeNull();
  return table![1]!.split("\n").filter((line) => line.startsWith("<tr"));
}

describe("renderHtmlReport", () => {
  it("forbids every fetch and refers to nothing outside the page", () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;`,
    );
    expect(html).not.toMatch(/https?:|\/\/[a-z]|ftp:|file:|url\(|@import/i);
    // Escaped text holds no "<", so every "<" opens one of the page's own tags.
    const tags = [...html.matchAll(/<[a-z][a-z0-9]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/gi)];
    expect(tags).toHaveLength(html.match(/<[a-z]/gi)!.length);
    const attributes = new Set(
      tags.flatMap((tag) => [...tag[1]!.matchAll(/\s([\w:-]+)/g)].map((m) => m[1]!.toLowerCase())),
    );
    expect(attributes.size).toBeGreaterThan(5);
    for (const fetching of ["src", "href", "xlink:href", "srcset", "action", "poster", "data"]) {
      expect(attributes.has(fetching)).toBe(false);
    }
  });

  it("escapes untrusted folder names, roster names and messages", () => {
    expect(EVIL_FOLDER).toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain(
      "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;&amp;amp; O&#39;Brien",
    );
    expect(html).toContain("&lt;Unexpected &quot;}&quot;&gt;");
    const tags = new Set([...html.matchAll(/<([!a-z][\w-]*)/gi)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((tag) => !ALLOWED_TAGS.includes(tag))).toEqual([]);
    expect(html).not.toContain(EVIL_NAME);
  });

  it("shows the assignment, seed and grader version, and no date", () => {
    expect(html).toContain("<title>Automatic differentiation: batch report</title>");
    expect(html).toContain(`seed <code>${report.seed}</code>`);
    expect(html).toContain("gradmark 0.1.0");
    expect(html).not.toMatch(/\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d/);
  });

  it("draws a histogram of totals and one per problem, each counting every graded row", () => {
    const charts = chartCounts(html);
    expect(charts).toHaveLength(1 + report.problems.length);
    expect(charts[0]).toHaveLength(10);
    for (const counts of charts) {
      expect(counts.reduce((a, b) => a + b, 0)).toBe(summary.graded);
    }
    // The sample has several bars per chart, so the test is not passing on an empty chart.
    expect(charts[0]!.filter((count) => count > 0).length).toBeGreaterThanOrEqual(4);
  });

  it("lists the most common failures in order with students and share", () => {
    const rows = tableBody(html, "failures-table");
    expect(rows).toHaveLength(summary.commonFailures.length);
    expect(rows.length).toBeGreaterThan(3);
    rows.forEach((row, i) => {
      const failure = summary.commonFailures[i]!;
      expect(row).toContain(`<td><code>${failure.checkId}</code></td><td>${failure.title}</td>`);
      expect(row).toContain(`<td class="num">${failure.students}</td>`);
    });
    const first = summary.commonFailures[0]!;
    const share = `${Math.round((first.students / summary.graded) * 1000) / 10}%`;
    expect(rows[0]).toContain(`<span class="share-text">${share}</span>`);
  });

  it("has one row per submission, error rows showing their message instead of scores", () => {
    const rows = tableBody(html, "submissions-table");
    expect(rows).toHaveLength(report.rows.length);
    const errors = rows.filter((row) => row.startsWith('<tr class="error">'));
    expect(errors).toHaveLength(2);
    expect(errors[1]).toContain(
      `<td class="message" colspan="${report.problems.length + 1}">no src/ folder and no modules in the submission</td>`,
    );
    const perfect = report.rows.find((row) => row.total === 100)!;
    const perfectRow = rows.find((row) => row.includes(`<td>${perfect.folder}</td>`))!;
    expect(perfectRow).toContain('<td class="num total">100</td>');
  });

  it("gives the same bytes for the same input", () => {
    const copy: BatchReport = structuredClone(report);
    expect(renderHtmlReport(copy, summarizeBatch(copy))).toBe(html);
  });

  it("renders an empty batch without NaN", () => {
    const empty: BatchReport = { ...report, rows: [] };
    const page = renderHtmlReport(empty, summarizeBatch(empty));
    expect(page).not.toMatch(/NaN|Infinity|undefined/);
    expect(page).toContain("No check failed.");
    for (const counts of chartCounts(page)) expect(counts.every((count) => count === 0)).toBe(true);
  });
});
