import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import type { CheckStatus, GradeResult } from "../model/results.js";
import type { ExpectedOutcome } from "./expectedOutcome.js";
import { formatSeedFigures } from "./formatSeedFigures.js";
import { type SeedGrading, seedFigures } from "./seedFigures.js";

/** A result whose checks have the given statuses (the rest of sampleResult's checks skipped). */
function graded(statuses: Record<string, CheckStatus>): GradeResult {
  const result = sampleResult();
  for (const problem of result.problems) {
    for (const check of problem.checks) check.status = statuses[check.id] ?? "skipped";
  }
  return result;
}

const outcome = (
  kind: ExpectedOutcome["kind"],
  expect: ExpectedOutcome["expect"],
): ExpectedOutcome => ({ kind, description: "test", expect });

const correct = outcome("correct", { "*": "passed" });
const mistake = outcome("mistake", {
  "*": "passed",
  "1.batchedMatmul.values": "failed",
  "1.slideEinsum": "any",
});

describe("seedFigures", () => {
  it("sorts disagreements into false failures, missed mistakes and others, and counts catches", () => {
    const gradings: SeedGrading[] = [
      {
        target: "ok",
        seed: 1,
        expected: correct,
        result: graded({ "1.contract.values": "passed" }),
      },
      {
        target: "ok",
        seed: 2,
        expected: correct,
        result: graded({ "1.contract.values": "timeout" }),
      },
      {
        target: "bug",
        seed: 1,
        expected: mistake,
        result: graded({ "1.contract.values": "passed", "1.batchedMatmul.values": "failed" }),
      },
      {
        target: "bug",
        seed: 2,
        expected: mistake,
        result: graded({ "1.contract.values": "passed", "1.batchedMatmul.values": "passed" }),
      },
      {
        target: "bug",
        seed: 3,
        expected: mistake,
        result: graded({ "1.batchedMatmul.values": "error" }),
      },
      // Only a problem with nothing to catch was graded, and nothing failed.
      {
        target: "bug",
        seed: 4,
        expected: mistake,
        result: graded({ "1.contract.values": "passed" }),
      },
    ];
    const figures = seedFigures(gradings);
    expect(figures.gradings).toBe(6);
    expect(figures.falseFailures).toEqual([
      { target: "ok", seed: 2, check: "1.contract.values", status: "timeout" },
    ]);
    expect(figures.missedMistakes).toEqual([
      { target: "bug", seed: 2, check: "1.batchedMatmul.values" },
      { target: "bug", seed: 4, check: "" },
    ]);
    expect(figures.otherDisagreements).toEqual([
      { target: "bug", seed: 3, check: "1.batchedMatmul.values", status: "error" },
    ]);
    // "ok" expects nothing to fail: no catch rate. seed 3 caught it, with another status.
    expect(figures.catchRates).toEqual([{ target: "bug", caught: 2, graded: 4 }]);

    expect(formatSeedFigures(figures, 4)).toEqual([
      "figures over 4 seeds (6 gradings):",
      "  false failures (a check expected to pass did not): 1",
      "    seed 2: ok 1.contract.values (timeout)",
      "  missed mistakes (a check expected not to pass passed): 2",
      "    bug: 1.batchedMatmul.values at seed 2",
      "    bug: no check caught it at seed 4",
      "  other disagreements (another status than expected): 1",
      "    bug: 1.batchedMatmul.values (error) at seed 3",
      "  catch rate (gradings in which every expected failure showed):",
      "    bug  2/4  (50%)",
    ]);
  });

  it("reports zeros when everything agrees", () => {
    const figures = seedFigures([
      {
        target: "ok",
        seed: 1,
        expected: correct,
        result: graded({ "1.contract.values": "passed" }),
      },
      {
        target: "bug",
        seed: 1,
        expected: mistake,
        result: graded({ "1.batchedMatmul.values": "failed" }),
      },
    ]);
    expect(formatSeedFigures(figures, 1)).toEqual([
      "figures over 1 seeds (2 gradings):",
      "  false failures (a check expected to pass did not): 0",
      "  missed mistakes (a check expected not to pass passed): 0",
      "  other disagreements (another status than expected): 0",
      "  catch rate (gradings in which every expected failure showed):",
      "    bug  1/1",
    ]);
  });
});
