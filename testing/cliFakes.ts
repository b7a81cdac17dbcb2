/** Test doubles for the CLI: an in-memory io and grading that returns a given result. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { Assignment } from "../grader/authoring/types.js";
import type { CliDeps } from "../grader/cli/shared.js";
import type { CliIO } from "../grader/common/io.js";
import type { GradeOptions } from "../grader/engine/gradeSubmission.js";
import type { GradeResult } from "../grader/model/results.js";
import { sampleResult } from "./sampleResult.js";

const madeFolders: string[] = [];
// Each test file that uses fakeIO removes the working folders it made.
afterAll(() => {
  for (const dir of madeFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface FakeIO extends CliIO {
  out: string;
  err: string;
}

/** A fake io whose cwd is a fresh folder holding a submission folder `hw/` (with src/). */
export function fakeIO(options: { env?: CliIO["env"]; isTTY?: boolean } = {}): FakeIO {
  const cwd = mkdtempSync(join(tmpdir(), "gradmark-cli-"));
  madeFolders.push(cwd);
  mkdirSync(join(cwd, "hw", "src"), { recursive: true });
  const io: FakeIO = {
    out: "",
    err: "",
    stdout: (text) => {
      io.out += text;
    },
    stderr: (text) => {
      io.err += text;
    },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd,
  };
  return io;
}

/** A small assignment as `list` sees it (grading is faked, so no drivers are needed). */
export function fakeAssignment(): Assignment {
  const check = (id: string, points: number, extra: object = {}) => ({
    id,
    title: `title of ${id}`,
    points,
    driver: "d",
    cases: {},
    payload: () => null,
    judge: () => ({ pass: true }),
    ...extra,
  });
  return {
    id: "fake",
    title: "Fake assignment",
    seed: 99,
    modules: ["a", "b"],
    drivers: "/dev/null",
    defaults: { runs: 25, timeoutMs: 2000, budgetMs: 1000, tolerance: {} },
    limits: {},
    maxScore: 10,
    problems: [
      {
        id: "first",
        title: "First problem",
        module: "a",
        checks: [check("1.one", 3), check("1.two", 2.5, { runs: 100, hidden: true })],
      },
      { id: "second", title: "Second problem", module: "b", checks: [check("2.one", 4.5)] },
    ],
  } as unknown as Assignment;
}

/** A result in which every check that ran passed. */
export function passingResult(): GradeResult {
  const result = sampleResult();
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status === "skipped") continue;
      check.status = "passed";
      check.score = check.maxScore;
      check.message = "";
      check.counterexample = null;
      check.replay = null;
    }
    problem.score = problem.checks.reduce((sum, c) => sum + c.score, 0);
  }
  result.score = result.problems.reduce((sum, p) => sum + p.score, 0);
  return result;
}

export interface FakeDeps extends CliDeps {
  calls: GradeOptions[];
  loaded: (string | undefined)[];
}

/** Deps that grade to `result` (or throw `error`) and record what they were asked. */
export function fakeDeps(
  result: GradeResult | (() => GradeResult) = sampleResult,
  error?: Error,
): FakeDeps {
  const deps: FakeDeps = {
    calls: [],
    loaded: [],
    randomSeed: () => 4242,
    loadAssignment: async (file) => {
      deps.loaded.push(file);
      return fakeAssignment();
    },
    gradeSubmission: async (options) => {
      deps.calls.push(options);
      if (error) throw error;
      return typeof result === "function" ? result() : result;
    },
  };
  return deps;
}
