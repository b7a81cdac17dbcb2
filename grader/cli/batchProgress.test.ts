import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import type { BatchEvent } from "../batch/runBatch.js";
import type { StoredResult } from "../batch/store/resultStore.js";
import { barProgress, formatEta, lineProgress } from "./batchProgress.js";

const key = {
  storedResultVersion: 1 as const,
  assignmentId: "autodiff",
  assignmentFingerprint: "f",
  seed: 1,
  graderVersion: "0.1.0",
  submissionHash: "h",
};

function errorEvent(folder: string, message: string, done: number, total: number): BatchEvent {
  const stored: StoredResult = { ...key, folder, status: "error", message, retry: false };
  return { type: "finished", folder, stored, done, total };
}

function gradedEvent(folder: string, done: number, total: number): BatchEvent {
  const stored: StoredResult = { ...key, folder, status: "graded", result: sampleResult() };
  return { type: "finished", folder, stored, done, total };
}

/** A clock the test moves: milliseconds. */
function fakeClock() {
  const clock = { ms: 0, now: () => clock.ms };
  return clock;
}

const LONG_ERROR =
  "carol.zip/repo has no src/ folder and none of the modules at its top level (it holds README.md): a submission is a src/ folder holding the modules contractions.ts, derivatives.ts and layers.ts";

describe("formatEta", () => {
  it("gives every time left with its units", () => {
    expect([0, 4.4, 45, 59.6, 60, 200, 3599, 3600, 3 * 3600 + 5 * 60 + 9].map(formatEta)).toEqual([
      "0s",
      "4s",
      "45s",
      "1m 00s",
      "1m 00s",
      "3m 20s",
      "59m 59s",
      "1h 00m",
      "3h 05m",
    ]);
  });

  it("says it cannot tell yet rather than printing a number without meaning", () => {
    expect([Number.POSITIVE_INFINITY, Number.NaN, -1].map(formatEta)).toEqual(["?", "?", "?"]);
  });
});

describe("lineProgress", () => {
  it("prints one line per submission with the rate and an ETA in minutes and seconds", () => {
    const lines: string[] = [];
    const clock = fakeClock();
    const progress = lineProgress((text) => lines.push(text), clock.now);
    progress.onEvent({ type: "start", total: 12, toGrade: 12, reused: 0, jobs: 2 });
    clock.ms = 20_000;
    progress.onEvent(gradedEvent("alice", 1, 12));
    expect(lines).toEqual([
      "grading 12 of 12 submission(s) with 2 worker(s)\n",
      // One in 20 s: 3.0/min, 11 to go at that rate is 220 s.
      "[1/12] alice: 38/65 (3.0/min, ETA 3m 40s)\n",
    ]);
  });

  it("shortens a long error at a word, with an ellipsis, on one line", () => {
    const lines: string[] = [];
    const clock = fakeClock();
    const progress = lineProgress((text) => lines.push(text), clock.now);
    progress.onEvent({ type: "start", total: 2, toGrade: 2, reused: 0, jobs: 1 });
    clock.ms = 30_000;
    progress.onEvent(errorEvent("carol", `${LONG_ERROR}\n  at line two`, 1, 2));
    const line = lines[1]!;
    expect(line).toMatch(/^\[1\/2\] carol: error: carol\.zip\/repo has no src\/ folder .*… \(/);
    expect(line).toContain("(2.0/min, ETA 30s)\n");
    const shown = line.slice("[1/2] carol: error: ".length, line.indexOf("… ("));
    expect(shown.length).toBeLessThanOrEqual(120);
    // Cut where a word ends: what is shown is the message's beginning, up to a whole word.
    expect(`${LONG_ERROR} `).toContain(`${shown} `);
    expect(line.split("\n")).toHaveLength(2);
  });

  it("prints a short error in full and escapes control characters", () => {
    const lines: string[] = [];
    const progress = lineProgress((text) => lines.push(text));
    progress.onEvent({ type: "start", total: 1, toGrade: 1, reused: 0, jobs: 1 });
    progress.onEvent(errorEvent("dave\u001b[2J", "dave.zip: the zip holds no files", 1, 1));
    expect(lines[1]).toMatch(
      /^\[1\/1\] dave\\x1b\[2J: error: dave\.zip: the zip holds no files \(/,
    );
  });
});

describe("barProgress", () => {
  it("shows the ETA with units (cli-progress's own {eta} is bare seconds) and shortened errors", () => {
    let written = "";
    const stream = {
      isTTY: true,
      columns: 200,
      write: (text: string) => {
        written += text;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const clock = fakeClock();
    const progress = barProgress(stream, clock.now);
    progress.onEvent({ type: "start", total: 40, toGrade: 40, reused: 0, jobs: 2 });
    clock.ms = 10_000;
    progress.onEvent(errorEvent("carol", LONG_ERROR, 1, 40));
    progress.stop();
    const last = written.split("grading [").at(-1)!;
    // One in 10 s: 39 to go is 390 s.
    expect(last).toContain("| 6.0/min | ETA 6m 30s | carol error: carol.zip/repo has no src/");
    const shown = last.slice(last.indexOf("carol error: ") + 13, last.indexOf("…"));
    expect(shown.length).toBeGreaterThan(20);
    expect(`${LONG_ERROR} `).toContain(`${shown} `);
    expect(written).not.toContain("{etaText}");
  });
});
