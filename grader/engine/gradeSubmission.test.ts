import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toyAssignment } from "../../testing/toy/toyAssignment.js";
import { defineAssignment } from "../authoring/defineAssignment.js";
import type { Assignment } from "../authoring/types.js";
import { UsageError } from "../common/UsageError.js";
import type { CheckResult, GradeResult } from "../model/results.js";
import { gradeSubmission, selectChecks } from "./gradeSubmission.js";

const grade = (who: string, extra: Partial<Parameters<typeof gradeSubmission>[0]> = {}) =>
  gradeSubmission({ dir: `testing/toy/${who}`, assignment: toyAssignment, ...extra });
const check = (result: GradeResult, id: string): CheckResult =>
  result.problems.flatMap((p) => p.checks).find((c) => c.id === id)!;

describe("gradeSubmission", () => {
  it("gives full marks to a correct submission", async () => {
    const result = await grade("good");
    expect(result).toMatchObject({
      score: 20,
      maxScore: 20,
      schemaVersion: 1,
      seed: 7,
      mode: "grade",
    });
    expect(result.problems.map((p) => p.score)).toEqual([10, 10]);
  });

  it("fails only the wrong check, shrinks the case, and replays it from the printed path", async () => {
    const result = await grade("buggy");
    const add = check(result, "1.add.values");
    expect(add.status).toBe("failed");
    expect(add.message).toContain("hint: the result is the expected one with its sign flipped");
    // The bug shows for more than 2 elements: the smallest case has exactly 3, all simple.
    expect(add.counterexample).toContain("shape=[3]");
    expect(add.replay).toMatchObject({ seed: 7, only: "1.add.values" });
    const replayed = await grade("buggy", {
      only: [add.replay!.only],
      path: add.replay!.path,
      seed: add.replay!.seed,
    });
    const again = check(replayed, "1.add.values");
    expect(again.counterexample).toBe(add.counterexample);
    expect(again.message).toBe(add.message);
    expect(again.runs).toBe(1);
    expect(check(replayed, "2.twice.values").status).toBe("skipped");
  });

  it("reports not implemented, and a syntax error costs only that module's problem", async () => {
    const result = await grade("buggy");
    expect(check(result, "1.mul.values").status).toBe("not-implemented");
    const twice = check(result, "2.twice.values");
    expect(twice.status).toBe("error");
    expect(twice.message).toContain("src/more.ts:1:23");
  });

  it("survives hostile code: timeouts, memory bombs, process.exit, fake output", async () => {
    const result = await grade("hostile");
    expect(check(result, "1.add.values").status).toBe("timeout");
    expect(check(result, "1.mul.values").status).toBe("memory-limit");
    const twice = check(result, "2.twice.values");
    expect(twice.status).toBe("crashed");
    expect(twice.message).toContain("process.exit");
    expect(result.score).toBe(0);
    // Printed "results" are shown as the submission's output and change nothing.
    expect(result.output.stdout).toContain('{"score": 100');
  });

  it("names the lines of src/ a thrown error came from, as in the student's own files", async () => {
    const add = check(await grade("thrower"), "1.add.values");
    expect(add.status).toBe("error");
    expect(add.message).toContain("threw RangeError: a helper of add failed");
    expect(add.message).toMatch(/\n {4}at check \(src\/ops\.ts:5:26\)/);
    // esbuild may rename a function to keep bundle names apart (add2); the place is exact.
    expect(add.message).toMatch(/\n {4}at add\d* \(src\/ops\.ts:10:3\)/);
  });

  it("shows a stack the submission printed with its src/ lines too", async () => {
    const { output } = await grade("thrower");
    expect(output.stderr).toMatch(
      /Error: printed on the way\n {4}at check \(\S*thrower\/src\/ops\.ts:4:17\)/,
    );
    expect(output.stderr).not.toContain("submission.mjs");
  });

  it("skips hidden checks in check mode and says how many", async () => {
    const result = await grade("good", { mode: "check" });
    expect(check(result, "1.mul.values").status).toBe("skipped");
    expect(result.hiddenSkipped).toBe(1);
    expect(result.maxScore).toBe(15);
  });

  it("gives the same result for the same seed, apart from timings", async () => {
    const strip = (r: GradeResult) =>
      JSON.stringify(r, (key, value) => (key === "durationMs" ? 0 : value));
    expect(strip(await grade("buggy", { seed: 99 }))).toBe(
      strip(await grade("buggy", { seed: 99 })),
    );
  });

  it("gives the same result and output with one lane or two, output in problem order", async () => {
    const strip = (r: GradeResult) =>
      JSON.stringify(r, (key, value) => (key === "durationMs" ? 0 : value));
    const one = await grade("chatty", { lanes: 1 });
    const two = await grade("chatty", { lanes: 2 });
    expect(one.score).toBe(20);
    expect(strip(two)).toBe(strip(one));
    // Problem 1's output (ops) comes whole before problem 2's (more), in both streams.
    for (const text of [one.output.stdout, one.output.stderr]) {
      expect(text.lastIndexOf("ops: ")).toBeLessThan(text.indexOf("more: "));
      expect(text.indexOf("more: ")).toBeGreaterThan(-1);
    }
  });

  it("says what a submission is when a folder holds no modules: empty, wrong files, one folder too deep", async () => {
    const root = mkdtempSync(join(tmpdir(), "gradmark-nomodules-"));
    try {
      const reason = async (dir: string) => {
        const error = await gradeSubmission({ dir, assignment: toyAssignment }).catch((e) => e);
        expect(error).toBeInstanceOf(UsageError);
        expect(error.message).not.toContain("\n");
        return error.message as string;
      };
      const accepted =
        "a submission is a src/ folder holding the modules ops.ts and more.ts (or .js), or those files at its top level";
      mkdirSync(join(root, "empty"));
      expect(await reason(join(root, "empty"))).toBe(
        `${join(root, "empty")} is empty: ${accepted}`,
      );

      mkdirSync(join(root, "wrong", "notes"), { recursive: true });
      writeFileSync(join(root, "wrong", "ops.py"), "");
      writeFileSync(join(root, "wrong", "bad\x1b[31mname\n.ts"), "");
      expect(await reason(join(root, "wrong"))).toBe(
        `${join(root, "wrong")} has no src/ folder and none of the modules at its top level (it holds bad\\x1b[31mname .ts, notes/, ops.py): ${accepted}`,
      );

      mkdirSync(join(root, "zipped", "hw1", "src"), { recursive: true });
      expect(await reason(join(root, "zipped"))).toBe(
        `${join(root, "zipped")} has no src/ folder and none of the modules at its top level (it holds hw1/; the modules seem to be inside hw1/, so submit what that folder holds instead): ${accepted}`,
      );

      mkdirSync(join(root, "file"));
      writeFileSync(join(root, "file", "src"), "");
      expect(await reason(join(root, "file"))).toBe(
        `${join(root, "file")}/src is a file, not a folder: ${accepted}`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("says clearly what is wrong with the call", async () => {
    await expect(grade("nowhere")).rejects.toThrow(UsageError);
    await expect(grade("nowhere")).rejects.toThrow(/no such folder/);
    await expect(gradeSubmission({ dir: "grader", assignment: toyAssignment })).rejects.toThrow(
      /has no src\/ folder/,
    );
    await expect(grade("good", { only: ["nothing"] })).rejects.toThrow(
      /--only nothing names no problem/,
    );
    await expect(grade("good", { path: "1:0" })).rejects.toThrow(/name exactly one check/);
    await expect(grade("good", { lanes: 0 })).rejects.toThrow(
      /lanes must be a positive integer, got 0/,
    );
  });

  it("selects by problem id, export name or check id", async () => {
    const byExport = await grade("good", { only: ["add"] });
    expect(
      byExport.problems
        .flatMap((p) => p.checks)
        .filter((c) => c.status !== "skipped")
        .map((c) => c.id),
    ).toEqual(["1.add.values"]);
    const byProblem = await grade("good", { only: ["2"] });
    expect(byProblem.maxScore).toBe(10);
  });
});

/** A toy-shaped assignment whose check ids are prefixes of one another, in two cases. */
function prefixed(): Assignment {
  const base = toyAssignment.problems[0]!.checks[0]!;
  const check = (id: string) => ({ ...base, id, hidden: false });
  return defineAssignment({
    ...toyAssignment,
    id: "prefixed",
    problems: [
      {
        id: "1",
        title: "Conv",
        module: "ops",
        checks: [
          check("1.Conv1d.backward"),
          check("1.Conv1d.backward.large"),
          check("1.Conv1d.forward"),
          check("1.add.values"),
        ],
      },
      { id: "2", title: "More", module: "more", checks: [check("2.conv1d.twice")] },
    ],
  });
}

describe("--only", () => {
  const ids = (only: string[]) => [...selectChecks(prefixed(), only)];

  it("takes a full check id exactly, even when it starts another check's id", () => {
    expect(ids(["1.Conv1d.backward"])).toEqual(["1.Conv1d.backward"]);
    expect(ids(["1.Conv1d.backward.large"])).toEqual(["1.Conv1d.backward.large"]);
  });

  it("matches problem ids, module names and export names without regard to case", () => {
    expect(ids(["1"])).toHaveLength(4);
    expect(ids(["OPS"])).toHaveLength(4);
    expect(ids(["conv1d"])).toEqual([
      "1.Conv1d.backward",
      "1.Conv1d.backward.large",
      "1.Conv1d.forward",
      "2.conv1d.twice",
    ]);
    expect(ids(["ADD", "2"])).toEqual(["1.add.values", "2.conv1d.twice"]);
  });

  it("asks 'did you mean' for a check id in the wrong case", () => {
    expect(() => ids(["1.conv1d.backward"])).toThrow(UsageError);
    expect(() => ids(["1.conv1d.backward"])).toThrow(
      "--only 1.conv1d.backward names no problem, export or check: did you mean 1.Conv1d.backward? (check ids are matched exactly, case included)",
    );
  });

  it("takes a problem id and an export name together as that export's checks, in any case", () => {
    expect(ids(["1.Conv1d"])).toEqual([
      "1.Conv1d.backward",
      "1.Conv1d.backward.large",
      "1.Conv1d.forward",
    ]);
    expect(ids(["1.CONV1D"])).toHaveLength(3);
    expect(ids(["2.conv1d"])).toEqual(["2.conv1d.twice"]);
  });

  it("refuses any other start of a check id, naming the checks it starts", () => {
    expect(() => ids(["1.Conv1d.back"])).toThrow(UsageError);
    expect(() => ids(["1.Conv1d.backward."])).toThrow(/names no problem, export or check/);
    expect(() => ids(["nothing"])).toThrow(
      /^--only nothing names no problem, export or check \(try a problem id such as 1/,
    );
  });

  it("replays one check whose id starts another's: the replay command is not refused", async () => {
    const result = await gradeSubmission({
      dir: "testing/toy/good",
      assignment: prefixed(),
      only: ["1.Conv1d.backward"],
      path: "0",
    });
    const ran = result.problems.flatMap((p) => p.checks).filter((c) => c.status !== "skipped");
    expect(ran.map((c) => c.id)).toEqual(["1.Conv1d.backward"]);
  });
});

describe("the sandbox", () => {
  it("keeps a submission from reading files, spawning processes or reaching Node internals", async () => {
    const result = await grade("snoop");
    const add = check(result, "1.add.values");
    expect(add.status).toBe("error");
    expect(add.message).toMatch(/process\.binding is not available to a submission/);
    const twice = check(result, "2.twice.values");
    expect(twice.status).toBe("error");
    expect(twice.message).not.toContain("root:");
    expect(twice.message).toMatch(
      /stolen: (nothing|.*(ERR_ACCESS_DENIED|Access to this API has been restricted|is not available to a submission))/,
    );
    const { existsSync } = await import("node:fs");
    expect(existsSync("/tmp/gradmark-escaped")).toBe(false);
  });

  it("judges in the parent even when the submission overwrites globals", async () => {
    const result = await grade("snoop");
    expect(["failed", "error"]).toContain(check(result, "1.mul.values").status);
    expect(result.score).toBe(0);
  });
});

describe("an untrusted child", () => {
  it("cannot forge results, fake progress, or signal the grader", async () => {
    // The module tries Node's IPC (gone: there is no channel, and process.send is refused) and
    // writes a forged frame and bogus progress on the descriptors it can reach (the message
    // socket cannot be opened twice; progress out of range is ignored), so its answers are
    // judged as they are: mul is wrong, and fails. A hidden check runs in a child of its own,
    // so mul is made visible here, to share add's child.
    const allVisible = {
      ...toyAssignment,
      problems: toyAssignment.problems.map((p) => ({
        ...p,
        checks: p.checks.map((c) => ({ ...c, hidden: false })),
      })),
    };
    const result = await grade("forger", { assignment: allVisible });
    expect(check(result, "1.add.values").status).toBe("passed");
    expect(check(result, "1.mul.values").status).toBe("failed");
    // process.kill is refused in the child: nothing is signalled, the grader goes on.
    expect(check(result, "2.twice.values").status).toBe("error");
    expect(check(result, "2.twice.values").message).toMatch(/process\.kill is not available/);
    expect(result.score).toBe(5);
  });
});
