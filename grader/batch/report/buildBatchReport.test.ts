import { describe, expect, it } from "vitest";
import { knockOnResult } from "../../../testing/knockOnSample.js";
import { sampleResult } from "../../../testing/sampleResult.js";
import type { StoredResult } from "../store/resultStore.js";
import { failuresByFolder, submissionFailures } from "./buildBatchReport.js";

describe("submissionFailures", () => {
  it("lists the root causes with their messages and only counts the knock-ons", () => {
    const failures = submissionFailures(knockOnResult());
    expect(failures.rootCauses).toEqual([
      {
        checkId: "3.Linear.backward",
        title: "Linear: gradients",
        status: "failed",
        message: "Linear.grad (D_W[Z]) differs from the reference at 2 of 6 entries",
        knockOns: 2,
      },
      {
        checkId: "5.einsum.backward",
        title: "einsum: gradients",
        status: "not-implemented",
        message: 'einsumBackward throws "not implemented"',
        knockOns: 1,
      },
    ]);
    expect(failures.knockOns).toBe(3);
  });

  it("agrees with the failed checks of the batch row: root causes and knock-ons are all of them", () => {
    const result = sampleResult();
    const failed = result.problems
      .flatMap((p) => p.checks)
      .filter((c) => c.status !== "passed" && c.status !== "skipped");
    const failures = submissionFailures(result);
    expect(failures.rootCauses.length + failures.knockOns).toBe(failed.length);
    expect(failures.rootCauses.length).toBeGreaterThan(0);
  });
});

describe("failuresByFolder", () => {
  it("has an entry per graded stored result, none for an error", () => {
    const base = {
      storedResultVersion: 1 as const,
      assignmentId: "autodiff",
      assignmentFingerprint: "f",
      seed: 42,
      graderVersion: "0.1.0",
      submissionHash: "h",
    };
    const results = new Map<string, StoredResult>([
      ["alice", { ...base, folder: "alice", status: "graded", result: knockOnResult() }],
      ["bob", { ...base, folder: "bob", status: "error", message: "no src/", retry: false }],
    ]);
    const failures = failuresByFolder(results);
    expect([...failures.keys()]).toEqual(["alice"]);
    expect(failures.get("alice")!.rootCauses.map((f) => f.checkId)).toEqual([
      "3.Linear.backward",
      "5.einsum.backward",
    ]);
  });
});
