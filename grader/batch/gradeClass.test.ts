import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { autodiff } from "../assignments/autodiff/index.js";
import { type BatchProgress, gradeClass } from "./gradeClass.js";

// Submissions without src/: error rows, quick to grade.
const root = mkdtempSync(join(tmpdir(), "gradmark-class-"));
for (const name of ["alice", "bob"]) mkdirSync(join(root, "class", name), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An output interface and a progress that record, in one list, what happened in which order. */
function recorder() {
  const log: string[] = [];
  const io = { cwd: root, stdout: (text: string) => void log.push(`out ${text}`) };
  const progress: BatchProgress = {
    onEvent: (event) => void log.push(`event ${event.type}`),
    stop: () => void log.push("stop"),
  };
  return { log, io, progress };
}

const options = { classDir: "class", assignment: autodiff, assignmentFile: null, jobs: 1 };

describe("gradeClass", () => {
  it("grades, stops the progress, then prints and writes the reports", async () => {
    const { log, io, progress } = recorder();
    const result = await gradeClass(
      { ...options, outDir: "out", html: "out/r.html", progress },
      io,
    );
    expect(result).toMatchObject({ status: "graded", ungraded: true, unstable: false });
    expect(log.slice(0, 4)).toEqual(["event start", "event finished", "event finished", "stop"]);
    expect(log.join("")).toContain("grades written to out/grades.csv\n");
    expect(log.join("")).toContain("2 submission(s) could not be graded");
    expect(readFileSync(join(root, "out", "r.html"), "utf8")).toMatch(/^<!doctype html>/i);

    const again = recorder();
    const compared = await gradeClass({ ...options, outDir: "out-2", compare: "out" }, again.io);
    expect(compared).toMatchObject({ status: "graded", unstable: false });
    expect(again.log.join("")).toContain("Regrade diff against out: 0 of 2 submission(s) changed");
  }, 60_000);

  it("ends as interrupted, with no grades.csv, when its signal is aborted", async () => {
    const { io } = recorder();
    const controller = new AbortController();
    controller.abort();
    const result = await gradeClass(
      { ...options, outDir: "stopped", signal: controller.signal },
      io,
    );
    expect(result).toEqual({
      status: "interrupted",
      message: "the batch was interrupted; run it again with --resume to finish it",
    });
    expect(existsSync(join(root, "stopped", "grades.csv"))).toBe(false);
  }, 60_000);
});
