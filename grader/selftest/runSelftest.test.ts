import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeAssignment, passingResult } from "../../testing/cliFakes.js";
import { UsageError } from "../common/UsageError.js";
import type { GradeOptions } from "../engine/gradeSubmission.js";
import { formatSelftestReport } from "./formatSelftestReport.js";
import { runSelftest } from "./runSelftest.js";
import { FULL_MARKS, type SelftestTarget } from "./selftestTargets.js";

const dir = mkdtempSync(join(tmpdir(), "gradmark-selftest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const targets: SelftestTarget[] = [
  { name: "solution", dir, srcDir: dir, expected: FULL_MARKS },
  { name: "broken", dir, expected: FULL_MARKS, invalid: "expected.json: bad kind\nmore" },
];

describe("runSelftest", () => {
  it("checks its options before it loads the assignment", async () => {
    let loaded = 0;
    const load = async () => {
      loaded++;
      return fakeAssignment();
    };
    for (const options of [{ seeds: 0 }, { jobs: 1.5 }, { only: ["nothing"] }]) {
      await expect(runSelftest({ ...options, targets, assignment: load })).rejects.toThrow(
        UsageError,
      );
    }
    expect(loaded).toBe(0);
  });

  it("returns one row per target and the gradings, with progress on stderr over seeds", async () => {
    const calls: GradeOptions[] = [];
    let stderr = "";
    const report = await runSelftest(
      {
        targets,
        seeds: 2,
        seed: 10,
        assignment: fakeAssignment(),
        grade: async (options) => {
          calls.push(options);
          return passingResult();
        },
      },
      { stderr: (text) => (stderr += text) },
    );
    expect(calls.map((c) => c.seed)).toEqual([10, 11]);
    expect(report.seeds).toEqual([10, 11]);
    expect(report.gradings).toHaveLength(2);
    expect(report.rows.map((r) => [r.target, r.agrees, r.error])).toEqual([
      ["solution", true, false],
      ["broken", false, true],
    ]);
    expect(report.rows[1]!.got).toBe("error: expected.json: bad kind");
    expect(stderr).toMatch(/^selftest: 2 targets x 2 seeds \(10\.\.11\), 2 gradings, -j 1;/);
    expect(stderr).toContain("[2/2] solution, seed 11 (all): ");
    expect(formatSelftestReport(report, false)).toContain(
      "selftest: 1 of 2 targets disagree over 2 seeds\n",
    );
  });
});
