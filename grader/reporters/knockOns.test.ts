import { describe, expect, it } from "vitest";
import { knockOnResult } from "../../testing/knockOnSample.js";
import { knockOnMessage } from "../model/knockOn.js";
import type { CheckResult } from "../model/results.js";
import { KNOCK_ON_PREFIX, knockOnCheckIds, knockOnRoots, planKnockOns } from "./knockOns.js";

function check(extra: Partial<CheckResult>): CheckResult {
  return {
    id: "3.x",
    title: "x",
    status: "failed",
    score: 0,
    maxScore: 1,
    hidden: false,
    message: "",
    counterexample: null,
    replay: null,
    runs: 1,
    durationMs: 1,
    ...extra,
  };
}

describe("knockOnRoots", () => {
  it("reads the ids from gradeSubmission's message", () => {
    expect(
      knockOnRoots(
        check({
          message: `${KNOCK_ON_PREFIX}3.Linear.forward, 3.Linear.backward, which did not pass`,
        }),
      ),
    ).toEqual(["3.Linear.forward", "3.Linear.backward"]);
    expect(knockOnRoots(check({ message: `${KNOCK_ON_PREFIX}5.a, which did not pass` }))).toEqual([
      "5.a",
    ]);
  });

  it("is null for anything else: other statuses, other messages, hidden generic messages", () => {
    const message = `${KNOCK_ON_PREFIX}5.a, which did not pass`;
    expect(knockOnRoots(check({ status: "error", message }))).toBeNull();
    expect(knockOnRoots(check({ status: "passed", message }))).toBeNull();
    expect(knockOnRoots(check({ message: "expected 1, got 2" }))).toBeNull();
    expect(knockOnRoots(check({ message: `hint: ${message}` }))).toBeNull();
    expect(knockOnRoots(check({ message: KNOCK_ON_PREFIX }))).toBeNull();
    expect(
      knockOnRoots(
        check({
          hidden: true,
          message: "failed (hidden check: its inputs, output and details are not shown)",
        }),
      ),
    ).toBeNull();
  });

  it("reads back the message gradeSubmission writes", () => {
    const message = knockOnMessage(["3.Linear.forward", "3.Linear.backward"]);
    expect(knockOnRoots(check({ message }))).toEqual(["3.Linear.forward", "3.Linear.backward"]);
  });

  it("lists the knock-ons of a result", () => {
    expect(knockOnCheckIds(knockOnResult())).toEqual([
      "3.Linear.shapes",
      "3.Linear.immutable",
      "5.einsum.repeated",
    ]);
  });
});

describe("planKnockOns", () => {
  const hasBlock = (c: CheckResult) =>
    c.status !== "passed" && c.status !== "not-implemented" && c.status !== "skipped";

  it("puts knock-ons under the failure they wait for, or among the orphans when it has no block", () => {
    const [layers, einsum] = knockOnResult().problems;
    const plan = planKnockOns(layers!.checks, hasBlock);
    const backward = layers!.checks[1]!;
    expect(plan.costs(backward).map((k) => k.check.id)).toEqual([
      "3.Linear.shapes",
      "3.Linear.immutable",
    ]);
    expect(plan.isKnockOn(layers!.checks[2]!)).toBe(true);
    expect(plan.isKnockOn(backward)).toBe(false);
    expect(plan.orphans).toEqual([]);
    const other = planKnockOns(einsum!.checks, hasBlock);
    expect(other.orphans.map((c) => c.id)).toEqual(["5.einsum.repeated"]);
  });

  it("follows a chain of knock-ons to the real failure, and survives cycles", () => {
    const a = check({ id: "a", message: "wrong" });
    const b = check({ id: "b", message: `${KNOCK_ON_PREFIX}a, which did not pass` });
    const c = check({ id: "c", message: `${KNOCK_ON_PREFIX}b, d, which did not pass` });
    const plan = planKnockOns([a, b, c], hasBlock);
    expect(plan.costs(a).map((k) => [k.check.id, k.alsoNeeds])).toEqual([
      ["b", []],
      ["c", ["b", "d"]],
    ]);
    const x = check({ id: "x", message: `${KNOCK_ON_PREFIX}y, which did not pass` });
    const y = check({ id: "y", message: `${KNOCK_ON_PREFIX}x, which did not pass` });
    expect(planKnockOns([x, y], hasBlock).orphans).toEqual([x, y]);
  });
});
