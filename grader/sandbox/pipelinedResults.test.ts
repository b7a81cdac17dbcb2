import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { defineAssignment } from "../authoring/defineAssignment.js";
import { PASS } from "../authoring/judge.js";
import { packagePath } from "../common/packagePath.js";
import { gradeSubmission } from "../engine/gradeSubmission.js";

const dir = mkdtempSync(join(tmpdir(), "gradmark-pipelined-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A problem whose first check returns large results (several pipe buffers each) and whose second
// loops forever. The parent sends both batches ahead; the child must write out the first result
// before it starts the second, or the loop keeps that result from ever arriving and the first
// check times out instead of passing (seen under load on 2 cores).
const assignment = defineAssignment({
  id: "pipelined",
  title: "Pipelined",
  seed: 1,
  modules: ["ops"],
  drivers: packagePath("testing/toy/drivers.ts"),
  defaults: { runs: 3, timeoutMs: 1000, budgetMs: 60_000 },
  problems: [
    {
      id: "1",
      title: "One",
      module: "ops",
      checks: [
        {
          id: "1.big",
          title: "returns a lot",
          points: 1,
          cases: fc.constant(null),
          driver: "call",
          payload: () => ({ module: "ops", name: "big", args: [] }),
          judge: () => PASS,
        },
        {
          id: "1.spin",
          title: "never returns",
          points: 1,
          cases: fc.constant(null),
          driver: "call",
          payload: () => ({ module: "ops", name: "spin", args: [] }),
          judge: () => PASS,
        },
      ],
    },
  ],
});

describe("a problem's batches sent ahead to the child", () => {
  it("deliver the result before a later batch blocks the child", async () => {
    mkdirSync(join(dir, "src"));
    writeFileSync(
      join(dir, "src", "ops.ts"),
      "export const big = () => Array.from({ length: 400_000 }, (_, i) => i / 3);\nexport const spin = () => { for (;;) {} };\n",
    );
    const result = await gradeSubmission({ dir, assignment });
    const statuses = result.problems[0]!.checks.map((c) => [c.id, c.status]);
    expect(statuses).toEqual([
      ["1.big", "passed"],
      ["1.spin", "timeout"],
    ]);
  }, 60_000);
});
