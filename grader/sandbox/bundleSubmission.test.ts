import { execFileSync } from "node:child_process";
import {
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { folderText } from "../../testing/folderText.js";
import { autodiff } from "../assignments/autodiff/index.js";
import { packagePath } from "../common/packagePath.js";
import { BundleStackMapper } from "./BundleStackMapper.js";
import { bundleSubmission } from "./bundleSubmission.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-bundle-test-"));
  made.push(dir);
  return dir;
}

function bundle(srcDir: string) {
  return bundleSubmission({
    srcDir,
    modules: autodiff.modules,
    driversFile: autodiff.drivers,
    outDir: tempDir(),
  });
}

describe("bundleSubmission", () => {
  it("bundles a clean submission in one esbuild run, every module included", async () => {
    const result = await bundle(packagePath("reference/solution"));
    expect(result.problems).toEqual([]);
    expect(result.modules).toEqual([...autodiff.modules]);
    expect(result.builds).toBe(1);
    expect(readFileSync(result.file, "utf8")).toContain("startChild(");
  });

  it("leaves out a module with a forbidden import, names the import, and bundles the rest", async () => {
    const src = tempDir();
    cpSync(packagePath("reference/solution"), src, { recursive: true });
    cpSync(
      packagePath("fixtures/submissions/broken-bad-import/src/derivatives.ts"),
      join(src, "derivatives.ts"),
    );
    const result = await bundle(src);
    expect(result.problems.map((p) => p.module)).toEqual(["derivatives"]);
    expect(result.problems[0]!.message).toContain("node:fs");
    expect(result.modules).not.toContain("derivatives");
    expect(result.modules).toContain("layers");
    expect(result.builds).toBeGreaterThan(1);
  });

  it("checks module by module when a student file has the generated entry's name", async () => {
    const src = tempDir();
    cpSync(packagePath("reference/solution"), src, { recursive: true });
    writeFileSync(join(src, "gradmark-entry.ts"), 'import "node:child_process";\n');
    const result = await bundle(src);
    expect(result.problems).toEqual([]);
    expect(result.builds).toBeGreaterThan(1);
  });
});

/** A submission's src/: the staff solution's modules, copied. */
function solutionCopy(): { root: string; src: string } {
  const root = tempDir();
  const src = join(root, "src");
  mkdirSync(src);
  for (const module of autodiff.modules)
    cpSync(packagePath(`reference/solution/${module}.ts`), join(src, `${module}.ts`));
  return { root, src };
}

const SECRET = "SECRET-7f3a9c-not-for-students";
/** A file outside src/ that would bundle cleanly as the layers module, holding SECRET. */
function secretFile(dir: string, name = "secret.ts"): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `${readFileSync(packagePath("reference/solution/layers.ts"), "utf8")}\nexport const secret = ${JSON.stringify(SECRET)};\n`,
  );
  return file;
}

/** Bundles `src`, keeping the outDir to search it. */
async function bundleIn(src: string, modules: readonly string[] = autodiff.modules) {
  const outDir = tempDir();
  const result = await bundleSubmission({
    srcDir: src,
    modules,
    driversFile: autodiff.drivers,
    outDir,
  });
  return { result, outDir };
}

/** Nothing of SECRET in the bundle, its map, anything else left in outDir, or the messages. */
function expectNoSecret(outcome: Awaited<ReturnType<typeof bundleIn>>): void {
  expect(folderText(outcome.outDir)).not.toContain(SECRET);
  expect(JSON.stringify(outcome.result.problems)).not.toContain(SECRET);
}

const ONLY_REGULAR = "only regular files inside src/ are read";

