import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EVIL_FOLDER,
  EVIL_MESSAGE,
  EVIL_NAME,
  sampleBatchReport,
  sampleFailures,
} from "../../../testing/batch/htmlReportSample.js";
import { browserTestsSkipped, findChromium, underCi } from "../../../testing/findChromium.js";
import { renderHtmlReport } from "./htmlReport.js";
import { histogramBins } from "./htmlReportBins.js";
import { summarizeBatch } from "./summarizeBatch.js";

/** Skipped only on request outside CI: under CI a missing browser fails the run. */
const SKIP = browserTestsSkipped(process.env);
if (process.env.GRADMARK_SKIP_BROWSER_TESTS === "1" && underCi(process.env)) {
  console.log("GRADMARK_SKIP_BROWSER_TESTS=1 is not honoured under CI: the browser tests run.");
}
/** Keeps the temporary folder (page and screenshot) to look at after the run. */
const KEEP = process.env.GRADMARK_KEEP_BROWSER_ARTIFACTS === "1";

/**
 * No sandbox: Chromium run as root (as CI is) will not start with one, and the page is a local
 * file this test wrote (Playwright passes --headless and --no-sandbox by default too). The
 * machine has no network: without the other flags Chromium keeps trying to reach Google.
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const report = sampleBatchReport();
const summary = summarizeBatch(report);
const failures = sampleFailures(report);
const graded = report.rows.filter((row) => row.status === "graded");
/** What each chart should show, in page order: the totals, then every problem. */
const expectedCounts = [
  histogramBins(
    graded.map((row) => row.total),
    summary.total.maxScore,
  ),
  ...report.problems.map((problem) =>
    histogramBins(
      graded.map((row) => row.problems[problem.id]!),
      problem.maxScore,
    ),
  ),
].map((bins) => bins.map((bin) => bin.count));

describe.skipIf(SKIP)("the HTML report in Chromium", { timeout: 60_000 }, () => {
  let folder = "";
  let pageUrl = "";
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    // The first run on a machine unpacks the package's Chromium into the temp dir (seconds).
    const found = await findChromium();
    console.log(
      `Browser tests in ${found.version} (${found.source}): ${found.executablePath}` +
        (found.packagedUnusable === undefined
          ? ""
          : `; not the package's, which cannot start here: ${found.packagedUnusable}`),
    );
    folder = mkdtempSync(join(tmpdir(), "gradmark-html-report-"));
    const file = join(folder, "report.html");
    writeFileSync(file, renderHtmlReport(report, summary, { failures }));
    pageUrl = pathToFileURL(file).href;

    browser = await chromium.launch({
      executablePath: found.executablePath,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("request", (request) => requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(String(error)));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(pageUrl, { waitUntil: "load", timeout: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (folder === "") return;
    if (KEEP) console.log(`HTML report and screenshot kept in ${folder}`);
    else rmSync(folder, { recursive: true, force: true });
  }, 60_000);

  it("draws every chart as a visible SVG with one bar per bin", async () => {
    const charts = page.locator("svg.histogram");
    expect(await charts.count()).toBe(expectedCounts.length);
    for (const [i, counts] of expectedCounts.entries()) {
      const chart = charts.nth(i);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(50);
      const bars = chart.locator("rect.bar");
      expect(await bars.count()).toBe(counts.length);
      const drawnCounts = await Promise.all(
        counts.map(async (_, bin) => Number(await bars.nth(bin).getAttribute("data-count"))),
      );
      expect(drawnCounts).toEqual(counts);
    }
  });

  it("draws bar heights proportional to their counts", async () => {
    const charts = page.locator("svg.histogram");
    for (const [i, counts] of expectedCounts.entries()) {
      const heights = await barHeights(charts.nth(i).locator("rect.bar"), counts.length);
      const tallest = Math.max(...counts);
      const pixelsPerStudent = Math.max(...heights) / tallest;
      expect(pixelsPerStudent).toBeGreaterThan(1);
      counts.forEach((count, bin) => {
        expect(Math.abs(heights[bin]! - count * pixelsPerStudent)).toBeLessThan(1);
      });
    }
  });

  it("lists the most common failing checks", async () => {
    const rows = page.locator("#failures-table tbody tr");
    expect(await rows.count()).toBe(summary.commonFailures.length);
    for (const [i, failure] of summary.commonFailures.entries()) {
      const cells = await rows.nth(i).locator("td").allInnerTexts();
      expect(cells.slice(0, 3)).toEqual([failure.checkId, failure.title, String(failure.students)]);
    }
  });

  it("shows evil folder and roster names as text, injecting nothing", async () => {
    expect(await page.locator("#submissions-table td", { hasText: EVIL_FOLDER }).count()).toBe(1);
    const nameCell = page.locator("#submissions-table td", { hasText: "O'Brien" });
    // biome-ignore lint/performance/useDomNodeTextContent: what the page shows is the point.
    expect(await nameCell.innerText()).toBe(EVIL_NAME);
    expect(await page.locator("img, script, iframe, object, embed").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("shows a table row per submission, error rows with their message", async () => {
    expect(await page.locator("#submissions-table tbody tr").count()).toBe(report.rows.length);
    const errors = page.locator("#submissions-table tr.error .message");
    expect(await errors.allInnerTexts()).toEqual(
      report.rows.filter((row) => row.status === "error").map((row) => row.message),
    );
  });

  it("takes a screenshot a person can look at", async () => {
    const path = join(folder, "report.png");
    await page.screenshot({ path, fullPage: true, timeout: 60_000 });
    expect(statSync(path).size).toBeGreaterThan(20_000);
  });

  it("opens a student's failed checks on a click, a hostile message shown as text", async () => {
    const row = report.rows.find((r) => (failures.get(r.folder)?.rootCauses.length ?? 0) > 0)!;
    const cell = page
      .locator("#submissions-table tbody tr")
      .nth(report.rows.indexOf(row))
      .locator("td.failures");
    const details = cell.locator("details");
    const message = cell.locator(".check-message").first();
    expect(await message.isVisible()).toBe(false);
    await details.locator("summary").click();
    expect(await details.getAttribute("open")).not.toBeNull();
    expect(await message.isVisible()).toBe(true);
    // The first failure of the class carries the hostile sample message (sampleFailures).
    // biome-ignore lint/performance/useDomNodeTextContent: what the page shows is the point.
    expect(await message.innerText()).toBe(EVIL_MESSAGE);
    expect(await page.locator("img, script, iframe, object, embed").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await details.locator("summary").click();
    expect(await message.isVisible()).toBe(false);
  });

  it("fetched nothing but the page itself and logged no errors", () => {
    expect(requests).toEqual([pageUrl]);
    expect(consoleErrors).toEqual([]);
  });
});

/** Rendered heights in CSS pixels; an empty bar has no box at all in some Chromium versions. */
async function barHeights(bars: Locator, count: number): Promise<number[]> {
  const heights: number[] = [];
  for (let bin = 0; bin < count; bin++) {
    const box = await bars.nth(bin).boundingBox();
    heights.push(box?.height ?? 0);
  }
  return heights;
}
