import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fakeIO } from "../../testing/cliFakes.js";
import { runInitCommand } from "../cli/commands/init.js";
import { UsageError } from "../common/UsageError.js";
import { version } from "../common/version.js";
import { GRADE_WORKFLOW, gradeWorkflow, scaffoldStudentRepo } from "./scaffoldStudentRepo.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A gradmark tarball as npm pack lays it out (package/package.json), made with tar. */
function fakeTarball(path: string, packageVersion = "0.1.0"): string {
  const stage = mkdtempSync(join(tmpdir(), "gradmark-fake-pack-"));
  mkdirSync(join(stage, "package"));
  writeFileSync(
    join(stage, "package", "package.json"),
    JSON.stringify({ name: "gradmark", version: packageVersion }),
  );
  execFileSync("tar", ["-czf", path, "-C", stage, "package"]);
  rmSync(stage, { recursive: true, force: true });
  return path;
}

describe("scaffoldStudentRepo", () => {
  it("writes the starter's modules, README, config and a grading workflow", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    const written = scaffoldStudentRepo(join(dir, "hw"));
    for (const module of [
      "contractions",
      "derivatives",
      "layers",
      "autograd",
      "einsum",
      "training",
    ]) {
      expect(written).toContain(join("src", `${module}.ts`));
    }
    expect(written).toEqual(
      expect.arrayContaining([
        "README.md",
        "tsconfig.json",
        "package.json",
        ".gitignore",
        join(".github", "workflows", "grade.yml"),
      ]),
    );
    expect(written.some((file) => file.endsWith(".test.ts"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, "hw", "package.json"), "utf8"));
    expect(manifest.devDependencies.gradmark).toBe(`^${version}`);
    expect(manifest.scripts).toMatchObject({
      check: "gradmark check",
      test: "vitest run --passWithNoTests",
    });
    expect(readFileSync(join(dir, "hw", ".github", "workflows", "grade.yml"), "utf8")).toBe(
      GRADE_WORKFLOW,
    );
    expect(GRADE_WORKFLOW).toContain("npx gradmark grade");
    expect(GRADE_WORKFLOW).toContain(`package.json names it: ^${version}\n`);
  });

  it("with a local tarball, ships a copy in vendor/ and installs gradmark from there", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    const tarball = fakeTarball(join(dir, "gradmark-0.1.0.tgz"));
    const from = { kind: "tarball", path: tarball, version: "0.1.0" } as const;
    const written = scaffoldStudentRepo(join(dir, "hw"), { from });
    expect(written).toContain(join("vendor", "gradmark-0.1.0.tgz"));
    expect(readFileSync(join(dir, "hw", "vendor", "gradmark-0.1.0.tgz"))).toEqual(
      readFileSync(tarball),
    );
    const manifest = JSON.parse(readFileSync(join(dir, "hw", "package.json"), "utf8"));
    expect(manifest.devDependencies.gradmark).toBe("file:vendor/gradmark-0.1.0.tgz");
    const workflow = readFileSync(join(dir, "hw", ".github", "workflows", "grade.yml"), "utf8");
    expect(workflow).toBe(gradeWorkflow("file:vendor/gradmark-0.1.0.tgz"));
    expect(workflow).toContain(
      "# Installs gradmark as package.json names it: file:vendor/gradmark-0.1.0.tgz\n      - run: npm install --no-audit --no-fund\n",
    );
    // The copy counts among the files init would overwrite.
    rmSync(join(dir, "hw"), { recursive: true });
    mkdirSync(join(dir, "hw", "vendor"), { recursive: true });
    writeFileSync(join(dir, "hw", "vendor", "gradmark-0.1.0.tgz"), "older");
    expect(() => scaffoldStudentRepo(join(dir, "hw"), { from })).toThrow(
      /already has a file gradmark init would write \(vendor\/gradmark-0.1.0.tgz\)/,
    );
  });

  it("refuses to overwrite a file unless forced", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    writeFileSync(join(dir, "README.md"), "mine");
    expect(() => scaffoldStudentRepo(dir)).toThrow(UsageError);
    expect(() => scaffoldStudentRepo(dir)).toThrow(
      /already has a file gradmark init would write \(README.md\); use --force/,
    );
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("mine");
    expect(existsSync(join(dir, "src"))).toBe(false);
    scaffoldStudentRepo(dir, { force: true });
    expect(readFileSync(join(dir, "README.md"), "utf8")).not.toBe("mine");
  });

  it("names a target that is a file", () => {
    dir = mkdtempSync(join(tmpdir(), "gradmark-init-"));
    writeFileSync(join(dir, "x"), "");
    expect(() => scaffoldStudentRepo(join(dir, "x"))).toThrow(/exists and is not a folder/);
  });
});

