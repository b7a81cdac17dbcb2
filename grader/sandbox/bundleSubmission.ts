import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build, type Message, type Metafile, type Plugin } from "esbuild";
import { packagePath } from "../packagePath.js";

export interface ModuleProblem {
  module: string;
  /** The compiler's or resolver's message, with file and line. */
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

const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];
const KIT_ENTRY = "reference/tensor/index.ts";
const RUNTIME_ENTRY = "grader/sandbox/child/runtime.ts";
/** The generated entry's name; esbuild records it as a file of the folder it resolves from. */
const ENTRY_NAME = "gradmark-entry.ts";

/** Finds src/<module>.{ts,mts,js,mjs} in a submission folder. */
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
 */
export async function bundleSubmission(options: {
  /** The folder holding the modules (a submission's src/). */
  srcDir: string;
  modules: readonly string[];
  driversFile: string;
  outDir: string;
}): Promise<SubmissionBundle> {
  const srcDir = resolve(options.srcDir);
  const missing: ModuleProblem[] = [];
  const found: { module: string; file: string }[] = [];
  for (const module of options.modules) {
    const file = findModule(srcDir, module);
    if (file) found.push({ module, file });
    else
      missing.push({
        module,
        message: `src/${module}.ts is missing (no .ts, .mts, .js or .mjs file)`,
      });
  }
  mkdirSync(options.outDir, { recursive: true });
  const outfile = join(options.outDir, "submission.mjs");
  // One build for the whole submission: a clean one (the usual case) is bundled in one go.
  // Only when it fails is each module bundled on its own, to learn which ones to leave out.
  if (await writeBundle(outfile, srcDir, options.driversFile, found, missing, true)) {
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
  for (const module of options.modules) {
    const file = found.find((f) => f.module === module)?.file;
    const errors = file
      ? await checkModule(file, srcDir)
      : missing.find((m) => m.module === module)!.message;
    if (errors) problems.push({ module, message: errors });
    else good.push({ module, file: file! });
  }
  await writeBundle(outfile, srcDir, options.driversFile, good, problems, false);
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
 * Writes the child's bundle: the runtime, the kit, the drivers and `modules` (each loaded
 * lazily in the child), with student files confined to src/ and the kit when `confine` is set
 * (the modules were not checked one by one): false when esbuild reports an error then. Without
 * `confine` an error is thrown.
 */
async function writeBundle(
  outfile: string,
  srcDir: string,
  driversFile: string,
  modules: readonly { module: string; file: string }[],
  problems: readonly ModuleProblem[],
  confine: boolean,
): Promise<boolean> {
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
    stdin: { contents: entry, resolveDir: srcDir, loader: "ts", sourcefile: ENTRY_NAME },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    write: !confine,
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
  if (confine) {
    if (!result.metafile || !staysInside(result.metafile, srcDir, driversFile)) return false;
    for (const file of result.outputFiles ?? []) writeFileSync(file.path, file.contents);
  }
  return true;
}

/**
 * Whether every import made by a student file (in src/, not the grader's own files bundled
 * around it) stays inside src/ or the kit: read from esbuild's record of the finished build, so
 * resolving costs no call into JavaScript per import.
 */
function staysInside(metafile: Metafile, srcDir: string, driversFile: string): boolean {
  const kitDir = dirname(packagePath(KIT_ENTRY));
  const graderDirs = [kitDir, dirname(packagePath(RUNTIME_ENTRY)), dirname(resolve(driversFile))];
  const inside = (dir: string, file: string) => !relative(dir, file).startsWith("..");
  const entry = join(srcDir, ENTRY_NAME);
  // A student file of that very name could not be told apart: check module by module then.
  if (existsSync(entry)) return false;
  for (const [path, input] of Object.entries(metafile.inputs)) {
    const file = resolve(path);
    // The generated entry is the grader's.
    if (file === entry) continue;
    if (!inside(srcDir, file) || graderDirs.some((dir) => inside(dir, file))) continue;
    for (const imported of input.imports) {
      const target = resolve(imported.path);
      if (imported.external || !(inside(srcDir, target) || inside(kitDir, target))) return false;
    }
  }
  return true;
}

/** Bundles one module on its own to find its errors; returns them as text, or null. */
async function checkModule(file: string, srcDir: string): Promise<string | null> {
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      logLevel: "silent",
      absWorkingDir: srcDir,
      plugins: [kitAlias(), confineTo(srcDir)],
    });
    return result.errors.length > 0 ? formatMessages(result.errors) : null;
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors && errors.length > 0) return formatMessages(errors);
    return String((error as Error).message ?? error);
  }
}

function formatMessages(messages: readonly Message[]): string {
  return messages
    .slice(0, 5)
    .map((m) => {
      const where = m.location
        ? `${join("src", m.location.file)}:${m.location.line}:${m.location.column + 1}: `
        : "";
      return `${where}${m.text}`;
    })
    .join("\n");
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

/** Only the kit and files inside the submission's src/ may be imported. */
function confineTo(srcDir: string): Plugin {
  const kitDir = dirname(packagePath(KIT_ENTRY));
  return {
    name: "gradmark-confine",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point" || args.path === "gradmark/tensor") return undefined;
        // The kit's own imports are the kit's business.
        if (!relative(kitDir, args.importer).startsWith("..")) return undefined;
        if (args.path.startsWith(".") || args.path.startsWith("/")) {
          const target = resolve(args.resolveDir, args.path);
          if (relative(srcDir, target).startsWith("..")) {
            return { errors: [{ text: `imports '${args.path}', which is outside src/` }] };
          }
          return undefined;
        }
        return {
          errors: [
            {
              text: `imports '${args.path}'; a submission may import only 'gradmark/tensor' and its own files in src/`,
            },
          ],
        };
      });
    },
  };
}
