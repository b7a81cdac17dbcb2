/**
 * Faults of the assignment (the course staff's code) end a grading with an AssignmentError, and
 * every command with exit 2 and one line naming the assignment, the check and the fault; they
 * are never charged to the student. Each toy assignment here is the toy with one staff mistake.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { fakeIO } from "../../testing/cliFakes.js";
import { toyAssignment } from "../../testing/toy/toyAssignment.js";
import { defineAssignment } from "../authoring/defineAssignment.js";
import { guardFilters } from "../authoring/guardFilters.js";
import type { Assignment, CheckDefinition } from "../authoring/types.js";
import { runCli } from "../cli/cli.js";
import { runBatchCommand } from "../cli/commands/batch.js";
import { runSelftestCommand } from "../cli/commands/selftest.js";
import { runGradeFlow } from "../cli/gradeFlow.js";
import { type CliDeps, defaultDeps } from "../cli/shared.js";
import { AssignmentError, assignmentFaultIn } from "../common/AssignmentError.js";
import { packagePath } from "../common/packagePath.js";
import { bundleSubmission } from "../sandbox/bundleSubmission.js";
import { Sandbox } from "../sandbox/Sandbox.js";
import { FULL_MARKS } from "../selftest/selftestTargets.js";
import { gradeSubmission } from "./gradeSubmission.js";

const THIS_FILE = "grader/engine/gradeSubmission.staffFaults.test.ts";
const toy = (who: string) => packagePath(`testing/toy/${who}`);

/** The toy assignment, defined again here with `edit` applied to one check. */
function toyWith(
  checkId: string,
  edit: (check: CheckDefinition) => Partial<CheckDefinition>,
  extra: { drivers?: string } = {},
): Assignment {
  return defineAssignment({
    ...toyAssignment,
    id: "toy-fault",
    ...extra,
    problems: toyAssignment.problems.map((problem) => ({
      ...problem,
      checks: problem.checks.map((check) =>
        check.id === checkId ? { ...check, ...edit(check) } : check,
      ),
    })),
  });
}

const misspelledDriver = () => toyWith("2.twice.values", () => ({ driver: "cal" }));
const throwingJudge = () =>
  toyWith("1.add.values", () => ({
    judge: () => {
      const shape = (undefined as unknown as { shape: number[] }).shape;
      return { pass: shape.length > 0 } as never;
    },
  }));
const throwingArbitrary = () =>
  toyWith("2.twice.values", () => ({
    cases: fc.integer().map((): never => {
      throw new RangeError("no such shape");
    }),
  }));
const badImport = () =>
  toyWith("1.add.values", () => ({}), {
    drivers: packagePath("testing/toy/faults/badImportDrivers.ts"),
  });

async function fault(assignment: Assignment, who = "good"): Promise<AssignmentError> {
  const error = await gradeSubmission({ dir: toy(who), assignment }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AssignmentError);
  expect((error as Error).message).not.toContain("\n");
  return error as AssignmentError;
}

