// run_autograder itself, run as Gradescope runs it: whole gradings through the shell script
// (the folder it runs from is written by writeGradescopeAutograder, tested beside it).
import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { packagePath } from "../../common/packagePath.js";
import {
  type GradescopeResults,
  gradescopeResultsProblems,
} from "../../reporters/gradescopeReporter.js";
import { writeGradescopeAutograder } from "./writeGradescopeAutograder.js";

const run = promisify(execFile);
const MODULES = ["autograd", "contractions", "derivatives", "einsum", "layers", "training"];
/** This checkout's CLI, as run_autograder's GRADMARK_BIN (words separated by spaces). */
const GRADMARK_BIN = `${packagePath("node_modules/.bin/tsx")} ${packagePath("grader/cli/main.ts")}`;

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-gradescope-"));
  temps.push(dir);
  return dir;
}

/**
 * A folder laid out like /autograder: source/ holds the autograder written by
 * writeGradescopeAutograder, submission/ the staff solution's modules (`layout` "top": the .ts
 * files themselves, "src": in src/, "none": no submission folder).
 */
function autograderRoot(
  layout: "top" | "src" | "none",
  options: Parameters<typeof writeGradescopeAutograder>[1] = { gradmarkVersion: "0.1.0" },
): string {
  const root = tempDir();
  writeGradescopeAutograder(join(root, "source"), options);
  if (layout !== "none") {
    const dir = layout === "src" ? join(root, "submission", "src") : join(root, "submission");
    mkdirSync(dir, { recursive: true });
    for (const module of MODULES) {
      copyFileSync(packagePath(`reference/solution/${module}.ts`), join(dir, `${module}.ts`));
    }
  }
  return root;
}

async function runAutograder(
  root: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; results: unknown }> {
  let code = 0;
  let stdout = "";
  try {
    ({ stdout } = await run("bash", [join(root, "source", "run_autograder")], {
      env: { ...process.env, AUTOGRADER_ROOT: root, GRADMARK_BIN, ...env },
      timeout: 60_000,
    }));
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    code = failure.code;
    stdout = failure.stdout;
  }
  const results = JSON.parse(readFileSync(join(root, "results", "results.json"), "utf8"));
  return { code, stdout, results };
}

function expectFallback(results: unknown, ...says: string[]): void {
  expect(gradescopeResultsProblems(results)).toEqual([]);
  const json = results as GradescopeResults;
  expect(json.score).toBe(0);
  expect(json.tests).toHaveLength(1);
  const test = json.tests[0]!;
  expect(test).toMatchObject({
    score: 0,
    status: "failed",
    visibility: "visible",
    name: "gradmark: the submission could not be graded",
  });
  for (const text of says) expect(test.output).toContain(text);
}

