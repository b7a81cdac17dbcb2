import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { fakeDeps, fakeIO } from "../../../testing/cliFakes.js";
import { fakeGrading } from "../../../testing/watchFakeGrading.js";
import { UsageError } from "../../common/UsageError.js";
import type { WatchHandle } from "../../watch/watchSubmission.js";
import { runWatchCommand } from "./watchCommand.js";

const args = { dir: "hw", format: "terminal" };

/** A stand-in for a terminal's stdin. */
function keyboard() {
  const stream = new PassThrough();
  return Object.assign(stream, { isTTY: true, setRawMode: vi.fn() });
}

describe("runWatchCommand", () => {
  it("watches the folder with the CLI's seed, assignment and replay command; q ends it", async () => {
    const io = fakeIO();
    const grading = fakeGrading();
    grading.verdicts.set("2.one", "failed");
    const deps = { ...fakeDeps(), gradeSubmission: grading.grade };
    const input = keyboard();
    let handle: WatchHandle | null = null;
    const code = await runWatchCommand(
      { ...args, only: "second", assignment: "my assignment.ts" },
      io,
      deps,
      {
        input,
        handleSignals: false,
        onStart: (started) => {
          handle = started;
          input.write("q");
        },
      },
    );
    expect(handle).not.toBeNull();
    expect(code).toBe(1);
    expect(io.err).toBe("");
    expect(deps.loaded).toEqual(["my assignment.ts"]);
    // The verdicts first, without shrinking; then the failing check again, to shrink it.
    const call = {
      dir: join(io.cwd, "hw"),
      assignment: expect.anything(),
      seed: 4242,
      mode: "check",
      only: ["2.one"],
      isolation: "best",
    };
    expect(grading.calls).toEqual([{ ...call, shrink: false }, call]);
    expect(io.out).toContain("gradmark check --watch · Fake assignment (fake) · seed 4242");
    expect(io.out).toContain(
      "replay: npx gradmark check hw --assignment 'my assignment.ts' --seed 4242 --only 2.one --path 0:0",
    );
    expect(input.setRawMode).toHaveBeenLastCalledWith(false);
  });

  it("keeps --seed for the session", async () => {
    const io = fakeIO();
    const grading = fakeGrading();
    const deps = { ...fakeDeps(), gradeSubmission: grading.grade };
    const input = keyboard();
    const code = await runWatchCommand({ ...args, seed: "77" }, io, deps, {
      input,
      handleSignals: false,
      onStart: (handle) => void handle.close(),
    });
    expect(code).toBe(0);
    expect(grading.calls[0]!.seed).toBe(77);
    expect(io.out).toContain("seed 77 (fixed by --seed)");
  });

  it("reports a first run that cannot grade as a usage error, naming the folder as typed", async () => {
    const io = fakeIO();
    const grading = fakeGrading();
    grading.failWith(new UsageError(`${join(io.cwd, "hw")} has no src/ folder`));
    const deps = { ...fakeDeps(), gradeSubmission: grading.grade };
    const code = await runWatchCommand(args, io, deps, {
      input: keyboard(),
      handleSignals: false,
    });
    expect(code).toBe(2);
    expect(io.err).toBe(
      'gradmark: hw has no src/ folder\nRun "gradmark check --help" for usage.\n',
    );
  });
});
