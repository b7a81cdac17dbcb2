/**
 * End to end, as course staff and a student meet gradmark: the package packed with npm pack,
 * `gradmark init <repo> --from <tarball>` (the packed gradmark) run from another folder,
 * `npm install` in the new repository, `npx gradmark check` on the starter, then, in a fresh
 * copy of the repository as committed (the first push), the `run:` steps of the generated
 * .github/workflows/grade.yml in order, as GitHub Actions runs them (GITHUB_ACTIONS=true, a job
 * summary file).
 *
 * Time: npm install dominates (the dependencies come from the npm cache that `npm ci` filled:
 * --prefer-offline). The package is packed with --ignore-scripts from the dist/ already built
 * (`npm ci` builds it through `prepare`) when dist/ is newer than every file the build reads;
 * otherwise it is built in a copy of the package in a temporary folder, so the working tree's
 * dist/ is never rewritten under another test.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagePath } from "../common/packagePath.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end and reports its exit code (never throws on a non-zero one). */
function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = childEnv(),
): Promise<Run> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
      },
    );
  });
}

/**
 * The environment of a fresh shell: nothing from the npm script or vitest running this test
 * (npm_package_*, the checkout's node_modules/.bin on PATH, NODE_ENV), no GitHub Actions or
 * gradmark settings of the machine (a CI job running this suite keeps its own job summary);
 * npm prefers its cache and skips audit and funding notes.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm's own settings (npm_config_*: cache, registry) stay; what an npm script sets goes.
    if (/^npm_(?!config_)|^(GITHUB_|RUNNER_|GRADMARK_|VITEST)/.test(key)) continue;
    if (["npm_config_local_prefix", "INIT_CWD", "NODE_ENV", "CI"].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !dir.includes(`node_modules${sep}.bin`))
    .join(delimiter);
  return {
    ...env,
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    NO_COLOR: "1",
    ...extra,
  };
}

/** What scripts/build.mjs reads; dist/ is current when dist/cli.js is newer than all of it. */
const BUILD_INPUTS = ["grader", "reference", "checks", "scripts/build.mjs", "package.json"];
const BUILD_INPUTS_EXTRA = ["tsconfig.json", "tsconfig.build.json"];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(".test.ts") ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (name === "node_modules") continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

function builtIsCurrent(root: string): boolean {
  const cli = join(root, "dist", "cli.js");
  if (!existsSync(cli)) return false;
  const inputs = [...BUILD_INPUTS, ...BUILD_INPUTS_EXTRA].map((entry) => join(root, entry));
  return statSync(cli).mtimeMs >= Math.max(...inputs.map(newestMtime));
}

/** A copy of the package with dist/ built in it (node_modules linked from the checkout). */
async function buildCopy(root: string, work: string): Promise<string> {
  const copy = join(work, "gradmark");
  for (const entry of [
    ...BUILD_INPUTS,
    ...BUILD_INPUTS_EXTRA,
    "README.md",
    "bin",
    "fixtures/starter",
  ]) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  const built = await run(process.execPath, ["scripts/build.mjs"], copy);
  expect(built.stderr).toBe("");
  expect(built.code).toBe(0);
  return copy;
}

/** The `run:` commands of a workflow, in order (one-line commands and `|` blocks). */
function runSteps(workflow: string): string[] {
  const lines = workflow.split("\n");
  const steps: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i]!);
    if (!match) continue;
    const value = match[2]!.trim();
    if (value !== "|" && value !== "|-") {
      steps.push(value);
      continue;
    }
    const block: string[] = [];
    const indent = match[1]!.length;
    while (
      i + 1 < lines.length &&
      (lines[i + 1]!.trim() === "" || indentOf(lines[i + 1]!) > indent)
    )
      block.push(lines[++i]!);
    const margin = Math.min(...block.filter((l) => l.trim() !== "").map(indentOf));
    steps.push(block.map((l) => l.slice(margin)).join("\n"));
  }
  return steps;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