describe("bundleSubmission reads only regular files inside src/", () => {
  it("refuses a module that is a symbolic link to a file outside src/, and reads nothing of it", async () => {
    const { root, src } = solutionCopy();
    rmSync(join(src, "layers.ts"));
    symlinkSync(secretFile(root), join(src, "layers.ts"));
    const outcome = await bundleIn(src);
    expect(outcome.result.problems).toEqual([
      { module: "layers", message: `src/layers.ts is a symbolic link; ${ONLY_REGULAR}` },
    ]);
    expect(outcome.result.modules).toEqual(autodiff.modules.filter((m) => m !== "layers"));
    expectNoSecret(outcome);
  });

  it("refuses a relative link to another file inside src/ too: no links at all", async () => {
    const { src } = solutionCopy();
    renameSync(join(src, "layers.ts"), join(src, "layers-real.ts"));
    symlinkSync("layers-real.ts", join(src, "layers.ts"));
    const { result } = await bundleIn(src);
    expect(result.problems).toEqual([
      { module: "layers", message: `src/layers.ts is a symbolic link; ${ONLY_REGULAR}` },
    ]);
  });

  it("refuses a module that imports a file through a link, naming the import and the link", async () => {
    const { root, src } = solutionCopy();
    const outside = join(root, "outside");
    mkdirSync(outside);
    secretFile(outside, "layers.ts");
    symlinkSync(outside, join(src, "lib"));
    symlinkSync(join(outside, "layers.ts"), join(src, "linked.ts"));
    writeFileSync(join(src, "layers.ts"), 'export * from "./lib/layers";\n');
    writeFileSync(join(src, "training.ts"), 'export * from "./linked";\n');
    const outcome = await bundleIn(src);
    const problems = Object.fromEntries(outcome.result.problems.map((p) => [p.module, p.message]));
    expect(Object.keys(problems).sort()).toEqual(["layers", "training"]);
    expect(problems.layers).toContain("src/layers.ts:1:");
    expect(problems.layers).toContain(
      `imports './lib/layers': src/lib is a symbolic link; ${ONLY_REGULAR}`,
    );
    expect(problems.training).toContain(
      `imports './linked': src/linked.ts is a symbolic link; ${ONLY_REGULAR}`,
    );
    expectNoSecret(outcome);
  });

  it("does not look into node_modules or hidden folders, and says so when they are imported", async () => {
    const { src } = solutionCopy();
    for (const folder of ["node_modules", ".hidden"]) {
      mkdirSync(join(src, folder));
      writeFileSync(join(src, folder, "x.ts"), "export const x = 1;\n");
    }
    writeFileSync(join(src, "layers.ts"), 'export * from "./node_modules/x";\n');
    writeFileSync(join(src, "training.ts"), 'export * from "./.hidden/x";\n');
    const { result } = await bundleIn(src);
    const problems = Object.fromEntries(result.problems.map((p) => [p.module, p.message]));
    expect(problems.layers).toContain("imports './node_modules/x': src/node_modules is not read");
    expect(problems.training).toContain("imports './.hidden/x': src/.hidden is not read");
  });

  it("refuses every module when src/ itself is a symbolic link", async () => {
    const { root, src } = solutionCopy();
    const submission = join(root, "submission");
    mkdirSync(submission);
    symlinkSync(src, join(submission, "src"));
    const { result } = await bundleIn(join(submission, "src"));
    expect(result.modules).toEqual([]);
    expect(result.problems).toEqual(
      autodiff.modules.map((module) => ({
        module,
        message: `src/ is a symbolic link; ${ONLY_REGULAR}`,
      })),
    );
  });

  it("refuses a hard-linked module file", async () => {
    const { root, src } = solutionCopy();
    rmSync(join(src, "layers.ts"));
    linkSync(secretFile(root), join(src, "layers.ts"));
    const outcome = await bundleIn(src);
    expect(outcome.result.problems).toEqual([
      {
        module: "layers",
        message: `src/layers.ts is a hard link (the same file has 2 names); ${ONLY_REGULAR}`,
      },
    ]);
    expectNoSecret(outcome);
  });

  it("refuses a FIFO without opening it (opening one would block)", async () => {
    const { src } = solutionCopy();
    rmSync(join(src, "layers.ts"));
    execFileSync("mkfifo", [join(src, "layers.ts")]);
    const { result } = await bundleIn(src);
    expect(result.problems).toEqual([
      { module: "layers", message: `src/layers.ts is a named pipe (FIFO); ${ONLY_REGULAR}` },
    ]);
    expect(result.modules).toContain("training");
  }, 10_000);

  it.each([
    ["json", "./data.json", '{ "secret": "SECRET-7f3a9c-not-for-students" }'],
    ["text", "./notes.txt", SECRET],
    ["json without its extension", "./data", '{ "secret": "SECRET-7f3a9c-not-for-students" }'],
  ])(
    "refuses an import of a %s file, naming the import, and reads nothing of it",
    async (_, spec, content) => {
      const { src } = solutionCopy();
      const file = spec === "./data" ? "data.json" : spec.slice(2);
      writeFileSync(join(src, file), content);
      const layers = readFileSync(join(src, "layers.ts"), "utf8");
      writeFileSync(
        join(src, "layers.ts"),
        `import data from ${JSON.stringify(spec)};\nexport const loaded = data;\n${layers}`,
      );
      const outcome = await bundleIn(src);
      expect(outcome.result.problems.map((p) => p.module)).toEqual(["layers"]);
      expect(outcome.result.problems[0]!.message).toContain(`src/layers.ts:1:`);
      expect(outcome.result.problems[0]!.message).toContain(`imports '${spec}'`);
      expectNoSecret(outcome);
    },
  );

  it("refuses a module whose src/ holds more files or bytes than the limits", async () => {
    const { src } = solutionCopy();
    const many = await bundleSubmission({
      srcDir: src,
      modules: autodiff.modules,
      driversFile: autodiff.drivers,
      outDir: tempDir(),
      limits: { files: 3 },
    });
    expect(many.modules).toEqual([]);
    expect(many.problems[0]!.message).toMatch(/more than 3 module files/);
    const big = await bundleSubmission({
      srcDir: src,
      modules: autodiff.modules,
      driversFile: autodiff.drivers,
      outDir: tempDir(),
      limits: { bytes: 1000 },
    });
    expect(big.modules).toEqual([]);
    expect(big.problems[0]!.message).toMatch(/more than 1,000 bytes/);
    mkdirSync(join(src, "a", "b"), { recursive: true });
    const deep = await bundleSubmission({
      srcDir: src,
      modules: autodiff.modules,
      driversFile: autodiff.drivers,
      outDir: tempDir(),
      limits: { depth: 1 },
    });
    expect(deep.problems[0]!.message).toMatch(/nests folders more than 1 deep/);
    const wide = await bundleSubmission({
      srcDir: src,
      modules: autodiff.modules,
      driversFile: autodiff.drivers,
      outDir: tempDir(),
      limits: { entries: 4 },
    });
    expect(wide.problems[0]!.message).toMatch(/more than 4 files and folders/);
  });

  it("keeps messages and mapped stack positions pointing to the submission's src/ files", async () => {
    const { src } = solutionCopy();
    writeFileSync(join(src, "einsum.ts"), "export const broken = ;\n");
    const outcome = await bundleIn(src);
    expect(outcome.result.problems).toHaveLength(1);
    expect(outcome.result.problems[0]!.message).toMatch(/^src\/einsum\.ts:1:\d+: /);
    const mapped = new BundleStackMapper(outcome.result.file, outcome.result.mapFile);
    const bundleText = readFileSync(outcome.result.file, "utf8").split("\n");
    const line = bundleText.findIndex((l) => l.includes("function forwardLayers("));
    expect(line).toBeGreaterThanOrEqual(0);
    const frame = mapped.map(`at forwardLayers (${outcome.result.file}:${line + 1}:1)`);
    expect(frame).toContain(`(${join(src, "layers.ts")}:`);
    // The staged copy is gone once the bundle is written.
    expect(readdirSync(outcome.outDir).sort()).toEqual(["submission.mjs", "submission.mjs.map"]);
  });
});

