import { describe, expect, it } from "vitest";
import { row } from "../../../testing/batch/sampleRow.js";
import { formatRegradeDiff } from "../report/formatRegradeDiff.js";
import { compareExitCode, compareRows, EXIT_UNSTABLE_REGRADE } from "./compareGrades.js";

describe("compareRows", () => {
  it("lists exactly the students whose grade or checks changed, with the flipped checks", () => {
    const before = [
      row("alice", 10, { failedChecks: ["1.a", "2.b"] }),
      row("bob", 20),
      row("gone", 5),
    ];
    const after = [
      row("alice", 15, { failedChecks: ["2.b", "2.c"], submissionHash: "new" }),
      row("bob", 20),
      row("new", 3),
    ];
    const diff = compareRows(before, after);
    expect(diff.compared).toBe(2);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]).toMatchObject({
      folder: "alice",
      delta: 5,
      nowFailing: ["2.c"],
      nowPassing: ["1.a"],
      unstable: false,
    });
    expect(diff.added).toEqual(["new"]);
    expect(diff.removed).toEqual(["gone"]);
  });

  it("flags an unchanged submission whose grade moved under the same seed", () => {
    const diff = compareRows([row("bob", 20)], [row("bob", 18, { failedChecks: ["3.x"] })]);
    expect(diff.changed[0]!.unstable).toBe(true);
    const text = formatRegradeDiff(diff, "old/grades.csv");
    expect(
      text.startsWith("!!! 1 UNCHANGED submission(s) graded differently under the same seed"),
    ).toBe(true);
    expect(text).toContain("bob: 20 -> 18 (-2)  !!! unchanged submission");
  });

  it("does not flag a changed submission, nor one graded under another seed", () => {
    const otherSeed = compareRows([row("bob", 20)], [row("bob", 18, { seed: 6 })]);
    expect(otherSeed.changed[0]!.unstable).toBe(false);
  });

  it("prints a status change and stays quiet about unchanged students", () => {
    const diff = compareRows(
      [row("bob", 20), row("carol", 0, { status: "error", message: "no src/" })],
      [row("bob", 20), row("carol", 12, { submissionHash: "fixed" })],
    );
    const text = formatRegradeDiff(diff, "prev");
    expect(text).toContain("Regrade diff against prev: 1 of 2 submission(s) changed");
    expect(text).toContain("carol: 0 -> 12 (+12, error -> graded)");
    expect(text).not.toContain("bob");
  });

  it("exits 3 for an unchanged submission graded differently, whatever else happened", () => {
    expect(EXIT_UNSTABLE_REGRADE).toBe(3);
    const before = [row("bob", 20), row("carol", 10)];
    const moved = [row("bob", 18), row("carol", 10)];
    expect(compareExitCode(1, before, moved)).toBe(3);
    // Ungraded submissions alone keep 1; a changed submission (new hash) is no alarm.
    const error = row("carol", 0, { status: "error", submissionHash: "new" });
    expect(compareExitCode(1, before, [row("bob", 20), error])).toBe(1);
    expect(
      compareExitCode(0, before, [row("bob", 20, { submissionHash: "new" }), row("carol", 10)]),
    ).toBe(0);
    expect(compareExitCode(1, before, [row("bob", 18), error])).toBe(3);
    expect(compareExitCode(0, null, moved)).toBe(0);
  });
});