describe("a student repository made by gradmark init --from <packed tarball>", () => {
  // Made when the test runs (not when the file is collected), removed after it.
  let work = "";
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "gradmark-e2e-"));
  });
  afterAll(() => {
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  it("installs, checks the starter and runs its workflow as GitHub Actions would", async () => {
    const times: Record<string, number> = {};
    const started = performance.now();

    // 1. The package, packed from its build (the one in the checkout when it is current).
    const source = packagePath(".");
    const reuse = builtIsCurrent(source);
    const root = reuse ? source : await buildCopy(source, work);
    times.build = Math.round(performance.now() - started);
    const packs = join(work, "packs");
    mkdirSync(packs);
    // npm pack lists what it packed. scripts/build.e2e.test.ts rebuilds the checkout's dist/ (npm
    // pack runs prepare there); packed in that instant, dist/ is missing: pack again.
    let pack: { filename: string; files: { path: string }[] } | undefined;
    for (let attempt = 1; ; attempt++) {
      const packed = await run(
        "npm",
        ["pack", "--ignore-scripts", "--json", "--pack-destination", packs],
        root,
      );
      times.pack = packed.ms;
      expect(packed.code, packed.stderr).toBe(0);
      pack = JSON.parse(packed.stdout)[0];
      if (attempt === 3 || pack!.files.some((file) => file.path === "dist/cli.js")) break;
      await new Promise((wait) => setTimeout(wait, 3000));
    }
    expect(pack!.files.map((file) => file.path)).toEqual(
      expect.arrayContaining(["bin/gradmark.js", "dist/cli.js", "fixtures/starter/package.json"]),
    );

    // 2. Staff, in a folder of their own, make the repository from the tarball one level up,
    // with the gradmark in that tarball (unpacked, its dependencies linked from the checkout):
    // the very files students install, and not the checkout's dist/, which build.e2e.test.ts
    // may be rebuilding meanwhile.
    const unpacked = join(work, "unpacked");
    mkdirSync(unpacked);
    const untar = await run("tar", ["-xzf", join(packs, pack!.filename), "-C", unpacked], work);
    expect(untar.code, untar.stderr).toBe(0);
    const packaged = join(unpacked, "package");
    symlinkSync(join(source, "node_modules"), join(packaged, "node_modules"), "dir");
    const staff = join(work, "staff");
    mkdirSync(staff);
    const init = await run(
      process.execPath,
      [join(packaged, "bin", "gradmark.js"), "init", "hw", "--from", `../packs/${pack!.filename}`],
      staff,
    );
    times.init = init.ms;
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`gradmark comes from vendor/${pack!.filename}, a copy of`);
    expect(init.stdout).toContain("\nnext: cd hw && npm install && npx gradmark check\n");
    const repo = join(staff, "hw");
    const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    expect(manifest.devDependencies.gradmark).toBe(`file:vendor/${pack!.filename}`);

    // 3. The printed next steps, in the repository: install, then check the starter.
    const install = await run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund"],
      repo,
    );
    times.install = install.ms;
    expect(install.code, install.stderr).toBe(0);
    expect(
      JSON.parse(readFileSync(join(repo, "node_modules", "gradmark", "package.json"), "utf8")),
    ).toMatchObject({ name: "gradmark" });

    const check = await run("npx", ["gradmark", "check"], repo);
    times.check = check.ms;
    // The starter: exit code 1, every check not implemented, nothing failed or passed.
    expect(check.code, check.stderr).toBe(1);
    const perProblem = [...check.stdout.matchAll(/not implemented {2}all (\d+) checks? of this/g)];
    expect(perProblem).toHaveLength(6);
    const total = perProblem.reduce((sum, m) => sum + Number(m[1]), 0);
    // Where the sandbox lacks a wall (no bubblewrap), a last line says which, as it should.
    expect(check.stdout).toMatch(
      new RegExp(
        `\\n\\s*Total\\s.*0/100\\n\\s*${total} not implemented\\n(\\s*sandbox: graded without [^\\n]*\\n)?\\n*$`,
      ),
    );

    // 4. The first push: the workflow's run: steps in order, in a fresh checkout elsewhere (the
    // repository as committed: node_modules/ is in .gitignore, package-lock.json is not), as in
    // GitHub Actions (bash -e, GITHUB_ACTIONS=true, a job summary file).
    const ignored = readFileSync(join(repo, ".gitignore"), "utf8").split("\n");
    expect(ignored).toContain("node_modules/");
    const checkout = join(work, "runner", "work", "hw");
    cpSync(repo, checkout, {
      recursive: true,
      filter: (path) => !path.split(sep).includes("node_modules"),
    });
    // The lock file a student commits names the tarball by its place in the repository.
    const lock = readFileSync(join(checkout, "package-lock.json"), "utf8");
    expect(JSON.parse(lock).packages["node_modules/gradmark"]).toMatchObject({
      resolved: `file:vendor/${pack!.filename}`,
    });
    expect(lock).not.toContain(work);
    const workflow = readFileSync(join(checkout, ".github", "workflows", "grade.yml"), "utf8");
    const steps = runSteps(workflow);
    expect(steps[0]).toMatch(/^npm install\b/);
    expect(steps.at(-1)).toBe("npx gradmark grade");
    const summary = join(work, "step-summary.md");
    const actions = childEnv({ GITHUB_ACTIONS: "true", CI: "true", GITHUB_STEP_SUMMARY: summary });
    const results: Run[] = [];
    for (const step of steps) {
      const result = await run(
        "bash",
        ["--noprofile", "--norc", "-eo", "pipefail", "-c", step],
        checkout,
        actions,
      );
      results.push(result);
      times[`workflow: ${step}`] = result.ms;
      if (result.code !== 0) break;
    }
    expect(results.map((r) => r.code)).toEqual([...steps.slice(0, -1).map(() => 0), 1]);
    const grade = results.at(-1)!;
    // Annotations on the student's files: a notice per problem still to implement, no errors.
    expect(grade.stdout.match(/^::notice file=src\/\w+\.ts,line=\d+,/gm)).toHaveLength(6);
    expect(grade.stdout).not.toMatch(/^::error/m);
    expect(readFileSync(summary, "utf8")).toContain("0/100");

    times.total = Math.round(performance.now() - started);
    console.log(
      `studentRepo e2e (${reuse ? "dist/ reused" : "dist/ built in a copy"}): ${JSON.stringify(times)}`,
    );
  }, 240_000);
});
