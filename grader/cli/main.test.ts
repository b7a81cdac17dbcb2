import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { packagePath } from "../common/packagePath.js";

const root = packagePath("");

/** Runs the real entry point the way a user does (through tsx, from source). */
function gradmark(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    delete childEnv.FORCE_COLOR;
    delete childEnv.NODE_OPTIONS;
    execFile(
      packagePath("node_modules/.bin/tsx"),
      [packagePath("grader/cli/main.ts"), ...args],
      { cwd: root, env: childEnv, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("gradmark (the process)", () => {
  it("prints help and exits 0", async () => {
    const { code, stdout, stderr } = await gradmark(["check", "--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^gradmark check \[dir\]/);
  });

  it("exits 2 with one line and a hint for a missing folder", async () => {
    const { code, stdout, stderr } = await gradmark(["check", "no/such/folder"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      'gradmark: no such folder: no/such/folder\nRun "gradmark check --help" for usage.\n',
    );
  });

  it("exits 2 with one line and a hint for a folder without src/", async () => {
    const { code, stderr } = await gradmark(["check", "grader/reporters", "--seed", "1"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^gradmark: grader\/reporters has no src\/ folder[^\n]*\nRun "gradmark check --help" for usage\.\n$/,
    );
  });

  it("exits 2 with one line for an unknown format", async () => {
    const { code, stderr } = await gradmark(["grade", "fixtures/starter", "--format", "yaml"]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'gradmark: unknown format "yaml"; known formats: terminal, json, gradescope, classroom, junit, markdown\nRun "gradmark grade --help" for usage.\n',
    );
  });

  it("exits 2 with one line for a bad GRADMARK_SEED", async () => {
    const { code, stderr } = await gradmark(["grade", "fixtures/starter"], {
      GRADMARK_SEED: "secret",
    });
    expect(code).toBe(2);
    expect(stderr).toBe(
      'gradmark: GRADMARK_SEED must be an integer (its value is not shown)\nRun "gradmark grade --help" for usage.\n',
    );
  });

  it("exits 2 with one line for an unknown option", async () => {
    const { code, stderr } = await gradmark(["list", "--colour"]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'gradmark: unknown option --colour\nRun "gradmark list --help" for usage.\n',
    );
  });
});
