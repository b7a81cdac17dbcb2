import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeDeps, fakeIO, passingResult } from "../../../testing/cliFakes.js";
import { sampleResult } from "../../../testing/sampleResult.js";
import type { GradeResult } from "../../model/results.js";
import {
  ALL_NOT_IMPLEMENTED,
  FULL_MARKS,
  type SelftestTarget,
} from "../../selftest/selftestTargets.js";
import { runSelftestCommand } from "./selftest.js";

function starterResult(): GradeResult {
  const result = sampleResult();
  for (const problem of result.problems) {
    problem.score = 0;
    for (const check of problem.checks) {
      check.status = "not-implemented";
      check.score = 0;
    }
  }
  result.score = 0;
  return result;
}

function fullResult(): GradeResult {
  const result = passingResult();
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      check.status = "passed";
      check.score = check.maxScore;
    }
    problem.score = problem.maxScore;
  }
  result.score = result.maxScore;
  return result;
}

const targets = (dir: string): SelftestTarget[] => [
  { name: "reference solution", dir, srcDir: dir, expected: FULL_MARKS },
  { name: "starter", dir, expected: ALL_NOT_IMPLEMENTED },
];

describe("selftest", () => {
  it("exits 0 with a table when every target agrees", async () => {
    const io = fakeIO();
    let call = 0;
    const deps = fakeDeps(() => (call++ === 0 ? fullResult() : starterResult()));
    expect(await runSelftestCommand({}, io, deps, targets(io.cwd))).toBe(0);
    expect(deps.calls.map((c) => ({ ...c, assignment: undefined }))).toEqual([
      { dir: io.cwd, srcDir: io.cwd, assignment: undefined, seed: undefined, mode: "grade" },
      { dir: io.cwd, assignment: undefined, seed: undefined, mode: "grade" },
    ]);
    expect(io.out).toBe(
      [
        "target              expected                got                       agrees",
        "reference solution  full marks              65/65: 13 passed          yes",
        "starter             0, all not implemented  0/65: 13 not-implemented  yes",
        "",
        "selftest: all 2 targets agree",
        "",
      ].join("\n"),
    );
  });

  it("exits 1 and names the disagreeing checks otherwise", async () => {
    const io = fakeIO();
    const deps = fakeDeps(sampleResult);
    expect(await runSelftestCommand({ seed: "9" }, io, deps, targets(io.cwd))).toBe(1);
    expect(deps.calls[0]!.seed).toBe(9);
    expect(io.out).toContain(
      "reference solution disagrees on:\n  1.batchedMatmul.values: expected passed, got failed: Y has the wrong shape: expected [1, 3], got [3, 1]\n",
    );
    expect(io.out).toContain(
      "reference solution  full marks              38/65: 4 passed, 2 failed,",
    );
    expect(io.out).toContain(
      "starter disagrees on:\n  1.contract.values: expected not-implemented, got passed\n",
    );
    expect(io.out).toContain("selftest: 2 of 2 targets disagree");
  });

  it("exits 2 when grading a target fails, and when a target is missing", async () => {
    let io = fakeIO();
    const deps = fakeDeps(sampleResult, new Error("sandbox did not start"));
    expect(await runSelftestCommand({}, io, deps, targets(io.cwd))).toBe(2);
    expect(io.out).toContain("error: sandbox did not start");
    io = fakeIO();
    const missing = [{ name: "x", dir: "/nonexistent/gradmark", expected: FULL_MARKS }];
    expect(await runSelftestCommand({}, io, fakeDeps(), missing)).toBe(2);
    expect(io.err).toBe(
      'gradmark: selftest target /nonexistent/gradmark is missing\nRun "gradmark selftest --help" for usage.\n',
    );
  });

  it("with --seeds: grades a sample in full once, then only the problems its changes reach", async () => {
    const io = fakeIO();
    const sample = join(io.cwd, "mistake-b");
    mkdirSync(join(sample, "src"), { recursive: true });
    writeFileSync(join(sample, "src", "b.ts"), "export const b = 2;\n");
    const expected = {
      kind: "mistake" as const,
      description: "b is wrong",
      base: "solution" as const,
      expect: { "*": "passed" as const, "1.batchedMatmul.values": "failed" as const },
    };
    const all: SelftestTarget[] = [
      ...targets(io.cwd),
      { name: "mistake-b", dir: sample, expected },
    ];
    let call = 0;
    // Solution, starter, sample (seed 1, 2, 3 each, in that order with -j 1).
    const deps = fakeDeps(() => {
      const which = Math.floor(call++ / 3);
      if (which === 0) return fullResult();
      if (which === 1) return starterResult();
      // The sample's bug shows under seeds 1 and 3 only.
      const result = fullResult();
      const check = result.problems[0]!.checks[1]!;
      if (call !== 8) {
        check.status = "failed";
        check.score = 0;
        result.score -= check.maxScore;
      }
      return result;
    });
    const code = await runSelftestCommand({ seeds: 3, seed: "5" }, io, deps, all);
    expect(code).toBe(1);
    expect(deps.calls.map((c) => [c.seed, c.only])).toEqual([
      [5, undefined],
      [6, undefined],
      [7, undefined],
      [5, undefined],
      [6, undefined],
      [7, undefined],
      [5, undefined],
      [6, ["second"]],
      [7, ["second"]],
    ]);
    expect(io.out).toContain(
      "mistake-b disagrees on:\n  seed 6: 1.batchedMatmul.values: expected failed, got passed\n",
    );
    expect(io.out).toContain(
      [
        "figures over 3 seeds (9 gradings):",
        "  false failures (a check expected to pass did not): 0",
        "  missed mistakes (a check expected not to pass passed): 1",
        "    mistake-b: 1.batchedMatmul.values at seed 6",
      ].join("\n"),
    );
    expect(io.out).toContain("    mistake-b  2/3  (67%)\n");
    expect(io.out).toMatch(/ {2}run time: \d+ s with -j 1 on \d+ cores\n/);
    expect(io.err).toContain("[9/9] mistake-b, seed 7 (problems second): ");
  });

  it("with -j 2 runs two gradings at once and keeps the table in target order", async () => {
    const io = fakeIO();
    let running = 0;
    let most = 0;
    const deps = fakeDeps();
    deps.gradeSubmission = async (options) => {
      deps.calls.push(options);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return options.srcDir === undefined ? starterResult() : fullResult();
    };
    expect(await runSelftestCommand({ seeds: 2, jobs: 2 }, io, deps, targets(io.cwd))).toBe(0);
    expect(most).toBe(2);
    expect(io.out).toMatch(/reference solution {2}full marks .*\nstarter /);
    expect(io.out).toContain("selftest: all 2 targets agree over 2 seeds");
    expect(await runSelftestCommand({ jobs: 0 }, fakeIO(), deps, targets(io.cwd))).toBe(2);
  });
});
