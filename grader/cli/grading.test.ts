/** End-to-end runs of the CLI with real grading (sandboxed children; a few seconds). */
import { describe, expect, it } from "vitest";
import { fakeIO } from "../../testing/cliFakes.js";
import { packagePath } from "../common/packagePath.js";
import { runCli } from "./cli.js";

const starter = packagePath("fixtures/starter");
const solution = packagePath("reference/solution");

async function run(argv: string[]) {
  const io = fakeIO();
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

describe("real grading", { timeout: 60_000 }, () => {
  it("check on the starter: every check not implemented, score 0, exit 1", async () => {
    const { code, out, err } = await run(["check", starter, "--format", "json"]);
    expect(err).toMatch(/^seed: \d+\n$/);
    expect(code).toBe(1);
    const result = JSON.parse(out);
    expect(result.score).toBe(0);
    for (const problem of result.problems) {
      for (const check of problem.checks) {
        expect(["not-implemented", "skipped"]).toContain(check.status);
      }
    }
  });

  it("grade is deterministic: the same seed gives the same report", async () => {
    const strip = (text: string) => text.replace(/"durationMs": [\d.]+/g, '"durationMs": 0');
    const a = await run(["grade", starter, "--seed", "7", "--format", "json"]);
    const b = await run(["grade", starter, "--seed", "7", "--format", "json"]);
    expect(strip(a.out)).toBe(strip(b.out));
  });

  it("selftest: the solution gets full marks and the starter 0, exit 0", async () => {
    const { code, out } = await run(["selftest", "--only", "reference solution,starter"]);
    expect(out, out).toContain("selftest: all 2 targets agree");
    expect(code).toBe(0);
  });

  it("list prints the default assignment's 100 points", async () => {
    const { code, out } = await run(["list", "--format", "json"]);
    expect(code).toBe(0);
    const outline = JSON.parse(out);
    expect(outline.maxScore).toBe(100);
    expect(outline.problems.map((p: { maxScore: number }) => p.maxScore)).toEqual([
      10, 15, 30, 30, 10, 5,
    ]);
  });

  it("points at the folders selftest grades", () => {
    expect(solution).toMatch(/reference[/\\]solution$/);
  });
});
