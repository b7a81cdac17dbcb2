import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gradeSubmission } from "../../engine/gradeSubmission.js";
import type { GradeResult } from "../../model/results.js";

// The whole default assignment through the real sandbox, as `gradmark grade` runs it.
const work = mkdtempSync(join(tmpdir(), "gradmark-autodiff-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the staff solution as a submission, with one edit to one module. */
function plant(name: string, module: string, from: string, to: string): string {
  const dir = join(work, name);
  cpSync("reference/solution", join(dir, "src"), { recursive: true });
  const file = join(dir, "src", `${module}.ts`);
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`cannot plant ${name}: text not found`);
  writeFileSync(file, text.replace(from, to));
  return dir;
}

const failing = (result: GradeResult) =>
  result.problems.flatMap((p) =>
    p.checks.filter((c) => c.status !== "passed" && c.status !== "skipped"),
  );

describe("the autodiff assignment, graded in the sandbox", () => {
  it("gives the staff solution 100/100 and the starter 0 with every check not implemented", async () => {
    const solution = await gradeSubmission({ dir: "reference/solution", seed: 3 });
    expect(failing(solution)).toEqual([]);
    expect(solution.score).toBe(100);
    const starter = await gradeSubmission({ dir: "fixtures/starter", seed: 3 });
    expect(starter.score).toBe(0);
    const statuses = new Set(starter.problems.flatMap((p) => p.checks.map((c) => c.status)));
    expect([...statuses]).toEqual(["not-implemented"]);
  }, 60_000);

  it("fails only the checks a transposed weight gradient breaks, and replays the failure", async () => {
    const dir = plant(
      "transposed",
      "layers",
      "this.grad = matmul(X.transpose(), downstreamGrad);",
      "this.grad = matmul(X.transpose(), downstreamGrad).transpose();",
    );
    const result = await gradeSubmission({ dir, seed: 5, only: ["3"] });
    const ids = failing(result).map((c) => c.id);
    expect(ids).toContain("3.Linear.backward");
    expect(ids.every((id) => id.startsWith("3.Linear.") || id === "3.network.backward")).toBe(true);
    const backward = failing(result).find((c) => c.id === "3.Linear.backward")!;
    expect(backward.message).toMatch(/transpose/);
    expect(backward.counterexample).toBeTruthy();
    const replay = await gradeSubmission({
      dir,
      seed: backward.replay!.seed,
      only: [backward.replay!.only],
      path: backward.replay!.path,
    });
    const again = failing(replay);
    expect(again.map((c) => c.id)).toEqual(["3.Linear.backward"]);
    expect(again[0]!.counterexample).toBe(backward.counterexample);
  }, 60_000);

  it("costs only the module's problem when a module does not compile", async () => {
    const dir = plant("syntax", "einsum", "export class EinSum", "export class EinSum {{");
    const result = await gradeSubmission({ dir, seed: 1, only: ["4", "5"] });
    const byProblem = Object.fromEntries(result.problems.map((p) => [p.id, p]));
    expect(byProblem["5"]!.score).toBe(0);
    expect(byProblem["5"]!.checks[0]!.message).toMatch(/src\/einsum\.ts:\d+:\d+/);
    expect(byProblem["4"]!.score).toBe(30);
  }, 60_000);
});
