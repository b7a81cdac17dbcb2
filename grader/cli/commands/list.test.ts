import { describe, expect, it } from "vitest";
import { fakeAssignment, fakeDeps, fakeIO } from "../../../testing/cliFakes.js";
import { assignmentOutline } from "../../reporters/assignmentOutline.js";
import { runCli } from "../cli.js";

describe("list", () => {
  it("prints every check with points, runs and hidden flag, and each problem's total", async () => {
    const io = fakeIO();
    const deps = fakeDeps();
    expect(await runCli(["list"], io, deps)).toBe(0);
    expect(deps.loaded).toEqual([undefined]);
    expect(io.err).toBe("");
    expect(io.out).toBe(
      [
        "Fake assignment (fake): 10 points, 2 problems, 3 checks (1 hidden: run by grade, not by check)",
        "",
        "First problem  first · src/a  5.5 points",
        "  check  title           points  runs",
        "  1.one  title of 1.one       3    25",
        "  1.two  title of 1.two     2.5   100  hidden",
        "",
        "Second problem  second · src/b  4.5 points",
        "  check  title           points  runs",
        "  2.one  title of 2.one     4.5    25",
        "",
        "Total  10 points",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON with --format json and passes --assignment on", async () => {
    const io = fakeIO();
    const deps = fakeDeps();
    expect(await runCli(["list", "--format", "json", "--assignment", "a.ts"], io, deps)).toBe(0);
    expect(deps.loaded).toEqual(["a.ts"]);
    const json = JSON.parse(io.out);
    expect(json).toEqual(assignmentOutline(fakeAssignment()));
    expect(json.problems[0]).toEqual({
      id: "first",
      title: "First problem",
      module: "a",
      maxScore: 5.5,
      checks: [
        { id: "1.one", title: "title of 1.one", points: 3, runs: 25, hidden: false },
        { id: "1.two", title: "title of 1.two", points: 2.5, runs: 100, hidden: true },
      ],
    });
  });

  it("rejects other formats and reports a broken assignment in one line", async () => {
    let io = fakeIO();
    expect(await runCli(["list", "--format", "csv"], io, fakeDeps())).toBe(2);
    expect(io.err).toBe(
      'gradmark: unknown format "csv"; list knows terminal, json\nRun "gradmark list --help" for usage.\n',
    );
    io = fakeIO();
    const deps = fakeDeps();
    deps.loadAssignment = async () => {
      throw new Error('assignment "x": problem "p": the id is used twice');
    };
    expect(await runCli(["list"], io, deps)).toBe(2);
    expect(io.err).toBe('gradmark: assignment "x": problem "p": the id is used twice\n');
  });
});