describe("gradmark init", () => {
  it("--from a tarball: copies it in and prints next steps that work from where init ran", async () => {
    const io = fakeIO();
    dir = io.cwd;
    mkdirSync(join(io.cwd, "staff"));
    fakeTarball(join(io.cwd, "gradmark-0.1.0.tgz"));
    io.cwd = join(io.cwd, "staff");
    const code = await runInitCommand({ dir: "my hw", from: "../gradmark-0.1.0.tgz" }, io);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    expect(io.out).toBe(
      [
        "created a homework repository in my hw (12 files)",
        "gradmark comes from vendor/gradmark-0.1.0.tgz, a copy of ../gradmark-0.1.0.tgz: commit it with the rest, the workflow installs it from there",
        "next: cd 'my hw' && npm install && npx gradmark check",
        "",
      ].join("\n"),
    );
    expect(existsSync(join(io.cwd, "my hw", "vendor", "gradmark-0.1.0.tgz"))).toBe(true);
  });

  it("--from a version, URL or git spec: written as given; a folder outside: a warning", async () => {
    const io = fakeIO();
    dir = io.cwd;
    const url = "https://example.org/releases/gradmark-0.1.0.tgz";
    expect(await runInitCommand({ dir: "a", from: url }, io)).toBe(0);
    expect(io.out).toContain(`gradmark comes from ${url}\nnext: cd a && npm install`);
    expect(JSON.parse(readFileSync(join(io.cwd, "a", "package.json"), "utf8"))).toMatchObject({
      devDependencies: { gradmark: url },
    });
    io.out = "";
    expect(await runInitCommand({ dir: "b", from: "0.1.0" }, io)).toBe(0);
    expect(io.out).toContain(
      "gradmark 0.1.0 comes from the npm registry (or the one .npmrc names), where it must be published",
    );
    io.out = "";
    mkdirSync(join(io.cwd, "gradmark", "dist"), { recursive: true });
    writeFileSync(join(io.cwd, "gradmark", "package.json"), '{"name":"gradmark"}');
    writeFileSync(join(io.cwd, "gradmark", "dist", "cli.js"), "");
    expect(await runInitCommand({ dir: "c", from: "./gradmark" }, io)).toBe(0);
    expect(io.out).toContain("gradmark comes from file:../gradmark\n");
    expect(io.out).toMatch(/\nnote: package\.json links to the folder \.\.\/gradmark, outside /);
  });

  it("without --from, says the registry must have gradmark and what --from takes", async () => {
    const io = fakeIO();
    dir = io.cwd;
    expect(await runInitCommand({ dir: "." }, io)).toBe(0);
    expect(io.out).toContain("\nnext: npm install && npx gradmark check\n");
    expect(io.out).toContain(
      `note: without --from, package.json asks the npm registry for gradmark ^${version}, so npm install (here and in the workflow) fails until gradmark is published there; to install it from elsewhere, run init again with --force --from <spec>: a version or range (0.1.0), a tarball made by npm pack (a path or an https URL), a git URL or a gradmark folder\n`,
    );
  });

  it("a --from that cannot be used: exit 2, one line, nothing written", async () => {
    const io = fakeIO();
    dir = io.cwd;
    expect(await runInitCommand({ dir: "hw2", from: "../gradmark-0.1.0.tgz" }, io)).toBe(2);
    expect(io.err).toBe(
      `gradmark: --from "../gradmark-0.1.0.tgz": no such file or folder (${join(io.cwd, "..", "gradmark-0.1.0.tgz")}; a path is read from the folder gradmark init runs in)\nRun "gradmark init --help" for usage.\n`,
    );
    expect(existsSync(join(io.cwd, "hw2"))).toBe(false);
  });

  it("--gradescope: refuses to overwrite a customised autograder without --force", async () => {
    const io = fakeIO();
    dir = io.cwd;
    expect(await runInitCommand({ dir: ".", gradescope: "autograder" }, io)).toBe(0);
    expect(io.out).toContain("  autograder/run_autograder\n");
    expect(io.out).toContain("note: setup.sh installs a gradmark-*.tgz from this folder");
    const runner = join(io.cwd, "autograder", "run_autograder");
    writeFileSync(runner, `${readFileSync(runner, "utf8")}\nexport GRADMARK_SEED=99\n`);
    const customised = readFileSync(runner, "utf8");

    io.out = "";
    expect(await runInitCommand({ dir: ".", gradescope: "autograder" }, io)).toBe(2);
    expect(io.out).toBe("");
    expect(io.err).toBe(
      `gradmark: ${join(io.cwd, "autograder")} already has setup.sh, run_autograder and README.md, which gradmark init --gradescope would overwrite, losing any changes made to them; use --force to overwrite\nRun "gradmark init --help" for usage.\n`,
    );
    expect(readFileSync(runner, "utf8")).toBe(customised);

    io.err = "";
    const tarball = fakeTarball(join(io.cwd, "gradmark-0.3.0.tgz"), "0.3.0");
    expect(
      await runInitCommand(
        { dir: ".", gradescope: "autograder", force: true, from: "gradmark-0.3.0.tgz" },
        io,
      ),
    ).toBe(0);
    expect(io.err).toBe("");
    expect(readFileSync(runner, "utf8")).not.toContain("GRADMARK_SEED=99");
    expect(readFileSync(join(io.cwd, "autograder", "gradmark-0.3.0.tgz"))).toEqual(
      readFileSync(tarball),
    );
    expect(readFileSync(join(io.cwd, "autograder", "setup.sh"), "utf8")).toContain(
      "GRADMARK_VERSION='0.3.0'",
    );
    expect(io.out).not.toContain("note:");
    expect(readdirSync(join(io.cwd, "autograder")).sort()).toEqual([
      "README.md",
      "gradmark-0.3.0.tgz",
      "run_autograder",
      "setup.sh",
    ]);

    io.err = "";
    expect(
      await runInitCommand(
        { dir: ".", gradescope: "ag2", from: "https://example.org/gradmark-0.1.0.tgz" },
        io,
      ),
    ).toBe(2);
    expect(io.err).toMatch(
      /^gradmark: with --gradescope, --from takes an exact version \(0\.1\.0\) or a tarball made by npm pack/,
    );
    expect(existsSync(join(io.cwd, "ag2"))).toBe(false);
  });
});
