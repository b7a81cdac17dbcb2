import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { build, type Message, type Metafile, type OutputFile, type Plugin } from "esbuild";
import { packagePath } from "../common/packagePath.js";
import {
  DEFAULT_STAGE_LIMITS,
  MODULE_EXTENSIONS,
  type StagedSources,
  type StageLimits,
  stageSources,
} from "./bundle/stageSources.js";

export interface ModuleProblem {
  module: string;
  /**
   * The compiler's or resolver's messages, one a line, each starting with its place
   * (`src/einsum.ts:84:12: `) when esbuild knows it: `messageLocation` reads that back.
   */
  message: string;
}

export interface SubmissionBundle {
  /** Absolute path of the one file the child runs and may read. */
  file: string;
  /** Its source map, beside it (the child may not read it; the parent maps stacks with it). */
  mapFile: string;
  /** Modules that could not be bundled (syntax error, forbidden import, missing file). */
  problems: ModuleProblem[];
  /** Modules bundled and loadable in the child. */
  modules: string[];
  /** esbuild runs it took: 1 for a submission that bundles cleanly, more when one does not. */
  builds: number;
}

const EXTENSIONS = MODULE_EXTENSIONS;
const KIT_ENTRY = "reference/tensor/index.ts";
const RUNTIME_ENTRY = "grader/sandbox/child/runtime.ts";
/** The generated entry's name; esbuild records it as a file of the folder it resolves from. */
const ENTRY_NAME = "gradmark-entry.ts";

/**
 * Finds src/<module>.{ts,mts,js,mjs} in a submission folder: only to tell which folder holds the
 * modules (nothing is read through it; bundleSubmission vets every file it bundles).
 */
