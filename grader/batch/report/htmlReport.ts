import { formatPoints, plural } from "../../reporters/text.js";
import type {
  BatchProblem,
  BatchReport,
  BatchRow,
  BatchSummary,
  FailureCount,
  ProblemSummary,
} from "../types.js";
import type { RootCauseFailure, SubmissionFailures } from "./buildBatchReport.js";
import { formatPercent, shortenText } from "./formatBatchSummary.js";
import { histogramBins } from "./htmlReportBins.js";
import { escapeHtml } from "./htmlReportEscape.js";
import { renderHistogram } from "./htmlReportHistogram.js";

/**
 * The browser may load nothing at all: no script, font, image or stylesheet from anywhere, so
 * opening the report can neither leak it nor run anything a folder name smuggled in.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Root-cause failures shown per student; the rest are counted ("and 3 more"). */
export const SHOWN_FAILURES_PER_STUDENT = 5;
/** Characters of a check's message shown in the report (cut at a word, with an ellipsis). */
export const SHOWN_MESSAGE_CHARS = 300;
/**
 * And characters of its markup once escaped: a message of nothing but `<` and `&` (or control
 * characters) would otherwise take four to six times the room.
 */
export const SHOWN_MESSAGE_MARKUP = 2 * SHOWN_MESSAGE_CHARS;

export interface HtmlReportOptions {
  /**
   * By folder, what each graded submission lost points on (`failuresByFolder` of the stored
   * results): the submissions table then gets a "Failed checks" column whose cells open, with no
   * script, on each root-cause failure and its message. Without it there is no such column.
   */
  failures?: ReadonlyMap<string, SubmissionFailures>;
}

/**
 * One self-contained HTML page for course staff: the class's figures, a histogram of totals
 * and one per problem (inline SVG), the most common failing checks and every submission (with
 * its root-cause failures when `options.failures` has them). Deterministic (no date), so the
 * same batch always gives the same bytes. Its size grows with the class, but each student's
 * failures are capped (SHOWN_FAILURES_PER_STUDENT checks of SHOWN_MESSAGE_CHARS characters).
 */
export function renderHtmlReport(
  report: BatchReport,
  summary: BatchSummary,
  options: HtmlReportOptions = {},
): string {
  const title = `${report.assignment.title}: batch report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">assignment <code>${escapeHtml(report.assignment.id)}</code> · seed <code>${report.seed}</code> · gradmark ${escapeHtml(report.graderVersion)}</p>
</header>
<main>
${overview(summary)}
${totalsSection(report, summary)}
${problemsSection(report, summary)}
${failuresSection(summary)}
${submissionsSection(report, options.failures)}
</main>
</body>
</html>
`;
}

function overview(summary: BatchSummary): string {
  const { total } = summary;
  const figure = (label: string, value: string) =>
    `<div class="figure"><div class="value">${escapeHtml(value)}</div><div class="label">${label}</div></div>`;
  return `<section id="overview" class="figures">
${figure("submissions", String(summary.submissions))}
${figure("graded", String(summary.graded))}
${figure("errors", String(summary.errors))}
${figure("missing (no submission)", String(summary.missing ?? 0))}
${figure("mean total", `${formatPoints(total.mean)} / ${formatPoints(total.maxScore)}`)}
${figure("median total", formatPoints(total.median))}
${figure("full marks", formatPercent(total.fullMarksRate))}
</section>`;
}

function totalsSection(report: BatchReport, summary: BatchSummary): string {
  const totals = gradedRows(report).map((row) => row.total);
  const chart = renderHistogram(histogramBins(totals, summary.total.maxScore), {
    title: "Total scores of the graded submissions",
    maxScore: summary.total.maxScore,
  });
  return `<section id="totals">
<h2>Total scores</h2>
<figure class="chart" data-chart="total">${chart}</figure>
</section>`;
}

function problemsSection(report: BatchReport, summary: BatchSummary): string {
  const graded = gradedRows(report);
  const charts = report.problems.map((problem) => problemChart(problem, graded));
  return `<section id="problems">
<h2>Problems</h2>
<table id="problems-table">
<thead><tr><th>Problem</th><th>Title</th><th class="num">Max</th><th class="num">Mean</th><th class="num">Median</th><th class="num">Full marks</th></tr></thead>
<tbody>
${summary.problems.map(problemRow).join("\n")}
</tbody>
</table>
<div class="charts">
${charts.join("\n")}
</div>
</section>`;
}

function problemRow(problem: ProblemSummary): string {
  const cells = [
    escapeHtml(problem.id),
    escapeHtml(problem.title),
    formatPoints(problem.maxScore),
    formatPoints(problem.mean),
    formatPoints(problem.median),
    formatPercent(problem.fullMarksRate),
  ];
  return `<tr>${cells.map((cell, i) => `<td${i >= 2 ? ' class="num"' : ""}>${cell}</td>`).join("")}</tr>`;
}

