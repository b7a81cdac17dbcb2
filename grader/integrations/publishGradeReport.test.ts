import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeIO } from "../../testing/cliFakes.js";
import { sampleResult } from "../../testing/sampleResult.js";
import { getReporter } from "../reporters/index.js";
import { publishGradeReport } from "./publishGradeReport.js";

const options = (format: string, out?: string) => ({
  reporter: getReporter(format),
  out,
  submissionDir: "hw",
  command: "npx gradmark grade hw",
  redactSeed: false,
});

describe("publishGradeReport", () => {
  it("prints the report, or writes it to `out` and prints the score", () => {
    let io = fakeIO();
    publishGradeReport(sampleResult(), options("json"), io);
    expect(JSON.parse(io.out).score).toBe(sampleResult().score);
    io = fakeIO();
    publishGradeReport(sampleResult(), options("json", "reports/r.json"), io);
    expect(io.out).toBe("score 38/65; json report written to reports/r.json\n");
    expect(JSON.parse(readFileSync(join(io.cwd, "reports", "r.json"), "utf8")).score).toBe(38);
  });

  it("in GitHub Actions, frames a terminal report and keeps a JSON one parseable", () => {
    const env = { GITHUB_ACTIONS: "true" };
    let io = fakeIO({ env });
    publishGradeReport(sampleResult(), options("terminal"), io);
    expect(io.out).toMatch(/^::stop-commands::\S+\n/);
    expect(io.out).toMatch(/::error /);
    io = fakeIO({ env });
    publishGradeReport(sampleResult(), options("json"), io);
    expect(JSON.parse(io.out).score).toBe(38);
    expect(io.err).toMatch(/^::error /m);
  });
});
