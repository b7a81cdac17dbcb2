import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packagePath } from "../packagePath.js";
import { defineAssignment } from "./defineAssignment.js";
import { PASS } from "./judge.js";
import type { AssignmentDefinition, CheckDefinition } from "./types.js";

const check = (id: string, extra: Partial<CheckDefinition> = {}): CheckDefinition => ({
  id,
  title: id,
  points: 1,
  cases: fc.constant(1),
  driver: "call",
  payload: () => ({}),
  judge: () => PASS,
  ...extra,
});

const base = (): AssignmentDefinition => ({
  id: "a",
  title: "A",
  seed: 1,
  modules: ["ops"],
  drivers: packagePath("grader/testing/toy/drivers.ts"),
  problems: [
    {
      id: "1",
      title: "One",
      module: "ops",
      checks: [check("1.x"), check("1.y", { requires: ["1.x"] })],
    },
  ],
});

describe("defineAssignment", () => {
  it("fills in defaults and adds up the points", () => {
    const assignment = defineAssignment(base());
    expect(assignment.maxScore).toBe(2);
    expect(assignment.defaults).toMatchObject({ runs: 25, timeoutMs: 2000 });
    expect(assignment.limits.heapMb).toBeGreaterThan(0);
  });

  it.each([
    [
      "a bad seed",
      (d: AssignmentDefinition) => Object.assign(d, { seed: 1.5 }),
      /seed must be an integer/,
    ],
    [
      "no modules",
      (d: AssignmentDefinition) => Object.assign(d, { modules: [] }),
      /modules must list/,
    ],
    [
      "a relative drivers path",
      (d: AssignmentDefinition) => Object.assign(d, { drivers: "drivers.ts" }),
      /absolute path/,
    ],
    [
      "a missing drivers file",
      (d: AssignmentDefinition) => Object.assign(d, { drivers: "/nowhere/drivers.ts" }),
      /does not exist/,
    ],
    [
      "an unknown module",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!, { module: "x" }),
      /problem "1": module "x" is not in modules/,
    ],
    [
      "a duplicate check id",
      (d: AssignmentDefinition) => d.problems[0]!.checks.push(check("1.x")),
      /check "1.x": the id is used twice/,
    ],
    [
      "negative points",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!.checks[0]!, { points: -1 }),
      /points must be a non-negative number, got -1/,
    ],
    [
      "a zero weight",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!, { weight: 0 }),
      /problem "1": weight must be a positive number, got 0/,
    ],
    [
      "zero runs",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!.checks[0]!, { runs: 0 }),
      /runs must be a positive integer/,
    ],
    [
      "an unknown requirement",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!.checks[1]!, { requires: ["1.z"] }),
      /requires "1.z", which is not another check/,
    ],
    [
      "cases that are not an arbitrary",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!.checks[0]!, { cases: [1, 2] }),
      /cases must be a fast-check arbitrary/,
    ],
    [
      "a wrong point total",
      (d: AssignmentDefinition) => Object.assign(d.problems[0]!, { points: 5 }),
      /checks add up to 2 points, not 5/,
    ],
    [
      "a bad hidden visibility",
      (d: AssignmentDefinition) => Object.assign(d, { hiddenVisibility: "later" }),
      /hiddenVisibility must be one of/,
    ],
  ])("names %s", (_, edit, message) => {
    const definition = base();
    edit(definition);
    expect(() => defineAssignment(definition)).toThrow(message);
  });
});
