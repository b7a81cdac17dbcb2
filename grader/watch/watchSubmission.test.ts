import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { fakeAssignment } from "../../testing/cliFakes.js";
import { fakeGrading } from "../../testing/watchFakeGrading.js";
import { UsageError } from "../common/UsageError.js";
import { isEditorTempFile } from "./isEditorTempFile.js";
import { CLEAR_SCREEN } from "./watchScreen.js";
import {
  type KeyInput,
  type WatchHandle,
  type WatchOptions,
  type WatchRun,
  watchSubmission,
} from "./watchSubmission.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escapes is the point.
const ANSI = /\u001b\[/;

const made: string[] = [];
const open: WatchHandle[] = [];
afterEach(async () => {
  for (const handle of open.splice(0)) await handle.close();
});
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A submission for the fake assignment (problem "first" grades src/a.ts, "second" src/b.ts,
 * which imports a.ts), graded by a fake that gives each check the status `verdicts` says.
 */
function setup(overrides: Partial<WatchOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-watch-"));
  made.push(dir);
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "a.ts"), "export const a = 1;\n");
  writeFileSync(join(dir, "src", "b.ts"), 'import { a } from "./a";\nexport const b = a;\n');
  const { grade, calls, verdicts, failWith } = fakeGrading();
  const runs: WatchRun[] = [];
  const waiting: ((run: WatchRun) => void)[] = [];
  let seeds = 10;
  const io = {
    out: "",
    stdout: (text: string) => {
      io.out += text;
    },
    isTTY: false,
    env: {},
  };
  const options: WatchOptions = {
    dir,
    assignment: fakeAssignment(),
    io,
    grade,
    randomSeed: () => ++seeds,
    debounceMs: 20,
    onRun: (run) => {
      runs.push(run);
      waiting.shift()?.(run);
    },
    ...overrides,
  };
  return {
    dir,
    io,
    calls,
    runs,
    verdicts,
    options,
    failNext: failWith,
    /** The next run, once drawn. */
    nextRun: () => new Promise<WatchRun>((resolve) => waiting.push(resolve)),
    write: (file: string, text: string) => writeFileSync(join(dir, "src", file), text),
    start: async () => {
      const handle = await watchSubmission(options);
      open.push(handle);
      return handle;
    },
  };
}

/** A stand-in for a terminal's stdin. */
function fakeTTY(): KeyInput & { stream: PassThrough; setRawMode: ReturnType<typeof vi.fn> } {
  const stream = new PassThrough();
  const input = Object.assign(stream, { isTTY: true, setRawMode: vi.fn() });
  return Object.assign(input, { stream });
}

describe("isEditorTempFile", () => {
  it("knows the files editors write beside the one they save", () => {
    for (const name of [
      ".layers.ts.swp",
      "layers.ts~",
      "4913",
      "#layers.ts#",
      ".#layers.ts",
      "layers.ts.tmp",
      "layers.ts___jb_tmp___",
      "lib/.cache/x.ts",
      "node_modules/p/index.js",
    ]) {
      expect(isEditorTempFile(name), name).toBe(true);
    }
    for (const name of ["layers.ts", "lib/util.mjs", "data.json"]) {
      expect(isEditorTempFile(name), name).toBe(false);
    }
  });
});

