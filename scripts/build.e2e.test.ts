import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The published package, as a user gets it: packed, installed into a project outside the repo,
// imported from TypeScript (type-checked) and run with Node.
const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("the packed gradmark package", () => {
  const work = mkdtempSync(join(tmpdir(), "gradmark-pack-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("installs elsewhere, type-checks and runs gradmark/tensor and gradmark/checks", () => {
    npm(["pack", "--pack-destination", work, "--silent"], process.cwd());
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"))!;
    const project = join(work, "project");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "scratch", private: true, type: "module" }),
    );
    npm(
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--silent",
        join(work, tarball),
        "typescript@5.9.3",
      ],
      project,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          outDir: "out",
          skipLibCheck: false,
        },
        include: ["main.ts"],
      }),
    );
    writeFileSync(
      join(project, "main.ts"),
      [
        'import { einsum, tensor, Tensor } from "gradmark/tensor";',
        'import { gradcheck } from "gradmark/checks";',
        "const A: Tensor = tensor([[1, 2], [3, 4]]);",
        'const product = einsum("ij,jk->ik", A, A);',
        'const report = gradcheck((x) => einsum("ij,jk->ik", x!, A), (g) => [einsum("ik,jk->ij", g, A)], [A]);',
        "console.log(JSON.stringify({ product: product.toArray(), status: report.status, same: product instanceof Tensor }));",
      ].join("\n"),
    );
    execFileSync(process.execPath, [
      join(project, "node_modules/typescript/bin/tsc"),
      "-p",
      project,
    ]);
    const out = execFileSync(process.execPath, [join(project, "out/main.js")], {
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({
      product: [
        [7, 10],
        [15, 22],
      ],
      status: "passed",
      same: true,
    });
    // The installed bin grades: the starter gets 0 with every check not implemented (exit 1).
    execFileSync("cp", ["-r", "fixtures/starter", join(project, "starter")]);
    const graded = spawnSync(
      join(project, "node_modules/.bin/gradmark"),
      ["check", "starter", "--format", "json", "--seed", "1"],
      {
        cwd: project,
        encoding: "utf8",
      },
    );
    expect(graded.status).toBe(1);
    const report = JSON.parse(graded.stdout);
    expect(report).toMatchObject({ score: 0, maxScore: 100, seed: 1 });
    const statuses = new Set(
      report.problems.flatMap((p: { checks: { status: string }[] }) =>
        p.checks.map((c) => c.status),
      ),
    );
    expect([...statuses]).toEqual(["not-implemented"]);
    // The README's example assignment, graded from the installed package with --assignment.
    const readme = readFileSync("README.md", "utf8");
    const start = readme.indexOf('import { fileURLToPath } from "node:url";');
    const example = readme.slice(start, readme.indexOf("```", start));
    const warm = join(project, "warmup");
    execFileSync("mkdir", ["-p", join(warm, "sub", "src")]);
    writeFileSync(join(warm, "warmup.ts"), example);
    writeFileSync(
      join(warm, "drivers.ts"),
      "export const drivers = { call: (m: any, p: any) => m[p.module][p.name](...p.args) };\n",
    );
    writeFileSync(
      join(warm, "sub", "src", "ops.ts"),
      'import { add as plus, type Tensor } from "gradmark/tensor";\nexport const add = (a: Tensor, b: Tensor) => plus(a, b);\n',
    );
    const custom = spawnSync(
      join(project, "node_modules/.bin/gradmark"),
      ["grade", "warmup/sub", "--assignment", "warmup/warmup.ts", "--format", "json"],
      { cwd: project, encoding: "utf8" },
    );
    expect(custom.stderr).toBe("");
    expect(JSON.parse(custom.stdout)).toMatchObject({
      score: 10,
      maxScore: 10,
      assignment: { id: "warmup" },
    });
    // `gradmark batch` from the installed package: its forked workers (dist/batchWorker.js)
    // load the custom assignment too, and a broken submission costs only its own row.
    execFileSync("mkdir", ["-p", join(warm, "class")]);
    execFileSync("cp", ["-r", join(warm, "sub"), join(warm, "class", "alice")]);
    execFileSync("mkdir", ["-p", join(warm, "class", "bob", "src")]);
    writeFileSync(join(warm, "class", "bob", "src", "ops.ts"), "export const add = (\n");
    const batch = spawnSync(
      join(project, "node_modules/.bin/gradmark"),
      [
        "batch",
        "warmup/class",
        "--out",
        "warmup/out",
        "--assignment",
        "warmup/warmup.ts",
        "-j",
        "2",
      ],
      { cwd: project, encoding: "utf8" },
    );
    expect(batch.stderr).toBe("");
    expect(batch.status).toBe(0);
    const grades = readFileSync(join(warm, "out", "grades.csv"), "utf8").split("\n");
    expect(grades[1]).toMatch(/^alice,,alice,10,10,10,graded,/);
    expect(grades[2]).toMatch(/^bob,,bob,0,0,10,graded,/);
    // `gradmark init` scaffolds a student repository; with gradmark installed there from this
    // checkout, `npx gradmark check` gives 0 with every check not implemented.
    const bin = join(project, "node_modules/.bin/gradmark");
    const init = spawnSync(bin, ["init", "student"], { cwd: project, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    const student = join(project, "student");
    for (const file of [
      "src/layers.ts",
      "package.json",
      "tsconfig.json",
      "README.md",
      ".gitignore",
      ".github/workflows/grade.yml",
    ]) {
      expect(existsSync(join(student, file)), file).toBe(true);
    }
    expect(existsSync(join(student, "starter.test.ts"))).toBe(false);
    npm(
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", join(work, tarball)],
      student,
    );
    const check = spawnSync("npx", ["gradmark", "check", "--format", "json", "--seed", "2"], {
      cwd: student,
      encoding: "utf8",
    });
    expect(check.status, check.stderr).toBe(1);
    const studentReport = JSON.parse(check.stdout);
    expect(studentReport).toMatchObject({ score: 0, maxScore: 100 });
    const studentStatuses = new Set(
      studentReport.problems.flatMap((p: { checks: { status: string }[] }) =>
        p.checks.map((c) => c.status),
      ),
    );
    expect([...studentStatuses]).toEqual(["not-implemented"]);
    // A second init into the same folder refuses to overwrite.
    const again = spawnSync(bin, ["init", "student"], { cwd: project, encoding: "utf8" });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("use --force to overwrite");
    // The staff solution never ships.
    const listing = execFileSync("tar", ["tzf", join(work, tarball)], { encoding: "utf8" });
    expect(listing).not.toMatch(/solution/);
    expect(listing).toMatch(/package\/dist\/tensor\.js/);
  }, 180_000);
});
