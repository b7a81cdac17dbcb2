import { availableParallelism } from "node:os";
import { sanitize } from "../common/sanitize.js";
import { type Palette, palette } from "../reporters/text.js";
import { formatSeedFigures } from "./formatSeedFigures.js";
import type { SelftestReport } from "./runSelftest.js";
import { seedFigures } from "./seedFigures.js";
import type { SelftestRow } from "./selftestRow.js";

/** Disagreements listed at most per target (the rest are counted). */
const MAX_NOTES = 20;

/**
 * A selftest's report as `gradmark selftest` prints it: the table (target, expected, got,
 * agrees), each disagreeing target's checks, with several seeds the figures (false failures,
 * missed mistakes, catch rates) and the run time, and a last line that says whether all agree.
 */
export function formatSelftestReport(report: SelftestReport, color: boolean): string {
  const p = palette(color);
  const { rows } = report;
  const multi = report.seeds.length > 1;
  const out = table(rows, p);
  for (const row of rows.filter((r) => r.notes.length > 0)) {
    out.push(
      "",
      `${row.target} disagrees on:`,
      ...row.notes.slice(0, MAX_NOTES).map((note) => `  ${note}`),
    );
    if (row.notes.length > MAX_NOTES) out.push(`  ... and ${row.notes.length - MAX_NOTES} more`);
  }
  if (multi) {
    const seconds = Math.round(report.durationMs / 1000);
    out.push(
      "",
      ...formatSeedFigures(seedFigures(report.gradings), report.seeds.length).map((l) =>
        sanitize(l),
      ),
      `  run time: ${seconds} s with -j ${report.jobs} on ${availableParallelism()} cores`,
    );
  }
  const disagreeing = rows.filter((r) => !r.agrees).length;
  const over = multi ? ` over ${report.seeds.length} seeds` : "";
  out.push(
    "",
    disagreeing === 0
      ? p.green(`selftest: all ${rows.length} targets agree${over}`)
      : p.red(`selftest: ${disagreeing} of ${rows.length} targets disagree${over}`),
  );
  return `${out.join("\n")}\n`;
}

/** The header and one line per target, in columns. */
function table(rows: readonly SelftestRow[], p: Palette): string[] {
  const header = { target: "target", expected: "expected", got: "got", agrees: "agrees" };
  const width = {
    target: Math.max(header.target.length, ...rows.map((r) => r.target.length)),
    expected: Math.max(header.expected.length, ...rows.map((r) => r.expected.length)),
    got: Math.max(header.got.length, ...rows.map((r) => r.got.length)),
  };
  const line = (target: string, expected: string, got: string) =>
    `${target.padEnd(width.target)}  ${expected.padEnd(width.expected)}  ${got.padEnd(width.got)}`;
  return [
    p.bold(`${line(header.target, header.expected, header.got)}  ${header.agrees}`),
    ...rows.map(
      (row) =>
        `${line(row.target, row.expected, row.got)}  ${row.agrees ? p.green("yes") : p.red("NO")}`,
    ),
  ];
}