function problemChart(problem: BatchProblem, graded: BatchRow[]): string {
  const scores = graded.map((row) => row.problems[problem.id] ?? 0);
  const heading = `Problem ${problem.id}: ${problem.title}`;
  const chart = renderHistogram(histogramBins(scores, problem.maxScore), {
    title: heading,
    maxScore: problem.maxScore,
  });
  return `<figure class="chart" data-chart="problem" data-problem="${escapeHtml(problem.id)}">
<figcaption>${escapeHtml(heading)}</figcaption>
${chart}
</figure>`;
}

function failuresSection(summary: BatchSummary): string {
  const rows = summary.commonFailures.map((failure) => failureRow(failure, summary.graded));
  const body =
    rows.length === 0
      ? `<tr><td colspan="4" class="empty">No check failed.</td></tr>`
      : rows.join("\n");
  return `<section id="failures">
<h2>Most common failing checks</h2>
<table id="failures-table">
<thead><tr><th>Check</th><th>Title</th><th class="num">Students</th><th class="num">Share of graded</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
}

function failureRow(failure: FailureCount, graded: number): string {
  const share = graded === 0 ? 0 : failure.students / graded;
  // The bar behind the percentage lets the eye compare shares down the column.
  const shareBar = `<span class="share-bar" style="width:${formatPoints(share * 100)}%"></span>`;
  const cells = [
    `<td><code>${escapeHtml(failure.checkId)}</code></td>`,
    `<td>${escapeHtml(failure.title)}</td>`,
    `<td class="num">${failure.students}</td>`,
    `<td class="num share">${shareBar}<span class="share-text">${formatPercent(share)}</span></td>`,
  ];
  return `<tr data-check="${escapeHtml(failure.checkId)}">${cells.join("")}</tr>`;
}

function submissionsSection(
  report: BatchReport,
  failures: ReadonlyMap<string, SubmissionFailures> | undefined,
): string {
  const problemHeads = report.problems.map(
    (problem) =>
      `<th class="num" title="${escapeHtml(`${problem.title} (out of ${formatPoints(problem.maxScore)})`)}">${escapeHtml(problem.id)}</th>`,
  );
  return `<section id="submissions">
<h2>Submissions</h2>
<table id="submissions-table">
<thead><tr><th>Folder</th><th>Id</th><th>Name</th>${problemHeads.join("")}<th class="num">Total</th><th>Status</th>${failures === undefined ? "" : "<th>Failed checks</th>"}</tr></thead>
<tbody>
${report.rows.map((row) => submissionRow(row, report.problems, failures)).join("\n")}
</tbody>
</table>
</section>`;
}

function submissionRow(
  row: BatchRow,
  problems: BatchProblem[],
  failures: ReadonlyMap<string, SubmissionFailures> | undefined,
): string {
  const who = [row.folder, row.studentId, row.name].map((text) => `<td>${escapeHtml(text)}</td>`);
  const failed = failures === undefined ? "" : failuresCell(row, failures.get(row.folder));
  if (row.status !== "graded") {
    // No scores to show: the reason takes their place.
    const status = escapeHtml(row.status);
    const message = `<td class="message" colspan="${problems.length + 1}">${escapeHtml(row.message)}</td>`;
    return `<tr class="${status}">${who.join("")}${message}<td class="status">${status}</td>${failed}</tr>`;
  }
  const scores = problems.map((problem) => {
    const score = row.problems[problem.id] ?? 0;
    const classes = score >= problem.maxScore ? "num full" : "num";
    return `<td class="${classes}">${formatPoints(score)}</td>`;
  });
  const total = `<td class="num total">${formatPoints(row.total)}</td>`;
  return `<tr>${who.join("")}${scores.join("")}${total}<td class="status">graded</td>${failed}</tr>`;
}

/**
 * A submission's root-cause failures, closed until clicked (<details>): at most
 * SHOWN_FAILURES_PER_STUDENT, each with its message shortened to SHOWN_MESSAGE_CHARS, then how
 * many more there are; knock-on failures only counted. One line of markup, like every row.
 */
function failuresCell(row: BatchRow, failures: SubmissionFailures | undefined): string {
  if (row.status !== "graded") return `<td class="failures"></td>`;
  if (failures === undefined) {
    // A row without a stored result (grades.csv only) still says how many checks failed.
    const count = new Set(row.failedChecks).size;
    const text = count === 0 ? "none" : `${plural(count, "failed check")} (no stored result)`;
    return `<td class="failures">${text}</td>`;
  }
  const { rootCauses, knockOns } = failures;
  if (rootCauses.length === 0 && knockOns === 0) return `<td class="failures">none</td>`;
  const counts = [
    ...(rootCauses.length > 0 ? [plural(rootCauses.length, "failed check")] : []),
    ...(knockOns > 0 ? [plural(knockOns, "knock-on")] : []),
  ].join(", ");
  const shown = rootCauses.slice(0, SHOWN_FAILURES_PER_STUDENT).map(failureItem);
  const hidden = rootCauses.length - shown.length;
  if (hidden > 0)
    shown.push(
      `<li class="more">and ${hidden} more: see this submission's result in results/</li>`,
    );
  if (knockOns > 0)
    shown.push(
      `<li class="more">${plural(knockOns, "knock-on failure")} not listed (a knock-on passes on its own but earns nothing until the check it waits for passes)</li>`,
    );
  return `<td class="failures"><details><summary>${counts}</summary><ul>${shown.join("")}</ul></details></td>`;
}