export function findModule(srcDir: string, module: string): string | null {
  for (const ext of EXTENSIONS) {
    const file = join(srcDir, `${module}${ext}`);
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Bundles a submission with esbuild into one ESM file: the child runtime, the kit, the
 * assignment's drivers and every module that bundles cleanly (each loaded lazily in the child).
 * A module with a syntax error or a forbidden import is left out and reported with the
 * compiler's message; the other modules are still bundled.
 *
 * Only regular files inside src/ are read: src/ is first copied, file by file after checking
 * each, into a staging folder inside `outDir` (stageSources), and esbuild bundles that copy, so
 * it never sees a symbolic link, a hard link, a FIFO or a file outside src/. A module that is
 * such a file, or imports one, or imports anything but a module (`./data.json`), is reported
 * with the reason. The staging folder is removed once the bundle is written; the bundle's source
 * map names the submission's own files (`<srcDir>/layers.ts`), as if it had been built from them.
 */
export async function bundleSubmission(options: {
  /** The folder holding the modules (a submission's src/). */
  srcDir: string;
  modules: readonly string[];
  driversFile: string;
  outDir: string;
  /** How much of src/ is copied at most (default: 1,000 module files, 10 MB). */
  limits?: Partial<StageLimits>;
}): Promise<SubmissionBundle> {
  const srcDir = resolve(options.srcDir);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const staged = stageSources(srcDir, outDir, { ...DEFAULT_STAGE_LIMITS, ...options.limits });
  try {
    return await bundleStaged(staged, srcDir, outDir, options.modules, options.driversFile);
  } finally {
    rmSync(staged.root, { recursive: true, force: true });
  }
}

async function bundleStaged(
  staged: StagedSources,
  srcDir: string,
  outDir: string,
  modules: readonly string[],
  driversFile: string,
): Promise<SubmissionBundle> {
  const missing: ModuleProblem[] = [];
  const found: { module: string; file: string }[] = [];
  for (const module of modules) {
    const where = moduleFile(staged, module);
    if (typeof where === "object") found.push({ module, file: where.file });
    else missing.push({ module, message: where });
  }
  const outfile = join(outDir, "submission.mjs");
  const target = { outfile, staged, srcDir, driversFile };
  // One build for the whole submission: a clean one (the usual case) is bundled in one go.
  // Only when it fails is each module bundled on its own, to learn which ones to leave out.
  if (await writeBundle(target, found, missing, true)) {
    return {
      file: outfile,
      mapFile: `${outfile}.map`,
      problems: missing,
      modules: found.map((f) => f.module),
      builds: 1,
    };
  }
  const problems: ModuleProblem[] = [];
  const good: { module: string; file: string }[] = [];
  for (const module of modules) {
    const file = found.find((f) => f.module === module)?.file;
    const errors = file
      ? await checkModule(file, staged)
      : missing.find((m) => m.module === module)!.message;
    if (errors) problems.push({ module, message: errors });
    else good.push({ module, file: file! });
  }
  await writeBundle(target, good, problems, false);
  const builds = 2 + found.length;
  return {
    file: outfile,
    mapFile: `${outfile}.map`,
    problems,
    modules: good.map((g) => g.module),
    builds,
  };
}

/**
 * The staged copy of src/<module>.{ts,mts,js,mjs} (the first extension present wins, as in
 * findModule), or why the module cannot be loaded.
 */
function moduleFile(staged: StagedSources, module: string): { file: string } | string {
  if (staged.whole !== null) return staged.whole;
  for (const ext of EXTENSIONS) {
    const file = `${module}${ext}`;
    const found = staged.file(file);
    if (found.kind === "refused") return found.message;
    if (found.kind === "module") return { file: join(staged.dir, file) };
  }
  return `src/${module}.ts is missing (no .ts, .mts, .js or .mjs file)`;
}

/** Where a bundle goes and what it is built from. */
interface BundleTarget {
  outfile: string;
  staged: StagedSources;
  /** The submission's src/, which the source map names in place of the staged copy. */
  srcDir: string;
  driversFile: string;
}

/**
 * Writes the child's bundle: the runtime, the kit, the drivers and `modules` (each loaded
 * lazily in the child), with student files confined to src/ and the kit when `confine` is set
 * (the modules were not checked one by one): false when esbuild reports an error then. Without
 * `confine` an error is thrown.
 */
async function writeBundle(
  target: BundleTarget,
  modules: readonly { module: string; file: string }[],
  problems: readonly ModuleProblem[],
  confine: boolean,
): Promise<boolean> {
  const { outfile, staged, driversFile } = target;
  const moduleErrors = Object.fromEntries(problems.map((p) => [p.module, p.message]));
  const entry = [
    `import { startChild } from ${JSON.stringify(packagePath(RUNTIME_ENTRY))};`,
    `import { drivers } from ${JSON.stringify(resolve(driversFile))};`,
    "startChild(drivers, {",
    ...modules.map(
      ({ module, file }) => `  ${JSON.stringify(module)}: () => require(${JSON.stringify(file)}),`,
    ),
    `}, ${JSON.stringify(moduleErrors)});`,
  ].join("\n");
  const result = await build({
    stdin: { contents: entry, resolveDir: staged.dir, loader: "ts", sourcefile: ENTRY_NAME },
    absWorkingDir: staged.root,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    write: false,
    // A map file beside the bundle, no comment pointing to it: the child runs without source
    // maps, and the parent maps the stacks it reports (BundleStackMapper).
    sourcemap: "external",
    logLevel: "silent",
    metafile: confine,
    // No error is thrown when confining: the per-module checks report them.
    plugins: [kitAlias()],
  }).catch((error: unknown) => {
    if (confine) return null;
    throw error;
  });
  if (!result) return false;
  if (confine && (!result.metafile || !staysInside(result.metafile, staged, driversFile)))
    return false;
  for (const file of result.outputFiles) {
    writeFileSync(
      file.path,
      file.path.endsWith(".map") ? mapToSource(file, target) : file.contents,
    );
  }
  return true;
}

/**
 * The source map with every staged file named by its original in the submission's src/, so
 * stacks mapped with it (BundleStackMapper) show `<srcDir>/layers.ts`, which reports turn into
 * `src/layers.ts`, exactly as if the bundle had been built from src/ itself.
 */
function mapToSource(file: OutputFile, target: BundleTarget): string {
  const map = JSON.parse(file.text) as { sources: string[] };
  const mapDir = dirname(file.path);
  map.sources = map.sources.map((source) => {
    const rel = relative(target.staged.dir, resolve(mapDir, source));
    if (rel.startsWith("..") || isAbsolute(rel)) return source;
    return relative(mapDir, join(target.srcDir, rel)).split("\\").join("/");
  });
  return JSON.stringify(map);
}

/**
 * Whether every import made by a student file (in src/, not the grader's own files bundled
 * around it) stays inside src/ or the kit: read from esbuild's record of the finished build, so
 * resolving costs no call into JavaScript per import. (Node's built-ins are external imports:
 * refused here, and named by the per-module check.)
 */
function staysInside(metafile: Metafile, staged: StagedSources, driversFile: string): boolean {
  const srcDir = staged.dir;
  const kitDir = dirname(packagePath(KIT_ENTRY));
  const graderDirs = [kitDir, dirname(packagePath(RUNTIME_ENTRY)), dirname(resolve(driversFile))];
  const inside = (dir: string, file: string) => {
    const rel = relative(dir, file);
    return !(rel.startsWith("..") || isAbsolute(rel));
  };
  const entry = join(srcDir, ENTRY_NAME);
  // A student file of that very name could not be told apart: check module by module then.
  if (existsSync(entry)) return false;
  for (const [path, input] of Object.entries(metafile.inputs)) {
    // Paths are relative to esbuild's working folder, the staging folder.
    const file = resolve(staged.root, path);
    // The generated entry is the grader's.
    if (file === entry) continue;
    if (!inside(srcDir, file) || graderDirs.some((dir) => inside(dir, file))) continue;
    for (const imported of input.imports) {
      if (imported.external) return false;
      const target = resolve(staged.root, imported.path);
      if (!(inside(srcDir, target) || inside(kitDir, target))) return false;
    }
  }
  return true;
}

/** Bundles one module on its own to find its errors; returns them as text, or null. */
async function checkModule(file: string, staged: StagedSources): Promise<string | null> {
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      logLevel: "silent",
      absWorkingDir: staged.root,
      plugins: [kitAlias(), confineTo(staged)],
    });
    return result.errors.length > 0 ? formatMessages(result.errors) : null;
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors && errors.length > 0) return formatMessages(errors);
    return String((error as Error).message ?? error);
  }
}

