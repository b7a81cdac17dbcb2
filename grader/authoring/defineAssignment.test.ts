import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packagePath } from "../common/packagePath.js";
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
  drivers: packagePath("testing/toy/drivers.ts"),
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
    [
      "two check ids equal but for case",
      (d: AssignmentDefinition) => d.problems[0]!.checks.push(check("1.X")),
      /check "1.X": differs from check "1.x" only in case, which --only could not tell apart/,
    ],
    [
      "a check id that is a problem id, in any case",
      (d: AssignmentDefinition) =>
        d.problems.push({ id: "p2", title: "Two", module: "ops", checks: [check("P2")] }),
      /check "P2": is also the id of problem "p2", so --only P2 would be ambiguous/,
    ],
    [
      "a check id that is a module name",
      (d: AssignmentDefinition) => d.problems[0]!.checks.push(check("Ops")),
      /check "Ops": is also the name of module "ops", so --only Ops would be ambiguous/,
    ],
    [
      "a check id that is another check's export name",
      (d: AssignmentDefinition) => d.problems[0]!.checks.push(check("x2"), check("1.x2.values")),
      /check "x2": is also the export name of check "1.x2.values", so --only x2 would be ambiguous/,
    ],
    [
      "two problem ids equal but for case",
      (d: AssignmentDefinition) =>
        d.problems.push(
          { id: "a", title: "A", module: "ops", checks: [check("a.1")] },
          { id: "A", title: "A", module: "ops", checks: [check("A.2")] },
        ),
      /problem "A": differs from problem "a" only in case/,
    ],
    [
      "a problem id that is another problem's module",
      (d: AssignmentDefinition) => {
        d.modules.push("more");
        d.problems.push({ id: "ops", title: "Ops", module: "more", checks: [check("ops.1")] });
      },
      /problem "ops": is also the module of problem "1", so --only ops would select both/,
    ],
    [
      "a check id with a comma",
      (d: AssignmentDefinition) => d.problems[0]!.checks.push(check("1.a,b")),
      /check "1.a,b": id must be a short identifier \(letters, digits, '.', '_' and '-'; no spaces, quotes or commas\)/,
    ],
    [
      "a check id with a space",
      (d: AssignmentDefinition) => d.problems[0]!.checks.push(check("1.a b")),
      /check "1.a b": id must be a short identifier/,
    ],
    [
      "a module name with a space",
      (d: AssignmentDefinition) => d.modules.push("my ops"),
      /module "my ops": a module name must be a file name without extension/,
    ],
    [
      "a module listed twice",
      (d: AssignmentDefinition) => d.modules.push("OPS"),
      /module "OPS" is listed twice/,
    ],
  ])("names %s", (_, edit, message) => {
    const definition = base();
    edit(definition);
    expect(() => defineAssignment(definition)).toThrow(message);
  });

  it("allows a check id that starts another's: --only takes check ids whole", () => {
    const definition = base();
    definition.problems[0]!.checks.push(check("1.x.large"));
    expect(() => defineAssignment(definition)).not.toThrow();
  });

  it("records the file that defined the assignment", () => {
    expect(defineAssignment(base()).definedIn).toBe(
      packagePath("grader/authoring/defineAssignment.test.ts"),
    );
  });

  it("defines the built-in assignment", async () => {
    const { autodiff } = await import("../assignments/autodiff/index.js");
    expect(autodiff.maxScore).toBeGreaterThan(0);
    expect(autodiff.definedIn).toBe(packagePath("grader/assignments/autodiff/index.ts"));
  });
});