describe("staff faults: gradeSubmission throws an AssignmentError naming the check", () => {
  it("a driver name the drivers module does not have", async () => {
    const error = await fault(misspelledDriver());
    expect(error.checkId).toBe("2.twice.values");
    expect(error.message).toBe(
      `assignment toy-fault (${THIS_FILE}): check 2.twice.values: its driver "cal" is not in the drivers module testing/toy/drivers.ts (it has: call)`,
    );
  });

  it("finds a missing driver before any batch reaches the child", async () => {
    const out = mkdtempSync(join(tmpdir(), "gradmark-drivers-"));
    try {
      const bundle = await bundleSubmission({
        srcDir: toy("good/src"),
        modules: toyAssignment.modules,
        driversFile: toyAssignment.drivers,
        outDir: out,
      });
      const sandbox = new Sandbox(bundle.file, toyAssignment.limits);
      sandbox.requireDrivers(["call", "cal"]);
      // "call" exists, but the assignment also needs "cal": nothing is run at all.
      const result = await sandbox.run(
        "call",
        { payloads: [null], floats: new Float64Array() },
        5000,
      );
      // gradmark's own drivers are in every child, beside the module's.
      expect(result).toMatchObject({
        kind: "unknown-driver",
        missing: ["cal"],
        known: ["call", "gradmark.call", "gradmark.layer"],
      });
      await sandbox.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("a drivers module that fails to load in the sandbox (a value import from gradmark)", async () => {
    const error = await fault(badImport());
    expect(error.checkId).not.toBeNull();
    expect(error.message).toMatch(
      new RegExp(
        `^assignment toy-fault \\(${THIS_FILE}\\): check [\\w.]+: its drivers module testing/toy/faults/badImportDrivers\\.ts failed to load in the sandbox: Error: Dynamic require of "fs" is not supported`,
      ),
    );
    expect(error.message).toContain('import only types from "gradmark"');
  });

  it("a judge that throws", async () => {
    const error = await fault(throwingJudge());
    expect(error.message).toMatch(
      new RegExp(
        `^assignment toy-fault \\(${THIS_FILE}\\): check 1\\.add\\.values: its judge threw TypeError: Cannot read properties of undefined \\(reading 'shape'\\) at ${THIS_FILE}:\\d+:\\d+$`,
      ),
    );
  });

  it("an arbitrary that throws while generating", async () => {
    const error = await fault(throwingArbitrary());
    expect(error.message).toMatch(
      new RegExp(
        `^assignment toy-fault \\(${THIS_FILE}\\): check 2\\.twice\\.values: its cases \\(the fast-check arbitrary\\) threw while generating: RangeError: no such shape at ${THIS_FILE}:\\d+:\\d+$`,
      ),
    );
  });

  it("an arbitrary whose filter never yields: a fault in a bounded time, not a hang", async () => {
    guardFilters({ limitMs: 200 });
    try {
      const never = toyWith("2.twice.values", () => ({ cases: fc.integer().filter(() => false) }));
      const error = await fault(never);
      expect(error.message).toMatch(
        new RegExp(
          `^assignment toy-fault \\(${THIS_FILE}\\): check 2\\.twice\\.values: its cases \\(the fast-check arbitrary\\) threw while generating: NeverYieldsError: a \\.filter\\(\\.\\.\\.\\) rejected every value it was offered`,
        ),
      );
    } finally {
      guardFilters();
    }
  });

  it("a student's own throw stays the student's error", async () => {
    const result = await gradeSubmission({ dir: toy("thrower"), assignment: throwingArbitrary() })
      .then(() => "graded")
      .catch((e: Error) => e.message);
    // The arbitrary fault is the staff's, whatever the submission does...
    expect(result).toMatch(/its cases/);
    // ...and with a sound assignment the same submission's throw is its own error, as before.
    const graded = await gradeSubmission({ dir: toy("thrower"), assignment: toyAssignment });
    const add = graded.problems[0]!.checks.find((c) => c.id === "1.add.values")!;
    expect(add.status).toBe("error");
    expect(add.message).toContain("threw RangeError: a helper of add failed");
  });
});

/** The real grader, with the assignment given here instead of loaded from a file. */
const depsWith = (assignment: Assignment): CliDeps => ({
  ...defaultDeps,
  loadAssignment: async () => assignment,
});

describe("staff faults: every command exits 2 with the one line", () => {
  it.each([
    ["grade", "a misspelled driver", misspelledDriver, /check 2\.twice\.values: its driver "cal"/],
    ["check", "a throwing judge", throwingJudge, /check 1\.add\.values: its judge threw TypeError/],
    ["grade", "a throwing arbitrary", throwingArbitrary, /check 2\.twice\.values: its cases/],
    ["check", "a bad drivers import", badImport, /its drivers module \S+ failed to load/],
  ] as const)("%s with %s", async (mode, _, make, message) => {
    const io = fakeIO();
    const code = await runGradeFlow(
      mode,
      { dir: toy("good"), format: "terminal", seed: "7" },
      io,
      depsWith(make()),
    );
    expect(code).toBe(2);
    const lines = io.err.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradmark: assignment toy-fault \(/);
    expect(lines[0]).toMatch(message);
    // Nothing of a report: check prints only the seed it drew first.
    expect(io.out).toBe(mode === "check" ? "seed: 7\n" : "");
  });

  it("--assignment <file> names the file", async () => {
    const io = fakeIO();
    io.cwd = packagePath(".");
    const file = "testing/toy/faults/misspelledDriver.ts";
    expect(await runCli(["grade", toy("good"), "--assignment", file], io)).toBe(2);
    expect(io.err).toBe(
      `gradmark: assignment toy-typo (${file}): check 1.add.values: its driver "cal" is not in the drivers module testing/toy/drivers.ts (it has: call)\n`,
    );
  });

  it("selftest", async () => {
    const io = fakeIO();
    const code = await runSelftestCommand({}, io, depsWith(throwingJudge()), [
      { name: "good", dir: toy("good"), expected: FULL_MARKS },
    ]);
    expect(code).toBe(2);
    expect(io.out).toMatch(/good .* error: assignment toy-fault .*its judge threw/);
  });

  describe("batch", () => {
    const root = mkdtempSync(join(tmpdir(), "gradmark-staff-batch-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it("stops at the first staff fault instead of writing an error row per student", async () => {
      for (const name of ["alice", "bob", "carol", "dave"])
        cpSync(toy("good"), join(root, "class", name), { recursive: true });
      const io = fakeIO();
      io.cwd = root;
      const code = await runBatchCommand(
        {
          dir: "class",
          out: "out",
          jobs: 1,
          assignment: packagePath("testing/toy/faults/misspelledDriver.ts"),
        },
        io,
      );
      expect(code).toBe(2);
      expect(io.err).toMatch(
        /^gradmark: assignment toy-typo \(testing\/toy\/faults\/misspelledDriver\.ts\): check 1\.add\.values: its driver "cal"/m,
      );
      expect(io.err).toMatch(/the batch stopped/);
      const results = join(root, "out", "results");
      const rows = existsSync(results) ? readdirSync(results) : [];
      expect(rows.length).toBeLessThan(4);
      expect(existsSync(join(root, "out", "grades.csv"))).toBe(false);
    }, 120_000);
  });
});

describe("assignmentFaultIn", () => {
  it("finds a worker's AssignmentError in a batch error row, for that assignment only", () => {
    const line = 'assignment toy (a.ts): check 1.x: its driver "y" is not in the drivers module';
    expect(assignmentFaultIn(`the grader failed on this submission: ${line}`, "toy")).toBe(line);
    expect(assignmentFaultIn("the grader failed on this submission: boom", "toy")).toBeNull();
    expect(assignmentFaultIn(`the grader failed on this submission: ${line}`, "other")).toBeNull();
  });
});