describe("watchSubmission", () => {
  it("grades everything first, then what a save reaches, with one seed", async () => {
    const t = setup();
    const handle = await t.start();
    expect(t.runs).toHaveLength(1);
    expect(t.runs[0]!.problems).toEqual(["first", "second"]);
    expect(t.runs[0]!.reasons).toEqual(["start"]);
    expect(handle.seed).toBe(11);
    expect(t.calls[0]).toMatchObject({
      mode: "check",
      seed: 11,
      only: ["1.one", "1.two", "2.one"],
    });

    // b.ts is the second problem's alone.
    let next = t.nextRun();
    t.write("b.ts", 'import { a } from "./a";\nexport const b = a + 1;\n');
    let run = await next;
    expect(run).toMatchObject({ problems: ["second"], files: ["b.ts"], reasons: ["save"] });
    expect(t.calls.at(-1)).toMatchObject({ seed: 11, only: ["2.one"], mode: "check" });

    // a.ts is the first problem's, and b.ts imports it.
    next = t.nextRun();
    t.write("a.ts", "export const a = 2;\n");
    run = await next;
    expect(run.problems).toEqual(["first", "second"]);
    expect(t.calls.at(-1)!.seed).toBe(11);
    expect(run.screen).toContain("seed 11 (the same cases for the whole session)");
    expect(run.screen).toContain("graded every problem after src/a.ts changed");
  });

  it("ignores editors' temporary files and gathers a burst of saves into one run", async () => {
    const t = setup();
    await t.start();
    t.write(".a.ts.swp", "x");
    t.write("a.ts~", "x");
    t.write("4913", "");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(t.runs).toHaveLength(1);
    const next = t.nextRun();
    for (let i = 0; i < 5; i++) t.write("b.ts", `export const b = ${i};\n`);
    const run = await next;
    expect(run.problems).toEqual(["second"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.runs).toHaveLength(2);
  });

  it("says so when a save reaches no problem", async () => {
    const t = setup();
    await t.start();
    const next = t.nextRun();
    t.write("notes.ts", "export const notes = 1;\n");
    const run = await next;
    expect(run.problems).toEqual([]);
    expect(t.calls).toHaveLength(1);
    expect(run.screen).toContain("after src/notes.ts changed: no problem loads it, nothing graded");
  });

  it("a: everything with a new seed; f: what did not pass; q: quits and restores the terminal", async () => {
    const input = fakeTTY();
    const t = setup({ input });
    t.verdicts.set("2.one", "failed");
    const handle = await t.start();
    expect(input.setRawMode).toHaveBeenCalledWith(true);
    expect(t.runs[0]!.screen).toContain("press a to re-run all with a new seed, f to re-run");
    expect(t.runs[0]!.screen).toContain("replay: npx gradmark check --seed 11 --only 2.one");

    let next = t.nextRun();
    input.stream.write("f");
    let run = await next;
    expect(run).toMatchObject({ problems: ["second"], reasons: ["failed"], seed: 11 });
    // The failing check's smallest case and its replay path, from the second grading.
    expect(run.screen).toContain("x shrunk");
    expect(run.screen).toContain("--only 2.one --path 0:0");
    expect(run.verdictMs).toBeLessThanOrEqual(run.durationMs);

    t.verdicts.delete("2.one");
    next = t.nextRun();
    input.stream.write("a");
    run = await next;
    expect(run).toMatchObject({ problems: ["first", "second"], reasons: ["all"], seed: 12 });
    expect(t.calls.at(-1)!.seed).toBe(12);
    expect(run.screen).toContain("seed 12");

    next = t.nextRun();
    input.stream.write("f");
    run = await next;
    expect(run.problems).toEqual([]);
    expect(run.screen).toContain("every problem passed last time");

    input.stream.write("q");
    expect(await handle.closed).toBe(0);
    expect(input.setRawMode).toHaveBeenLastCalledWith(false);
    // Nothing is read or run once it has quit. Five gradings in all: each run that failed a
    // check graded its verdicts unshrunk first, then that check alone again, to shrink it.
    input.stream.write("a");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.calls).toHaveLength(5);
    expect(t.calls.map((c) => [c.shrink ?? true, c.only])).toEqual([
      [false, ["1.one", "1.two", "2.one"]],
      [true, ["2.one"]],
      [false, ["2.one"]],
      [true, ["2.one"]],
      [false, ["1.one", "1.two", "2.one"]],
    ]);
  });

  it("Ctrl-C quits too, with 1 when a check on the screen did not pass", async () => {
    const input = fakeTTY();
    const t = setup({ input });
    t.verdicts.set("1.one", "not-implemented");
    const handle = await t.start();
    input.stream.write("\u0003");
    expect(await handle.closed).toBe(1);
  });

  it("keeps the seed --seed gives, even on a", async () => {
    const t = setup({ seed: 5 });
    const handle = await t.start();
    const next = t.nextRun();
    handle.rerun("all");
    const run = await next;
    expect(run.seed).toBe(5);
    expect(run.screen).toContain("seed 5 (fixed by --seed)");
  });

  it("reads no keys without a terminal, and draws without colours or clearing when piped", async () => {
    const input = fakeTTY();
    input.isTTY = false;
    const t = setup({ input });
    await t.start();
    input.stream.write("a");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(input.setRawMode).not.toHaveBeenCalled();
    expect(t.runs).toHaveLength(1);
    expect(t.io.out).not.toMatch(ANSI);
    expect(t.runs[0]!.screen).toContain("Ctrl-C to quit");
  });

  it("redraws the screen in place on a terminal, readable with NO_COLOR", async () => {
    const t = setup();
    const io = { ...t.io, isTTY: true, env: { NO_COLOR: "1" } };
    let out = "";
    io.stdout = (text: string) => {
      out += text;
    };
    t.options.io = io;
    await t.start();
    expect(out.startsWith(CLEAR_SCREEN)).toBe(true);
    expect(out.split(CLEAR_SCREEN).join("")).not.toMatch(ANSI);
    const next = t.nextRun();
    t.write("b.ts", "export const b = 3;\n");
    await next;
    // Before each run, a screen saying what is being graded; after it, the verdicts.
    const screens = out.split(CLEAR_SCREEN).filter((s) => s !== "");
    expect(screens).toHaveLength(4);
    expect(screens[0]).toContain("RUNNING  grading every problem at start");
    expect(screens[1]).toContain("DONE  graded every problem at start");
    expect(screens[2]).toContain("RUNNING  grading problem second, Second problem, after src/b.ts");
    expect(screens[3]).toContain("DONE  graded problem second");
  });

  it("shows an error of the grader and grades the problem again on the next save", async () => {
    const t = setup();
    await t.start();
    t.failNext(new Error("esbuild's service stopped"));
    let next = t.nextRun();
    t.write("b.ts", "export const b = 4;\n");
    let run = await next;
    expect(run.error).toBe("esbuild's service stopped");
    expect(run.screen).toContain("could not grade: esbuild's service stopped");
    t.failNext(null);
    next = t.nextRun();
    t.write("a.ts", "export const a = 4;\n");
    run = await next;
    expect(run.error).toBeNull();
    expect(run.problems).toEqual(["first", "second"]);
  });

  it("refuses to start on a usage error (unknown --only id, no folder)", async () => {
    const t = setup({ only: ["nothing-like-it"] });
    await expect(t.start()).rejects.toThrow(UsageError);
    const u = setup();
    u.failNext(new UsageError("no such folder: hw"));
    await expect(u.start()).rejects.toThrow("no such folder: hw");
  });
});