/** Node's built-ins, both spellings, and the ones that exist only with the node: prefix. */
const BUILTINS = [
  ...new Set([
    ...builtinModules,
    ...builtinModules.map((name) => `node:${name}`),
    "node:test",
    "node:sea",
    "node:sqlite",
  ]),
];
const NAMED = [
  "node:net",
  "net",
  "dgram",
  "dns",
  "http",
  "https",
  "http2",
  "tls",
  "v8",
  "trace_events",
  "inspector",
  "worker_threads",
  "child_process",
  "fs",
  "node:fs",
  "fs/promises",
  "vm",
  "process",
  "module",
];
/** Every way to name an import that the bundler sees (a literal string). */
const FORMS: ((spec: string) => string)[] = [
  (s) => `import * as m from ${JSON.stringify(s)};\nexport const x = m;\n`,
  (s) => `import ${JSON.stringify(s)};\n`,
  (s) => `export * from ${JSON.stringify(s)};\n`,
  (s) => `export { default as x } from ${JSON.stringify(s)};\n`,
  (s) => `export const x = require(${JSON.stringify(s)});\n`,
  (s) => `export const x = import(${JSON.stringify(s)});\n`,
  (s) => `export const x = () => import(\`${s}\`);\n`,
  (s) => `import m = require(${JSON.stringify(s)});\nexport const x = m;\n`,
];

describe("bundleSubmission refuses Node's built-ins at bundle time", () => {
  it("names the import for every built-in, in every form the bundler sees", async () => {
    const src = tempDir();
    const cases = [
      ...BUILTINS.map((spec, i) => ({ spec, form: i % FORMS.length })),
      ...NAMED.flatMap((spec) => FORMS.map((_, form) => ({ spec, form }))),
    ];
    const modules = cases.map((_, i) => `m${i}`);
    cases.forEach(({ spec, form }, i) => {
      writeFileSync(join(src, `m${i}.ts`), FORMS[form]!(spec));
    });
    // A clean module alongside: still bundled.
    writeFileSync(join(src, "clean.ts"), 'export { tensor } from "gradmark/tensor";\n');
    const { result } = await bundleIn(src, [...modules, "clean"]);
    expect(result.modules).toEqual(["clean"]);
    const problems = new Map(result.problems.map((p) => [p.module, p.message]));
    for (const [i, { spec, form }] of cases.entries()) {
      expect(problems.get(`m${i}`), `${spec} in form ${form}`).toContain(
        `imports '${spec}'; a submission may import only 'gradmark/tensor' and its own files in src/`,
      );
    }
  }, 120_000);

  it("refuses a built-in that a module imports only through another module", async () => {
    const { src } = solutionCopy();
    writeFileSync(join(src, "net.ts"), 'export { connect } from "node:net";\n');
    writeFileSync(
      join(src, "training.ts"),
      `import { connect } from "./net";\nexport const c = connect;\n${readFileSync(join(src, "training.ts"), "utf8")}`,
    );
    const { result } = await bundleIn(src);
    expect(result.problems.map((p) => p.module)).toEqual(["training"]);
    expect(result.problems[0]!.message).toContain("src/net.ts:1:");
    expect(result.problems[0]!.message).toContain("imports 'node:net'");
  });
});
