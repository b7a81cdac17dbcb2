import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { folderText } from "../../testing/folderText.js";
import { writeSplitAssignment } from "../../testing/splitAssignment.js";
import { usageRefusal } from "../../testing/usageRefusal.js";
import { loadAssignment } from "../assignments/loadAssignment.js";
import { planAssignmentCopy } from "./planAssignmentCopy.js";

const root = mkdtempSync(join(tmpdir(), "gradmark-students-copy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a students' copy of an assignment", () => {
  it("leaves out the *.hidden.ts modules: their checks, cases and text never reach it", async () => {
    const file = writeSplitAssignment(join(root, "course", "hw"), "module");
    expect((await loadAssignment(file)).problems[0]!.checks.map((c) => c.id)).toEqual([
      "1.add",
      "1.add.hidden",
    ]);
    const plan = await planAssignmentCopy(file, join(root, "repo", "grading"), { students: true });
    expect(plan.assignmentFile).toBe("grading/hw.ts");
    expect(plan.leftOut).toEqual(["1.add.hidden"]);
    plan.write();
    const copy = join(root, "repo", "grading");
    expect(folderText(copy)).not.toContain("SECRET-CASE-42");
    expect(readFileSync(join(copy, "checks.hidden.ts"), "utf8")).toContain(
      "export const hiddenChecks = [];",
    );
    const students = await loadAssignment(join(copy, "hw.ts"));
    expect(students.problems[0]!.checks.map((c) => c.id)).toEqual(["1.add"]);
    // The staff's folder is untouched.
    expect(readFileSync(join(root, "course", "hw", "checks.hidden.ts"), "utf8")).toContain(
      "SECRET-CASE-42",
    );
  }, 60_000);

  it("refuses a hidden check defined elsewhere, naming it, and writes nothing", async () => {
    const file = writeSplitAssignment(join(root, "course2", "hw"), "inline");
    const destination = join(root, "repo2", "grading");
    expect(await usageRefusal(planAssignmentCopy(file, destination, { students: true }))).toMatch(
      /hidden check 1\.add\.inline is defined outside a \*\.hidden\.ts module, so the students' copy would hold it/,
    );
    expect(() => readdirSync(destination)).toThrow();
  }, 60_000);

  it("says so when the copy without its hidden checks does not define (points that no longer add up)", async () => {
    const file = writeSplitAssignment(join(root, "course3", "hw"), "module", 10);
    expect(
      await usageRefusal(
        planAssignmentCopy(file, join(root, "repo3", "grading"), { students: true }),
      ),
    ).toMatch(
      /^the students' copy of .*hw\.ts \(its \*\.hidden\.ts modules emptied\) does not load: /,
    );
  }, 60_000);

  it("ships an assignment made of builders, with no drivers module, hidden layer checks left out", async () => {
    const dir = join(root, "course4", "hw");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "checks.hidden.ts"),
      [
        'import { layerChecks } from "gradmark";',
        'import { tensorArb } from "gradmark/checks";',
        'import fc from "fast-check";',
        'import { relu } from "./reference.js";',
        "// SECRET-SHAPE-77",
        "export const hiddenChecks = layerChecks({",
        '  module: "layers", exportName: "ReLU", id: "1.ReLU.large", reference: relu, hidden: true,',
        "  inputs: tensorArb({ shape: [77, 3], kinks: [0] }).map((x) => [x]),",
        "  points: { forward: 1, backward: 1 },",
        "});",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "reference.ts"),
      'import { maximum, scalar, type Tensor } from "gradmark/tensor";\nexport const relu = (x: Tensor) => maximum(x, scalar(0));\n',
    );
    writeFileSync(
      join(dir, "hw.ts"),
      [
        'import { defineAssignment, layerChecks } from "gradmark";',
        'import { tensorArb } from "gradmark/checks";',
        'import { hiddenChecks } from "./checks.hidden.js";',
        'import { relu } from "./reference.js";',
        "export default defineAssignment({",
        '  id: "relu", title: "ReLU", seed: 1, modules: ["layers"],',
        "  problems: [{",
        '    id: "1", title: "ReLU", module: "layers",',
        "    checks: [",
        "      ...layerChecks({",
        '        module: "layers", exportName: "ReLU", id: "1.ReLU", reference: relu,',
        "        inputs: tensorArb({ minRank: 1, maxRank: 2, kinks: [0] }).map((x) => [x]),",
        "        points: { forward: 1, backward: 1 },",
        "      }),",
        "      ...hiddenChecks,",
        "    ],",
        "  }],",
        "});",
      ].join("\n"),
    );
    const plan = await planAssignmentCopy(join(dir, "hw.ts"), join(root, "repo4", "grading"), {
      students: true,
    });
    expect(plan.leftOut).toEqual(["1.ReLU.large.forward", "1.ReLU.large.backward"]);
    plan.write();
    const copy = join(root, "repo4", "grading");
    expect(folderText(copy)).not.toContain("SECRET-SHAPE-77");
    const students = await loadAssignment(join(copy, "hw.ts"));
    expect(students.problems[0]!.checks.map((c) => c.id)).toEqual([
      "1.ReLU.forward",
      "1.ReLU.backward",
    ]);
  }, 60_000);
});