function failureItem(failure: RootCauseFailure): string {
  const costs =
    failure.knockOns > 0 ? ` · also costs ${plural(failure.knockOns, "knock-on check")}` : "";
  const message =
    failure.message.trim() === ""
      ? ""
      : `<div class="check-message">${messageMarkup(failure.message.trim())}</div>`;
  return `<li data-check="${escapeHtml(failure.checkId)}"><code>${escapeHtml(failure.checkId)}</code> ${escapeHtml(failure.title)} <span class="check-status">${escapeHtml(failure.status)}${costs}</span>${message}</li>`;
}

/**
 * A message, escaped, in at most SHOWN_MESSAGE_CHARS characters and SHOWN_MESSAGE_MARKUP of
 * markup. Line breaks as references keep the row on one line of markup; pre-wrap shows them.
 */
function messageMarkup(message: string): string {
  let chars = SHOWN_MESSAGE_CHARS;
  for (;;) {
    const markup = escapeHtml(shortenText(message, chars)).replace(/\n/g, "&#10;");
    if (markup.length <= SHOWN_MESSAGE_MARKUP || chars <= 2) return markup;
    chars = Math.max(
      2,
      Math.min(chars - 1, Math.floor((chars * SHOWN_MESSAGE_MARKUP) / markup.length)),
    );
  }
}

function gradedRows(report: BatchReport): BatchRow[] {
  return report.rows.filter((row) => row.status === "graded");
}

/** System fonts only: a named web font would be a fetch the policy refuses. */
const STYLE = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #2f6fbf; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f7f9fb; }
header h1 { margin: 0 0 4px; font-size: 24px; }
.meta { margin: 0 0 20px; color: var(--muted); }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 0 0 20px; }
h2 { margin: 0 0 12px; font-size: 18px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; }
.figure { flex: 1 1 120px; padding: 8px 12px; border-left: 4px solid var(--accent); background: #f0f5fb; border-radius: 4px; }
.figure .value { font-size: 22px; font-weight: 600; }
.figure .label { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin-bottom: 12px; }
#problems-table { width: auto; min-width: 60%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f6; font-weight: 600; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fafbfc; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.full { color: #1a7f37; font-weight: 600; }
td.total { font-weight: 600; }
tr.error td { background: #fdf0ef; }
tr.error .message, tr.error .status { color: var(--bad); }
tr.missing td { color: var(--muted); }
td.share { position: relative; min-width: 130px; }
.share-bar { position: absolute; left: 0; top: 4px; bottom: 4px; background: #dbe8f7; }
.share-text { position: relative; }
.empty { color: var(--muted); font-style: italic; }
td.failures { min-width: 9em; max-width: 40em; color: var(--muted); }
td.failures details[open] { color: var(--ink); }
td.failures summary { cursor: pointer; color: var(--bad); white-space: nowrap; }
td.failures ul { margin: 6px 0 2px; padding-left: 18px; }
td.failures li { margin: 0 0 6px; }
td.failures li.more { color: var(--muted); font-style: italic; list-style: none; margin-left: -18px; }
.check-status { color: var(--muted); font-size: 12px; }
.check-message { margin-top: 2px; padding: 4px 8px; background: #f6f8fa; border-left: 3px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
figure.chart { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.histogram { display: block; width: 100%; max-width: 560px; height: auto; }
svg .bar { fill: var(--accent); }
svg .bar:hover { fill: #1d4f8f; }
svg .grid { stroke: #e4e9ef; stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg text { font-size: 11px; fill: var(--muted); }
svg .count { fill: var(--ink); font-weight: 600; }
svg .axis-title { font-size: 12px; fill: var(--ink); }
`;
