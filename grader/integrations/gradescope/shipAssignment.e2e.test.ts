import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeIO } from "../../../testing/cliFakes.js";
import { ASSIGNMENT, writeAssignment } from "../../../testing/offsetsAssignment.js";
import { writeSplitAssignment } from "../../../testing/splitAssignment.js";
import { usageRefusal } from "../../../testing/usageRefusal.js";
import { loadAssignment } from "../../assignments/loadAssignment.js";
import { runInitCommand } from "../../cli/commands/init.js";
import { gradeSubmission } from "../../engine/gradeSubmission.js";
import { planAssignmentShipment } from "./shipAssignment.js";

const root = mkdtempSync(join(tmpdir(), "gradmark-ship-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("shipping a custom assignment in a Gradescope autograder", () => {
  it("copies the assignment's folder, which then grades like the original", async () => {
    const file = writeAssignment(join(root, "course", "hw"), 0);
    mkdirSync(join(root, "course", "hw", "node_modules", "junk"), { recursive: true });
    const autograder = join(root, "autograder");
    const shipment = await planAssignmentShipment(file, autograder);
    expect(shipment.assignmentFile).toBe("assignment/hw.ts");
    expect(existsSync(join(autograder, "assignment"))).toBe(false); // nothing before copy()
    shipment.copy();
    for (const part of ["hw.ts", "drivers.ts", "reference/add.ts"])
      expect(existsSync(join(autograder, "assignment", part)), part).toBe(true);
    expect(existsSync(join(autograder, "assignment", "node_modules"))).toBe(false);

    const submission = join(root, "alice");
    mkdirSync(join(submission, "src"), { recursive: true });
    writeFileSync(
      join(submission, "src", "ops.ts"),
      'import { add as plus, type Tensor } from "gradmark/tensor";\nexport const add = (a: Tensor, b: Tensor) => plus(a, b);\n',
    );
    const shipped = await loadAssignment(join(autograder, shipment.assignmentFile));
    const result = await gradeSubmission({ dir: submission, assignment: shipped, mode: "grade" });
    expect(result.score).toBe(10);
  }, 60_000);

  it("refuses an assignment that reads files outside its folder, naming them", async () => {
    const dir = join(root, "course2", "hw");
    const file = writeAssignment(dir, 0);
    mkdirSync(join(root, "course2", "shared"), { recursive: true });
    writeFileSync(join(root, "course2", "shared", "points.ts"), "export const POINTS = 5;\n");
    writeFileSync(
      file,
      `import { POINTS } from "../shared/points.ts";\n${ASSIGNMENT.replace("points: 5,", "points: POINTS,")}`,
    );
    expect(
      await usageRefusal(
        planAssignmentShipment("course2/hw/hw.ts", join(root, "ag2"), { cwd: root }),
      ),
    ).toBe(
      "course2/hw/hw.ts reads files outside its folder course2/hw, which is what is copied: ../shared/points.ts; move them into the folder (npm packages other than gradmark and fast-check are not installed there)",
    );
  }, 60_000);

  it("replaces an earlier shipped copy only with --force", async () => {
    const file = writeAssignment(join(root, "course3", "hw"), 0);
    const autograder = join(root, "ag3");
    mkdirSync(join(autograder, "assignment"), { recursive: true });
    expect(await usageRefusal(planAssignmentShipment(file, autograder, { cwd: root }))).toBe(
      "ag3/assignment already exists and would be replaced; use --force to replace it",
    );
    (await planAssignmentShipment(file, autograder, { force: true })).copy();
    expect(existsSync(join(autograder, "assignment", "hw.ts"))).toBe(true);
  }, 60_000);
});

describe("gradmark init --assignment", () => {
  it("with --gradescope, ships the assignment and run_autograder grades with it", async () => {
    writeAssignment(join(root, "course4", "hw"), 0);
    const io = fakeIO();
    io.cwd = root;
    const code = await runInitCommand(
      { dir: ".", gradescope: "ag4", assignment: "course4/hw/hw.ts" },
      io,
    );
    expect(io.err).toBe("");
    expect(code).toBe(0);
    expect(readFileSync(join(root, "ag4", "run_autograder"), "utf8")).toContain(
      "ASSIGNMENT='assignment/hw.ts'",
    );
    expect(io.out).toContain("ag4/assignment/hw.ts");
  }, 60_000);

  it("for students: grading/ holds the copy without hidden checks, src/ the starter", async () => {
    writeSplitAssignment(join(root, "course5", "hw"), "module");
    mkdirSync(join(root, "course5", "starter", "src"), { recursive: true });
    writeFileSync(
      join(root, "course5", "starter", "src", "ops.ts"),
      'export const add = () => { throw new Error("not implemented"); };\n',
    );
    writeFileSync(join(root, "course5", "starter", "README.md"), "# Homework 5\n");
    const io = fakeIO();
    io.cwd = root;
    const code = await runInitCommand(
      { dir: "repo5", assignment: "course5/hw/hw.ts", starter: "course5/starter" },
      io,
    );
    expect(io.err).toBe("");
    expect(code).toBe(0);
    const repo = join(root, "repo5");
    expect(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).gradmark).toEqual({
      assignment: "grading/hw.ts",
    });
    expect(readFileSync(join(repo, ".github", "workflows", "grade.yml"), "utf8")).toContain(
      "- run: npx gradmark grade --assignment 'grading/hw.ts'",
    );
    expect(readFileSync(join(repo, "README.md"), "utf8")).toBe("# Homework 5\n");
    expect(existsSync(join(repo, "src", "ops.ts"))).toBe(true);
    expect(readFileSync(join(repo, "grading", "checks.hidden.ts"), "utf8")).not.toContain(
      "SECRET-CASE-42",
    );
    expect(io.out).toContain("without its hidden checks (1.add.hidden)");
    // What check grades with there: the visible check only, not implemented yet.
    const assignment = await loadAssignment(join(repo, "grading", "hw.ts"));
    const result = await gradeSubmission({ dir: repo, assignment, mode: "check", seed: 1 });
    expect(result.problems[0]!.checks.map((c) => [c.id, c.status])).toEqual([
      ["1.add", "not-implemented"],
    ]);
  }, 60_000);

  it("for students, needs the assignment's starter, and a starter needs an assignment", async () => {
    const io = fakeIO();
    expect(await runInitCommand({ dir: "hw2", assignment: "hw.ts" }, io)).toBe(2);
    expect(io.err).toMatch(/--assignment needs --starter <dir>/);
    const other = fakeIO();
    expect(await runInitCommand({ dir: "hw2", starter: "s" }, other)).toBe(2);
    expect(other.err).toMatch(/--starter goes with --assignment <file>/);
  });
});
