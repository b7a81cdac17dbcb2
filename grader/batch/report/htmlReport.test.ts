import { describe, expect, it } from "vitest";
import {
  EVIL_FOLDER,
  EVIL_MESSAGE,
  EVIL_NAME,
  MISSING_FOLDERS,
  sampleBatchReport,
  sampleFailures,
} from "../../../testing/batch/htmlReportSample.js";
import type { BatchReport } from "../types.js";
import type { SubmissionFailures } from "./buildBatchReport.js";
import {
  renderHtmlReport,
  SHOWN_FAILURES_PER_STUDENT,
  SHOWN_MESSAGE_CHARS,
  SHOWN_MESSAGE_MARKUP,
} from "./htmlReport.js";
import { summarizeBatch } from "./summarizeBatch.js";

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
  "details",
  "summary",
  "ul",
  "li",
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

/** Every tag of the page is one of its own, and none can fetch anything. */
function expectNothingInjected(page: string): void {
  expect(page).not.toMatch(/https?:|\/\/[a-z]|ftp:|file:|url\(|@import/i);
  // Escaped text holds no "<", so every "<" opens one of the page's own tags.
  const tags = [...page.matchAll(/<[a-z][a-z0-9]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/gi)];
  expect(tags).toHaveLength(page.match(/<[a-z]/gi)!.length);
  const attributes = new Set(
    tags.flatMap((tag) => [...tag[1]!.matchAll(/\s([\w:-]+)/g)].map((m) => m[1]!.toLowerCase())),
  );
  for (const fetching of ["src", "href", "xlink:href", "srcset", "action", "poster", "data"]) {
    expect(attributes.has(fetching)).toBe(false);
  }
  const names = new Set([...page.matchAll(/<([!a-z][\w-]*)/gi)].map((m) => m[1]!.toLowerCase()));
  expect([...names].filter((tag) => !ALLOWED_TAGS.includes(tag))).toEqual([]);
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

describe("renderHtmlReport: missing students", () => {
  it("counts roster students without a submission among the summary cards", () => {
    expect(summary.missing).toBe(MISSING_FOLDERS.length);
    expect(html).toContain(
      `<div class="figure"><div class="value">${MISSING_FOLDERS.length}</div><div class="label">missing (no submission)</div></div>`,
    );
    const overview = html.match(/<section id="overview"[\s\S]*?<\/section>/)![0];
    expect([...overview.matchAll(/class="label">([^<]*)</g)].map((m) => m[1])).toEqual([
      "submissions",
      "graded",
      "errors",
      "missing (no submission)",
      "mean total",
      "median total",
      "full marks",
    ]);
    const rows = tableBody(html, "submissions-table");
    expect(rows.filter((row) => row.startsWith('<tr class="missing">'))).toHaveLength(2);
  });

  it("shows 0 when the summary has no missing count (a batch without a roster)", () => {
    const { missing: _, ...older } = summary;
    expect(renderHtmlReport(report, older)).toContain(
      `<div class="value">0</div><div class="label">missing (no submission)</div>`,
    );
  });
});

describe("renderHtmlReport: each student's root-cause failures", () => {
  const failures = sampleFailures(report);
  const page = renderHtmlReport(report, summary, { failures });
  const rows = tableBody(page, "submissions-table");
  const rowOf = (folder: string) => rows[report.rows.findIndex((row) => row.folder === folder)]!;
  const failuresCell = (row: string) => row.match(/<td class="failures">(.*?)<\/td><\/tr>$/)![1]!;

  it("keeps one table row per submission, with a Failed checks column", () => {
    expect(rows).toHaveLength(report.rows.length);
    expect(page).toContain("<th>Status</th><th>Failed checks</th></tr></thead>");
    for (const row of rows) expect(row).toMatch(/<td class="failures">.*<\/td><\/tr>$/);
  });

  it("puts each graded student's root causes, with their messages, in a closed <details>", () => {
    const withSome = report.rows.filter(
      (row) => (failures.get(row.folder)?.rootCauses.length ?? 0) > 2,
    );
    expect(withSome.length).toBeGreaterThan(5);
    for (const row of withSome) {
      const { rootCauses, knockOns } = failures.get(row.folder)!;
      const cell = failuresCell(rowOf(row.folder));
      expect(cell).toMatch(
        /^<details><summary>\d+ failed checks(, \d+ knock-ons?)?<\/summary><ul>/,
      );
      expect(cell).toContain(`<summary>${rootCauses.length} failed checks`);
      if (knockOns > 0)
        expect(cell).toContain(`knock-on failure${knockOns === 1 ? "" : "s"} not listed`);
      expect(cell).not.toContain("<details open");
      const shown = [...cell.matchAll(/<li data-check="([^"]+)"><code>([^<]+)<\/code>/g)];
      expect(shown.map((m) => m[1])).toEqual(
        rootCauses.slice(0, SHOWN_FAILURES_PER_STUDENT).map((failure) => failure.checkId),
      );
    }
    const first = report.rows.find(
      (row) => (failures.get(row.folder)?.rootCauses.length ?? 0) > 0,
    )!;
    const failure =
      failures.get(first.folder)!.rootCauses[1] ?? failures.get(first.folder)!.rootCauses[0]!;
    expect(failuresCell(rowOf(first.folder))).toContain(
      `<span class="check-status">${failure.status}`,
    );
  });

  it("counts knock-ons instead of listing them", () => {
    const row = report.rows.find((r) => (failures.get(r.folder)?.knockOns ?? 0) > 0)!;
    expect(row).toBeDefined();
    const cell = failuresCell(rowOf(row.folder));
    expect(cell).toContain(", 1 knock-on</summary>");
    expect(cell).toContain("also costs 1 knock-on check");
    expect(cell).not.toContain('data-check="1.slideEinsum.shape"');
  });

  it("says how many more there are past the cap, and that a passing student has none", () => {
    const many = report.rows.find(
      (r) => (failures.get(r.folder)?.rootCauses.length ?? 0) > SHOWN_FAILURES_PER_STUDENT,
    )!;
    const more = failures.get(many.folder)!.rootCauses.length - SHOWN_FAILURES_PER_STUDENT;
    expect(failuresCell(rowOf(many.folder))).toContain(
      `<li class="more">and ${more} more: see this submission's result in results/</li>`,
    );
    const perfect = report.rows.find((r) => r.status === "graded" && r.failedChecks.length === 0)!;
    expect(failuresCell(rowOf(perfect.folder))).toBe("none");
    const error = report.rows.find((r) => r.status === "error")!;
    expect(failuresCell(rowOf(error.folder))).toBe("");
  });

  it("shortens a long message at a word, keeps its line breaks and escapes a hostile one", () => {
    const messages = [...page.matchAll(/<div class="check-message">(.*?)<\/div>/g)].map(
      (m) => m[1]!,
    );
    const allMessages = [...failures.values()].flatMap((f) => f.rootCauses.map((c) => c.message));
    const long = messages.filter((m) => m.endsWith("…"));
    expect(long.length).toBeGreaterThan(0);
    for (const message of long) {
      const text = message.replace(/&#10;/g, "\n");
      expect(text.length).toBeLessThanOrEqual(SHOWN_MESSAGE_CHARS);
      // Cut where a word ends: the message goes on with a space or line break after it.
      const shown = text.slice(0, -1);
      const original = allMessages.find((m) => m.startsWith(shown))!;
      expect(original.length).toBeGreaterThan(SHOWN_MESSAGE_CHARS);
      expect(original[shown.length]).toMatch(/\s/);
      expect(message).toContain("entries:&#10;  [0] expected 0 but got 0.25&#10;");
    }
    expect(EVIL_MESSAGE).toContain("<script>");
    expect(page).not.toContain(EVIL_MESSAGE);
    expect(page).toContain(
      "threw &lt;script&gt;alert(&quot;message&quot;)&lt;/script&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img src=x onerror=alert(2)&gt; &amp; left",
    );
    expectNothingInjected(page);
  });

  it("escapes hostile check ids, titles and statuses too", () => {
    const evil: SubmissionFailures = {
      rootCauses: [
        {
          checkId: '"><script>x</script>',
          title: "<b>bold</b>",
          status: "failed\u202e" as "failed",
          message: "a\u001b[31m\r\nb",
          knockOns: 0,
        },
      ],
      knockOns: 0,
    };
    const folder = report.rows.find((row) => row.status === "graded")!.folder;
    const one = renderHtmlReport(report, summary, { failures: new Map([[folder, evil]]) });
    expect(one).toContain(
      '<li data-check="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"><code>&quot;&gt;&lt;script&gt;x&lt;/script&gt;</code> &lt;b&gt;bold&lt;/b&gt; <span class="check-status">failed\\u202e</span><div class="check-message">a\\x1b[31m&#10;b</div></li>',
    );
    expectNothingInjected(one);
    // The other graded rows have no stored result here: they say how many checks failed.
    expect(one).toMatch(/<td class="failures">\d+ failed checks? \(no stored result\)<\/td>/);
  });

  it("leaves the page as it was without failures, and gives the same bytes for the same input", () => {
    expect(html).not.toContain("<details");
    expect(html).not.toContain("Failed checks");
    expect(
      renderHtmlReport(structuredClone(report), summary, { failures: sampleFailures(report) }),
    ).toBe(page);
  });

  it("stays a reasonable size for 500 students, however long and many their failures", () => {
    const big = sampleBatchReport(500);
    const bigSummary = summarizeBatch(big);
    const ordinary = renderHtmlReport(big, bigSummary, { failures: sampleFailures(big) });
    // The worst case: every student fails 40 checks, each with a 20 000-character message,
    // half of them made of characters that escaping makes longer.
    const worst = new Map<string, SubmissionFailures>();
    for (const row of big.rows) {
      const rootCauses = Array.from({ length: 40 }, (_, i) => ({
        checkId: `9.check${i}`,
        title: `check ${i}`,
        status: "failed" as const,
        message: i % 2 === 0 ? "expected 1 but got 2 ".repeat(1000) : `<&>"' \u0001\n`.repeat(2500),
        knockOns: 0,
      }));
      worst.set(row.folder, { rootCauses, knockOns: 3 });
    }
    const worstPage = renderHtmlReport(big, bigSummary, { failures: worst });
    expect(ordinary.length).toBeLessThan(1_000_000);
    expect(worstPage.length).toBeLessThan(2_500_000);
    expect(worstPage.match(/<li data-check=/g)).toHaveLength(
      big.rows.filter((r) => r.status === "graded").length * SHOWN_FAILURES_PER_STUDENT,
    );
    const messages = [...worstPage.matchAll(/<div class="check-message">(.*?)<\/div>/g)];
    expect(messages.length).toBeGreaterThan(1000);
    for (const [, markup] of messages)
      expect(markup!.length).toBeLessThanOrEqual(SHOWN_MESSAGE_MARKUP);
    expect(
      messages.some(([, markup]) => markup!.startsWith("&lt;&amp;&gt;&quot;&#39; \\x01&#10;")),
    ).toBe(true);
  });
});
