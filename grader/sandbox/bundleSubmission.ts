import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build, type Message, type Plugin } from "esbuild";
import { packagePath } from "../packagePath.js";

export interface ModuleProblem {
  module: string;
  /** The compiler's or resolver's message, with file and line. */
  message: string;
}

export interface SubmissionBundle {
  /** Absolute path of the one file the child runs and may read. */
  file: string;
  /** Modules that could not be bundled (syntax error, forbidden import, missing file). */
  problems: ModuleProblem[];
  /** Modules bundled and loadable in the child. */
  modules: string[];
}

const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];
const KIT_ENTRY = "reference/tensor/index.ts";
const RUNTIME_ENTRY = "grader/sandbox/child/runtime.ts";

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
  const problems: ModuleProblem[] = [];
  const good: { module: string; file: string }[] = [];
  for (const module of options.modules) {
    const file = findModule(srcDir, module);
    if (!file) {
      problems.push({
        module,
        message: `src/${module}.ts is missing (no .ts, .mts, .js or .mjs file)`,
      });
      continue;
    }
    const errors = await checkModule(file, srcDir);
    if (errors) problems.push({ module, message: errors });
    else good.push({ module, file });
  }
  const moduleErrors = Object.fromEntries(problems.map((p) => [p.module, p.message]));
  const entry = [
    `import { startChild } from ${JSON.stringify(packagePath(RUNTIME_ENTRY))};`,
    `import { drivers } from ${JSON.stringify(resolve(options.driversFile))};`,
    "startChild(drivers, {",
    ...good.map(
      ({ module, file }) => `  ${JSON.stringify(module)}: () => require(${JSON.stringify(file)}),`,
    ),
    `}, ${JSON.stringify(moduleErrors)});`,
  ].join("\n");
  mkdirSync(options.outDir, { recursive: true });
  const outfile = join(options.outDir, "submission.mjs");
  await build({
    stdin: { contents: entry, resolveDir: srcDir, loader: "ts", sourcefile: "gradmark-entry.ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    write: true,
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [kitAlias()],
  });
  return { file: outfile, problems, modules: good.map((g) => g.module) };
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
