import { execFile, execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { packagePath } from "../../common/packagePath.js";
import { UsageError } from "../../common/UsageError.js";
import { bashQuote } from "./templates.js";
import { writeGradescopeAutograder } from "./writeGradescopeAutograder.js";

const _run = promisify(execFile);
const _MODULES = ["autograd", "contractions", "derivatives", "einsum", "layers", "training"];
/** This checkout's CLI, as run_autograder's GRADMARK_BIN (words separated by spaces). */
const _GRADMARK_BIN = `${packagePath("node_modules/.bin/tsx")} ${packagePath("grader/cli/main.ts")}`;

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-gradescope-"));
  temps.push(dir);
  return dir;
}

describe("writeGradescopeAutograder", () => {
  it("writes setup.sh, run_autograder and README.md, the scripts executable bash", () => {
    const dir = join(tempDir(), "autograder");
    const written = writeGradescopeAutograder(dir, {
      gradmarkVersion: "1.2.3",
      nodeMajor: 22,
      hiddenVisibility: "hidden",
    });
    expect(written).toEqual(["setup.sh", "run_autograder", "README.md"].map((f) => join(dir, f)));
    for (const path of written.slice(0, 2)) {
      expect(statSync(path).mode & 0o777).toBe(0o755);
      const text = readFileSync(path, "utf8");
      expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
      expect(text).not.toContain("\r");
      execFileSync("bash", ["-n", path]);
    }
    expect(statSync(written[2]!).mode & 0o777).toBe(0o644);
    const setup = readFileSync(written[0]!, "utf8");
    expect(setup).toContain("GRADMARK_VERSION='1.2.3'");
    expect(setup).toContain("NODE_MAJOR=22\nNODE_MIN_MINOR=0\n");
    expect(setup).toContain('npm install --global "gradmark@$GRADMARK_VERSION"');
    expect(setup).toContain('tarballs=("$HERE"/gradmark-*.tgz)');
    expect(setup).toContain("https://deb.nodesource.com/setup_$NODE_MAJOR.x");
    const runner = readFileSync(written[1]!, "utf8");
    expect(runner).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template.
      'export GRADMARK_GRADESCOPE_HIDDEN="${GRADMARK_GRADESCOPE_HIDDEN:-hidden}"',
    );
    expect(runner).toContain("ASSIGNMENT=''");
    expect(readFileSync(written[2]!, "utf8")).toContain("gradmark 1.2.3");

    // Written again: refused unless forced; forced, overwritten with modes kept.
    chmodSync(written[1]!, 0o600);
    expect(() => writeGradescopeAutograder(dir, { gradmarkVersion: "1.2.4" })).toThrow(UsageError);
    writeGradescopeAutograder(dir, { gradmarkVersion: "1.2.4", force: true });
    expect(statSync(written[1]!).mode & 0o777).toBe(0o755);
    expect(readFileSync(written[0]!, "utf8")).toContain("NODE_MAJOR=20\nNODE_MIN_MINOR=19\n");
    expect(readFileSync(written[1]!, "utf8")).toContain(":-after_published}");
  });

  it("never overwrites a customised autograder unless forced, and leaves other files alone", () => {
    const dir = join(tempDir(), "autograder");
    writeGradescopeAutograder(dir, { gradmarkVersion: "0.1.0" });
    const runner = join(dir, "run_autograder");
    const customised = readFileSync(runner, "utf8").replace(
      "set -uo pipefail\n",
      "set -uo pipefail\nexport GRADMARK_SEED=424242\n",
    );
    writeFileSync(runner, customised);
    writeFileSync(join(dir, "gradmark-0.1.0.tgz"), "a tarball staff put here");
    writeFileSync(join(dir, "assignment.ts"), "// staff's own");

    let error: unknown;
    try {
      writeGradescopeAutograder(dir, { gradmarkVersion: "0.1.0" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `${dir} already has setup.sh, run_autograder and README.md, which gradmark init --gradescope would overwrite, losing any changes made to them; use --force to overwrite`,
    );
    expect(readFileSync(runner, "utf8")).toBe(customised);

    // Only the files it writes count: a folder holding other files is written into.
    rmSync(join(dir, "setup.sh"));
    rmSync(join(dir, "README.md"));
    expect(() => writeGradescopeAutograder(dir, { gradmarkVersion: "0.1.0" })).toThrow(
      /already has run_autograder, which gradmark init --gradescope would overwrite, losing any changes made to it;/,
    );
    rmSync(runner);
    writeGradescopeAutograder(dir, { gradmarkVersion: "0.1.0" });
    writeFileSync(runner, customised);
    writeGradescopeAutograder(dir, { gradmarkVersion: "0.1.0", force: true });
    expect(readFileSync(runner, "utf8")).not.toContain("GRADMARK_SEED=424242");
    expect(readFileSync(join(dir, "gradmark-0.1.0.tgz"), "utf8")).toBe("a tarball staff put here");
    expect(readFileSync(join(dir, "assignment.ts"), "utf8")).toBe("// staff's own");

    const file = join(tempDir(), "file");
    writeFileSync(file, "");
    expect(() => writeGradescopeAutograder(file, { gradmarkVersion: "0.1.0" })).toThrow(
      /exists and is not a folder/,
    );
  });

  it("ships a given tarball as gradmark-<version>.tgz, never beside another one", () => {
    const root = tempDir();
    const tarball = join(root, "packed.tgz");
    writeFileSync(tarball, "packed bytes");
    const dir = join(root, "autograder");
    const written = writeGradescopeAutograder(dir, { gradmarkVersion: "0.2.0", tarball });
    expect(written.at(-1)).toBe(join(dir, "gradmark-0.2.0.tgz"));
    expect(readFileSync(join(dir, "gradmark-0.2.0.tgz"), "utf8")).toBe("packed bytes");
    expect(() =>
      writeGradescopeAutograder(dir, { gradmarkVersion: "0.2.0", tarball, force: true }),
    ).not.toThrow();
    const other = join(root, "other");
    mkdirSync(other);
    writeFileSync(join(other, "gradmark-0.1.0.tgz"), "");
    expect(() => writeGradescopeAutograder(other, { gradmarkVersion: "0.2.0", tarball })).toThrow(
      `${other} already has gradmark-0.1.0.tgz; setup.sh installs a single gradmark-*.tgz, so remove it first`,
    );
    expect(() =>
      writeGradescopeAutograder(other, { gradmarkVersion: "0.2.0", tarball: join(root, "none") }),
    ).toThrow("no such tarball");
  });

  it("setup.sh keeps a recent Node and installs the shipped tarball, else gradmark@version", () => {
    // Stubs for node, npm and gradmark: no apt, no network. (The apt and NodeSource paths run
    // only on Gradescope's image.)
    const dir = tempDir();
    const bin = join(dir, "bin");
    mkdirSync(bin);
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub("node", `echo "$FAKE_NODE_VERSION"`);
    stub("npm", `echo "npm $*" >> "${dir}/npm.log"`);
    stub("gradmark", "echo 9.9.9");
    stub("apt-get", `echo "apt-get $*" >> "${dir}/apt.log"; exit 1`);
    const source = join(dir, "source");
    writeGradescopeAutograder(source, { gradmarkVersion: "1.2.3" });
    const setup = (nodeVersion: string) =>
      execFileSync("bash", [join(source, "setup.sh")], {
        env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_NODE_VERSION: nodeVersion },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });

    expect(setup("v20.19.2")).toContain("using the installed Node.js v20.19.2");
    expect(readFileSync(join(dir, "npm.log"), "utf8")).toBe(
      "npm install --global gradmark@1.2.3\n",
    );
    writeFileSync(join(source, "gradmark-1.2.3.tgz"), "");
    expect(setup("v22.0.0")).toContain(`installing gradmark from ${source}/gradmark-1.2.3.tgz`);
    expect(readFileSync(join(dir, "npm.log"), "utf8")).toContain(
      `npm install --global ${source}/gradmark-1.2.3.tgz\n`,
    );
    // Too old a Node: setup.sh goes to apt (here a stub that fails) and stops with an error.
    expect(() => setup("v20.11.0")).toThrow();
    expect(readFileSync(join(dir, "apt.log"), "utf8")).toBe("apt-get update\n");
  });

  it("refuses options that would make a broken script", () => {
    const dir = tempDir();
    expect(() => writeGradescopeAutograder(dir, { gradmarkVersion: "1.0; rm -rf /" })).toThrow(
      "gradmarkVersion must be an npm version or tag",
    );
    expect(() => writeGradescopeAutograder(dir, { gradmarkVersion: "" })).toThrow(UsageError);
    expect(() =>
      writeGradescopeAutograder(dir, { gradmarkVersion: "1.0.0", nodeMajor: 18 }),
    ).toThrow("nodeMajor must be an integer from 20");
    expect(() =>
      writeGradescopeAutograder(dir, { gradmarkVersion: "1.0.0", assignmentFile: "a\nb.ts" }),
    ).toThrow("assignmentFile must be a file path on one line");
    expect(() =>
      writeGradescopeAutograder(dir, {
        gradmarkVersion: "1.0.0",
        hiddenVisibility: "visible" as "hidden",
      }),
    ).toThrow('hiddenVisibility must be "hidden" or "after_published"');
  });

  it("quotes any text as one bash word", () => {
    for (const text of ["", "plain", 'it\'s $HOME `x` "q" \\ *']) {
      const out = execFileSync("bash", ["-c", `printf '%s' ${bashQuote(text)}`], {
        encoding: "utf8",
      });
      expect(out).toBe(text);
    }
  });
});
