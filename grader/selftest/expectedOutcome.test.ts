import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import {
  disagreementsWith,
  type ExpectedOutcome,
  expectationFor,
  readExpectedOutcome,
} from "./expectedOutcome.js";

const outcome = (
  expect: ExpectedOutcome["expect"],
  kind: ExpectedOutcome["kind"] = "mistake",
): ExpectedOutcome => ({
  kind,
  description: "test",
  expect,
});

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("expected outcomes of sample submissions", () => {
  it("lets the longest covering key decide", () => {
    const expected = outcome({
      "*": "passed",
      "3": "not-passed",
      "3.Linear": "any",
      "3.Linear.backward": "failed",
    });
    expect(expectationFor(expected, "1", "1.contract.forward")).toBe("passed");
    expect(expectationFor(expected, "3", "3.Bias.forward")).toBe("not-passed");
    expect(expectationFor(expected, "3", "3.Linear.forward")).toBe("any");
    expect(expectationFor(expected, "3", "3.Linear.backward")).toBe("failed");
    // A prefix covers whole id segments only: "3.Linear" is not a prefix of "3.LinearX".
    expect(expectationFor(expected, "3", "3.LinearX.forward")).toBe("not-passed");
  });

  it("lists every check that breaks the expectation, and an uncaught mistake", () => {
    const result = sampleResult();
    const notes = disagreementsWith(result, outcome({ "*": "passed" }, "correct"));
    expect(
      notes.some((n) => n.startsWith("1.batchedMatmul.values: expected passed, got failed")),
    ).toBe(true);
    expect(notes.at(-1)).toMatch(/a correct submission must get full marks/);
    expect(disagreementsWith(result, outcome({ "*": "any" }))).toEqual([]);
    for (const problem of result.problems)
      for (const check of problem.checks) check.status = "passed";
    result.score = result.maxScore;
    expect(disagreementsWith(result, outcome({ "*": "any" }))).toEqual([
      "the planted mistake was not caught by any check",
    ]);
  });

  it("reads expected.json and names what is wrong with it", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-expected-"));
    expect(() => readExpectedOutcome(dir)).toThrow(/expected.json is missing/);
    writeFileSync(join(dir, "expected.json"), "{");
    expect(() => readExpectedOutcome(dir)).toThrow(/is not valid JSON/);
    writeFileSync(
      join(dir, "expected.json"),
      JSON.stringify({ kind: "odd", description: "x", expect: {} }),
    );
    expect(() => readExpectedOutcome(dir)).toThrow(/kind must be one of/);
    writeFileSync(
      join(dir, "expected.json"),
      JSON.stringify({ kind: "mistake", description: "x", expect: { "3": "broken" } }),
    );
    expect(() => readExpectedOutcome(dir)).toThrow(/expect\["3"\] is "broken", not a status/);
    writeFileSync(
      join(dir, "expected.json"),
      JSON.stringify({ kind: "mistake", description: "x", expect: { "*": ["failed", "error"] } }),
    );
    expect(readExpectedOutcome(dir).expect["*"]).toEqual(["failed", "error"]);
  });
});
