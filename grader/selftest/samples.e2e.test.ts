import { describe, expect, it } from "vitest";
import { formatSelftestReport } from "./formatSelftestReport.js";
import { runSelftest } from "./runSelftest.js";

// The staff solution, the starter and every sample submission in fixtures/submissions (correct
// variants, planted mistakes, partial, broken and hostile ones), graded under the assignment's
// seed: every outcome must agree with the sample's expected.json.
describe("sample submissions", () => {
  it("all agree with their expected.json", async () => {
    const report = await runSelftest({ jobs: 2 });
    const text = formatSelftestReport(report, false);
    expect(text, text).toMatch(/selftest: all \d+ targets agree/);
    expect(report.rows.every((row) => row.agrees && !row.error)).toBe(true);
  }, 600_000);
});