/**
 * Messages with their place, one a line, `<file>:<line>:<column>: <text>` (as compilers write
 * them): a staged file is `src/...` relative to the staging folder; line and column count from
 * 1, the column in characters (UTF-16 code units, as editors count them; esbuild counts bytes).
 * `messageLocation` reads the place back.
 */
function formatMessages(messages: readonly Message[]): string {
  return messages
    .slice(0, 5)
    .map((m) => {
      const where = m.location
        ? `${m.location.file}:${m.location.line}:${characterColumn(m.location)}: `
        : "";
      return `${where}${m.text}`;
    })
    .join("\n");
}

/** esbuild's 0-based byte column as a 1-based column in UTF-16 code units of the line. */
function characterColumn(location: { column: number; lineText: string }): number {
  const bytes = Buffer.from(location.lineText, "utf8");
  if (location.column > bytes.length) return location.column + 1;
  return bytes.subarray(0, location.column).toString("utf8").length + 1;
}

/** Where a module problem's compiler message points: a file of the submission, 1-based. */
export interface SourceLocation {
  /** As the message names it: `src/...`, '/'-separated. */
  file: string;
  line: number;
  column: number;
}

const LOCATED = /^(src\/[^\n]+?):([1-9]\d{0,8}):([1-9]\d{0,8}): /;

/**
 * The place a line of a ModuleProblem message names (`src/einsum.ts:84:12: Expected ...`, as
 * formatMessages writes it), or null: a line without one (a missing module, a refused file), or
 * a place outside src/ (the kit) or that leaves it (`..`).
 */
export function messageLocation(line: string): SourceLocation | null {
  const match = LOCATED.exec(line);
  if (!match) return null;
  const file = match[1]!;
  if (file.split("/").some((part) => part === ".." || part === "." || part === "")) return null;
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

/** `gradmark/tensor` is the kit's source, inlined into the bundle. */
function kitAlias(): Plugin {
  return {
    name: "gradmark-kit",
    setup(b) {
      b.onResolve({ filter: /^gradmark\/tensor$/ }, () => ({ path: packagePath(KIT_ENTRY) }));
    },
  };
}

/**
 * Only the kit and the module files inside the submission's src/ may be imported: no built-in
 * (`node:fs`, `fs`, `require("net")`, `import("node:vm")`), no package, nothing outside src/,
 * nothing refused when src/ was copied (a link), no data file (`./data.json`).
 */
function confineTo(staged: StagedSources): Plugin {
  const kitDir = dirname(packagePath(KIT_ENTRY));
  const refuse = (text: string) => ({ errors: [{ text }] });
  return {
    name: "gradmark-confine",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point" || args.path === "gradmark/tensor") return undefined;
        // The kit's own imports are the kit's business.
        if (!relative(kitDir, args.importer).startsWith("..")) return undefined;
        if (args.path.startsWith(".") || args.path.startsWith("/")) {
          const rel = relative(staged.dir, resolve(args.resolveDir, args.path));
          if (rel.startsWith("..") || isAbsolute(rel))
            return refuse(`imports '${args.path}', which is outside src/`);
          const found = staged.lookup(rel.split("\\").join("/"));
          if (found.kind === "refused") return refuse(`imports '${args.path}': ${found.message}`);
          if (found.kind === "not-a-module") {
            return refuse(
              `imports '${args.path}', which is not a module (src/${found.file}); only .ts, .mts, .js and .mjs files in src/ are loaded`,
            );
          }
          return undefined;
        }
        return refuse(
          `imports '${args.path}'; a submission may import only 'gradmark/tensor' and its own files in src/`,
        );
      });
    },
  };
}