/** A stand-in for gradmark: records its arguments, environment and folder, then acts. */
function fakeGradmark(dir: string, body: string): string {
  const path = join(dir, "fake-gradmark");
  writeFileSync(
    path,
    `#!/bin/sh
printf '%s\\n' "$@" > "${dir}/args"
printf '%s' "$GRADMARK_GRADESCOPE_HIDDEN" > "${dir}/hidden"
pwd > "${dir}/cwd"
out=""; previous=""
for arg in "$@"; do [ "$previous" = "--out" ] && out="$arg"; previous="$arg"; done
${body}
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe.concurrent("run_autograder", { timeout: 30_000 }, () => {
  it("grades a submission of top-level modules into a valid results.json scoring 100", async () => {
    const root = autograderRoot("top");
    const { code, stdout, results } = await runAutograder(root);
    expect(code).toBe(0);
    expect(gradescopeResultsProblems(results)).toEqual([]);
    const json = results as GradescopeResults;
    expect(json.score).toBe(100);
    expect(json.tests.length).toBeGreaterThan(50);
    expect(json.tests.every((t) => t.status === "passed" && t.visibility === "visible")).toBe(true);
    expect(json.tests.reduce((sum, t) => sum + t.max_score, 0)).toBeCloseTo(100, 9);
    expect(json.output).toContain("Score: 100/100 points");
    expect(stdout).toContain("run_autograder: gradmark exited with code 0");
  });

  it("grades a submission that keeps its modules in src/", async () => {
    const root = autograderRoot("src");
    const { results } = await runAutograder(root);
    expect(gradescopeResultsProblems(results)).toEqual([]);
    expect((results as GradescopeResults).score).toBe(100);
  });

  it("still writes a valid results.json, with a visible failing test, when gradmark cannot grade", async () => {
    const root = autograderRoot("none");
    const { code, stdout, results } = await runAutograder(root);
    expect(code).toBe(0);
    expectFallback(
      results,
      "gradmark could not grade this submission (exit code 2",
      `no such folder: ${join(root, "submission")}`,
    );
    expect((results as GradescopeResults).tests[0]!.output).not.toContain("--help");
    expect(stdout).toContain("wrote a fallback results.json");
  });

  it("tells a student whose upload is empty or holds the wrong files what is accepted", async () => {
    const accepted =
      "a submission is a src/ folder holding the modules contractions.ts, derivatives.ts, layers.ts, autograd.ts, einsum.ts and training.ts (or .js), or those files at its top level";
    const root = autograderRoot("none");
    mkdirSync(join(root, "submission"));
    const empty = await runAutograder(root);
    expectFallback(empty.results, `${join(root, "submission")} is empty: ${accepted}`);
    expect(JSON.stringify(empty.results)).not.toContain("has no src/");

    writeFileSync(join(root, "submission", "homework.py"), "");
    writeFileSync(join(root, "submission", "layers.txt"), "");
    expectFallback(
      (await runAutograder(root)).results,
      `has no src/ folder and none of the modules at its top level (it holds homework.py, layers.txt): ${accepted}`,
    );
  });

  it("still writes a valid results.json when gradmark crashes or leaves no valid JSON", async () => {
    const root = autograderRoot("top");
    const fake = tempDir();
    const crash = fakeGradmark(fake, `echo 'Segmentation fault "core" dumped' >&2\nexit 139`);
    expectFallback(
      (await runAutograder(root, { GRADMARK_BIN: crash })).results,
      "gradmark stopped unexpectedly (exit code 139).",
      'Segmentation fault "core" dumped',
    );
    const garbage = fakeGradmark(fake, `echo '{"score": 12, ' > "$out"\nexit 1`);
    expectFallback(
      (await runAutograder(root, { GRADMARK_BIN: garbage })).results,
      "gradmark finished (exit code 1) but left no valid results file.",
    );
    expectFallback(
      (await runAutograder(root, { GRADMARK_BIN: join(fake, "missing-gradmark") })).results,
      "the gradmark command could not be run (exit code 127)",
    );
  });

  it("treats exit code 1 as a normal result and passes the assignment and visibility on", async () => {
    const root = autograderRoot("top", {
      gradmarkVersion: "0.1.0",
      assignmentFile: "my course/hw 1's.ts",
      hiddenVisibility: "hidden",
    });
    const fake = tempDir();
    const gradmark = fakeGradmark(
      fake,
      `echo '{"score": 1.5, "tests": [{"score": 1.5, "max_score": 3, "status": "failed"}]}' > "$out"\nexit 1`,
    );
    const { code, results } = await runAutograder(root, { GRADMARK_BIN: gradmark });
    expect(code).toBe(0);
    expect(results).toEqual({
      score: 1.5,
      tests: [{ score: 1.5, max_score: 3, status: "failed" }],
    });
    expect(readFileSync(join(fake, "args"), "utf8").split("\n").slice(0, -1)).toEqual([
      "grade",
      join(root, "submission"),
      "--format",
      "gradescope",
      "--out",
      join(root, "results", "results.json"),
      "--assignment",
      join(root, "source", "my course/hw 1's.ts"),
    ]);
    expect(readFileSync(join(fake, "hidden"), "utf8")).toBe("hidden");
    expect(readFileSync(join(fake, "cwd"), "utf8").trim()).toBe(join(root, "source"));
  });
});
