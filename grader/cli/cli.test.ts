import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeDeps, fakeIO, passingResult } from "../../testing/cliFakes.js";
import { sampleResult } from "../../testing/sampleResult.js";
import { UsageError } from "../common/UsageError.js";
import { runCli, usageMessage } from "./cli.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escapes is the point.
const ANSI = /\u001b\[/;

async function cli(argv: string[], options: Parameters<typeof fakeIO>[0] = {}, deps = fakeDeps()) {
  const io = fakeIO(options);
  const code = await runCli(argv, io, deps);
  return { code, out: io.out, err: io.err, deps, cwd: io.cwd };
}

/** The error output must be one message line plus the --help hint. */
function expectUsage(err: string, message: string, command?: string) {
  expect(err).toBe(
    `gradmark: ${message}\nRun "gradmark${command ? ` ${command}` : ""} --help" for usage.\n`,
  );
}

describe("--help", () => {
  it("lists every command", async () => {
    const { code, out, err } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    for (const command of ["check [dir]", "grade [dir]", "list", "selftest"]) {
      expect(out).toContain(`gradmark ${command}`);
    }
    expect(out).toContain("Exit codes: 0");
  });

  const options: Record<string, string[]> = {
    check: ["--seed", "--only", "--path", "--assignment", "--format", "--out", "--watch"],
    grade: ["--seed", "--only", "--path", "--assignment", "--format", "--out", "GRADMARK_SEED"],
    list: ["--assignment", "--format"],
    selftest: ["--seed"],
  };
  for (const [command, names] of Object.entries(options)) {
    it(`explains ${command} and its options`, async () => {
      const { code, out, err, deps } = await cli([command, "--help"]);
      expect(code).toBe(0);
      expect(err).toBe("");
      expect(out).toMatch(new RegExp(`^gradmark ${command}`));
      for (const name of names) expect(out).toContain(name);
      expect(deps.calls).toEqual([]);
      expect(deps.loaded).toEqual([]);
    });
  }

  it("prints the version", async () => {
    const { code, out } = await cli(["--version"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("usage errors: one line, a hint, exit 2", () => {
  it("asks for a command", async () => {
    const { code, err } = await cli([]);
    expect(code).toBe(2);
    expectUsage(err, "name a command: check, grade, batch, merge, list, selftest, init");
  });

  it("names an unknown command, option or extra argument", async () => {
    let r = await cli(["chek"]);
    expect(r.code).toBe(2);
    expectUsage(
      r.err,
      'unknown command "chek"; commands: check, grade, batch, merge, list, selftest, init',
    );
    r = await cli(["check", "--sed", "3"]);
    expect(r.code).toBe(2);
    expectUsage(r.err, "unknown option --sed", "check");
    r = await cli(["grade", "hw", "more"]);
    expectUsage(r.err, 'unexpected argument "more"', "grade");
    expect(r.deps.calls).toEqual([]);
  });

  it("rewords yargs' messages only where they are vague", () => {
    expect(usageMessage("Unknown arguments: xx, y, z", ["check", "--xx=1", "-y", "z"])).toBe(
      'unknown option --xx, -y; unexpected argument "z"',
    );
    expect(usageMessage("Not enough arguments", ["check"])).toBe("Not enough arguments");
  });

  it("names a missing folder before loading anything", async () => {
    let r = await cli(["check", "missing"]);
    expect(r.code).toBe(2);
    expectUsage(r.err, "no such folder: missing", "check");
    expect(r.out).toBe("");
    expect(r.deps.loaded).toEqual([]);
    expect(r.deps.calls).toEqual([]);
    r = await cli(["grade", "hw/src/../../nope"]);
    expectUsage(r.err, "no such folder: hw/src/../../nope", "grade");
  });

  it("names an unknown format with the known ones", async () => {
    const r = await cli(["check", "hw", "--format", "xml"]);
    expect(r.code).toBe(2);
    expectUsage(
      r.err,
      'unknown format "xml"; known formats: terminal, json, gradescope, classroom, junit, markdown',
      "check",
    );
  });

  it("rejects a bad --seed and a bad GRADMARK_SEED", async () => {
    let r = await cli(["check", "hw", "--seed", "12abc"]);
    expect(r.code).toBe(2);
    expectUsage(r.err, '--seed must be an integer, got "12abc"', "check");
    r = await cli(["grade", "hw"], { env: { GRADMARK_SEED: "banana" } });
    expect(r.code).toBe(2);
    expectUsage(r.err, "GRADMARK_SEED must be an integer (its value is not shown)", "grade");
    expect(r.err).not.toContain("banana");
    // An empty secret (a CI secret that is not set) must not fall back to the public seed.
    r = await cli(["grade", "hw"], { env: { GRADMARK_SEED: "" } });
    expectUsage(r.err, "GRADMARK_SEED must be an integer (its value is not shown)", "grade");
    r = await cli(["grade", "hw"], { env: { GRADMARK_SEED: "1.5" } });
    expect(r.code).toBe(2);
    expect(r.deps.calls).toEqual([]);
  });

  it("requires exactly one --only with --path", async () => {
    for (const extra of [[], ["--only", "a,b"]]) {
      const r = await cli(["check", "hw", "--path", "1:0", ...extra]);
      expect(r.code).toBe(2);
      expectUsage(
        r.err,
        "--path replays one check: name it with exactly one --only <check id>",
        "check",
      );
    }
  });

  it("maps a UsageError from grading (say, an unknown --only id) to exit 2", async () => {
    const deps = fakeDeps(sampleResult, new UsageError('unknown --only id "zzz"'));
    const r = await cli(["check", "hw", "--only", "zzz"], {}, deps);
    expect(r.code).toBe(2);
    expectUsage(r.err, 'unknown --only id "zzz"', "check");
  });

  it("prints any other error as one line without a stack, exit 2", async () => {
    const deps = fakeDeps(sampleResult, new Error("bundle failed:\n  esbuild exploded"));
    const r = await cli(["grade", "hw"], {}, deps);
    expect(r.code).toBe(2);
    expect(r.err).toBe("gradmark: bundle failed: esbuild exploded\n");
  });
});

describe("check --watch", () => {
  it("refuses what makes no sense in a loop before it starts watching", async () => {
    const cases: [string[], string][] = [
      [["--format", "json"], "--watch draws its own screen: it takes no --format"],
      [["--out", "report.txt"], "--watch draws on the terminal: no --out"],
      [["--path", "1:0"], "--watch re-runs whole problems: replay a --path without --watch"],
      [["--seed", "x"], '--seed must be an integer, got "x"'],
    ];
    for (const [extra, message] of cases) {
      const r = await cli(["check", "hw", "--watch", ...extra]);
      expect(r.code).toBe(2);
      expectUsage(r.err, message, "check");
      expect(r.deps.calls).toEqual([]);
    }
    const r = await cli(["check", "missing", "--watch"]);
    expect(r.code).toBe(2);
    expectUsage(r.err, "no such folder: missing", "check");
  });
});

describe("the assignment a repository names in its package.json", () => {
  it("is what check, check --watch's loader and list use without a flag, and never grade", async () => {
    const io = fakeIO();
    mkdirSync(join(io.cwd, "grading"));
    writeFileSync(join(io.cwd, "grading", "hw.ts"), "export default {};\n");
    writeFileSync(
      join(io.cwd, "package.json"),
      JSON.stringify({ gradmark: { assignment: "grading/hw.ts" } }),
    );
    const deps = fakeDeps();
    await runCli(["check", "hw"], io, deps);
    await runCli(["list"], io, deps);
    await runCli(["check", "hw", "--assignment", "other.ts"], io, deps);
    // A submission never chooses what grades it (Gradescope runs grade on the student's files).
    await runCli(["grade", "hw"], io, deps);
    expect(deps.loaded).toEqual([
      join("grading", "hw.ts"),
      join("grading", "hw.ts"),
      "other.ts",
      undefined,
    ]);
    // The replay line needs no flag: the same package.json applies.
    expect(io.out).toContain("replay: npx gradmark check hw --seed");
  });

  it("stops check with one line when the field names no file", async () => {
    const io = fakeIO();
    writeFileSync(join(io.cwd, "package.json"), '{"gradmark": {"assignment": "nope.ts"}}');
    const code = await runCli(["check", "hw"], io, fakeDeps());
    expect(code).toBe(2);
    expectUsage(
      io.err,
      'package.json names the assignment "nope.ts", which does not exist (nope.ts)',
      "check",
    );
  });
});

describe("check", () => {
  it("draws a seed, prints it first, grades in check mode and prints the report", async () => {
    const r = await cli(["check", "hw"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(r.out.startsWith("seed: 4242\ngradmark 0.1.0 · ")).toBe(true);
    expect(r.deps.calls).toEqual([
      {
        dir: join(r.cwd, "hw"),
        assignment: expect.anything(),
        seed: 4242,
        mode: "check",
        isolation: "best",
      },
    ]);
    expect(r.deps.loaded).toEqual([undefined]);
    expect(r.out).toContain(
      "replay: npx gradmark check hw --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
    );
    expect(r.out).not.toMatch(ANSI);
  });

  it("replays with the given seed, ids and path", async () => {
    const r = await cli([
      "check",
      "hw",
      "--seed",
      "77",
      "--only",
      "3.linear.backward",
      "--path",
      "12:0",
    ]);
    expect(r.out.startsWith("seed: 77\n")).toBe(true);
    expect(r.deps.calls[0]).toMatchObject({
      seed: 77,
      only: ["3.linear.backward"],
      path: "12:0",
    });
  });

  it("takes --only repeated and comma-separated", async () => {
    const r = await cli(["check", "hw", "--only", "layers, 1.a", "--only", "Linear"]);
    expect(r.deps.calls[0]!.only).toEqual(["layers", "1.a", "Linear"]);
  });

  it("exits 0 when every check that ran passed (hidden ones skipped)", async () => {
    const r = await cli(["check", "hw"], {}, fakeDeps(passingResult));
    expect(r.code).toBe(0);
  });

  it("keeps the assignment in replay lines and loads it relative to cwd", async () => {
    const r = await cli(["check", "hw", "--assignment", "my assignment.ts"]);
    expect(r.deps.loaded).toEqual(["my assignment.ts"]);
    expect(r.out).toContain(
      "npx gradmark check hw --assignment 'my assignment.ts' --seed 1234567 --only",
    );
  });

  it("prints pure JSON on stdout with --format json (the seed goes to stderr)", async () => {
    const r = await cli(["check", "hw", "--format", "json"]);
    expect(r.err).toBe("seed: 4242\n");
    expect(JSON.parse(r.out)).toEqual(sampleResult());
    expect(r.code).toBe(1);
  });

  it("writes the report to --out, creating folders, and prints a summary", async () => {
    const r = await cli(["check", "hw", "--out", "reports/check.txt"], { isTTY: true });
    const written = readFileSync(join(r.cwd, "reports/check.txt"), "utf8");
    expect(written).toContain("Total");
    expect(written).not.toMatch(ANSI); // a file is not a terminal
    expect(r.out).toBe("score 38/65; terminal report written to reports/check.txt\n");
    expect(r.err).toBe("seed: 4242\n");
  });

  it("fails with one line when --out cannot be written", async () => {
    const r = await cli(["check", "hw", "--out", "hw/src"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^seed: 4242\ngradmark: cannot write the report to hw\/src: [^\n]+\n$/);
  });
});

describe("colours", () => {
  const colored = async (options: Parameters<typeof fakeIO>[0]) =>
    ANSI.test((await cli(["check", "hw"], options)).out);

  it("are on in a terminal and off in a pipe", async () => {
    expect(await colored({ isTTY: true })).toBe(true);
    expect(await colored({ isTTY: false })).toBe(false);
  });

  it("are off for NO_COLOR and forced by FORCE_COLOR", async () => {
    expect(await colored({ isTTY: true, env: { NO_COLOR: "1" } })).toBe(false);
    expect(await colored({ isTTY: false, env: { FORCE_COLOR: "1" } })).toBe(true);
    expect(await colored({ isTTY: true, env: { FORCE_COLOR: "0" } })).toBe(false);
  });

  it("are never in JSON", async () => {
    const r = await cli(["check", "hw", "--format", "json"], { env: { FORCE_COLOR: "1" } });
    expect(r.out).not.toMatch(ANSI);
  });
});

describe("grade", () => {
  it("uses --seed, else GRADMARK_SEED, else the assignment's seed", async () => {
    let r = await cli(["grade", "hw", "--seed", "5"], { env: { GRADMARK_SEED: "6" } });
    expect(r.deps.calls[0]).toMatchObject({ seed: 5, mode: "grade" });
    r = await cli(["grade", "hw"], { env: { GRADMARK_SEED: " 6 " } });
    expect(r.deps.calls[0]).toMatchObject({ seed: 6, mode: "grade" });
    r = await cli(["grade", "hw"]);
    expect(r.deps.calls[0]!.seed).toBeUndefined();
    expect(r.out).not.toContain("seed: ");
  });

  it("does not print a secret seed from GRADMARK_SEED", async () => {
    const r = await cli(["grade", "hw"], { env: { GRADMARK_SEED: "1234567" } });
    expect(r.out).not.toContain("1234567");
    expect(r.out).toContain(
      'npx gradmark grade hw --seed "$GRADMARK_SEED" --only 3.linear.backward',
    );
  });

  it("replays with grade (hidden checks run only there) and exits 1 on failures", async () => {
    const r = await cli(["grade", "hw", "--seed", "1"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("replay: npx gradmark grade hw --seed 1234567 --only");
  });

  it("writes JSON for CI", async () => {
    const r = await cli(
      ["grade", "hw", "--format", "json", "--out", "out/results.json"],
      {},
      fakeDeps(passingResult),
    );
    expect(r.code).toBe(0);
    expect(existsSync(join(r.cwd, "out/results.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(r.cwd, "out/results.json"), "utf8"))).toEqual(
      passingResult(),
    );
    expect(r.out).toBe("score 65/65; json report written to out/results.json\n");
  });
});
