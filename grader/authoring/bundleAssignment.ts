import { createHash } from "node:crypto";
import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Loader, type Message, type Plugin } from "esbuild";
import { packagePath } from "../common/packagePath.js";
import { UsageError } from "../common/UsageError.js";

/**
 * The package entries an assignment shares with the running grader: never bundled into it, but
 * taken from the grader's own modules when the bundle runs, so an assignment's `Tensor` is the
 * grader's (`instanceof` holds) and its `defineAssignment` and `fc` are the grader's.
 */
export const SHARED_MODULES = ["gradmark", "gradmark/tensor", "gradmark/checks", "fast-check"];

/**
 * Whether the grader runs from its TypeScript sources (a checkout, through tsx or vitest) rather
 * than from the built dist/.
 */
const FROM_SOURCE = /\.[cm]?ts$/.test(fileURLToPath(import.meta.url));

/**
 * The running grader's module for a shared entry (SHARED_MODULES), or for a file of the package
 * named by its path in it (from a checkout only: see sharedWithGrader): the very instance the
 * grader itself uses.
 */
export async function sharedModule(name: string): Promise<Record<string, unknown>> {
  switch (name) {
    case "gradmark":
      // By path, as the package's exports map names it: the public entry imports this folder,
      // so a static import here would be an import cycle.
      return (await import(
        pathToFileURL(packagePath(FROM_SOURCE ? "grader/index.ts" : "dist/index.js")).href
      )) as Record<string, unknown>;
    case "gradmark/tensor":
      return (await import("../../reference/tensor/index.js")) as Record<string, unknown>;
    case "gradmark/checks":
      return (await import("../../checks/index.js")) as Record<string, unknown>;
    case "fast-check":
      return (await import("fast-check")) as Record<string, unknown>;
    default:
      return (await import(pathToFileURL(packagePath(name)).href)) as Record<string, unknown>;
  }
}

/** What a bundle reads, once, when it starts running (set by `importAssignmentBundle`). */
const CONTEXT_KEY = "gradmark.assignmentBundle";
/** The bundle's own name for that context (a banner constant, so it names no machine path). */
const CONTEXT = "__gradmarkBundle";
/** What `import.meta` becomes in the bundled files: a per-file object of that context. */
const IMPORT_META = "__gradmarkImportMeta";
const SHARED_NAMESPACE = "gradmark-shared";

interface BundleContext {
  modules: Record<string, Record<string, unknown>>;
  /** `import.meta` of a bundled file, named relative to the assignment's folder. */
  meta: (file: string) => { url: string; filename: string; dirname: string };
}

/** An assignment file and everything it imports, as one ES module. */
export interface AssignmentBundle {
  /** The module's text: no absolute path of this machine, the same for the same sources. */
  code: string;
  /** sha256 of `code`, in hex. */
  hash: string;
  /** Its source map (JSON), naming the files relative to `dir`. */
  map: string;
  /** The assignment's folder (resolved): bundled files are named relative to it. */
  dir: string;
  /** The assignment file, as the message of an error names it. */
  shownFile: string;
  /**
   * The grader's modules it takes when it runs: SHARED_MODULES it imports, and (from a
   * checkout) files of the package it imports by path, named relative to the package.
   */
  shared: string[];
}

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

/**
 * Bundles an assignment file with esbuild into one ES module (platform node): its own files and
 * packages inlined, Node's built-ins imported, `gradmark`, `gradmark/tensor`, `gradmark/checks`
 * and `fast-check` left to the running grader (SHARED_MODULES). Files are named relative to the
 * assignment's folder and `import.meta` of each file is its own (`new URL("./drivers.ts",
 * import.meta.url)` finds the file beside it), so the text depends only on the sources, not on
 * where they are: its hash fingerprints the assignment's code. An error (a syntax error, an
 * import that does not resolve) is a one-line UsageError naming the file, line and column.
 * `shownFile` is how messages name the assignment file (default: `file`).
 */
export async function bundleAssignment(file: string, shownFile = file): Promise<AssignmentBundle> {
  const entry = realpathSync(resolve(file));
  const dir = dirname(entry);
  const prefixes = new Map<string, string>();
  const shared = new Set<string>();
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: dir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    // Named only to name the map's sources relative to the assignment's folder.
    outfile: join(dir, "assignment.mjs"),
    sourcemap: "external",
    sourcesContent: false,
    logLevel: "silent",
    define: { "import.meta": IMPORT_META },
    banner: {
      js: [
        `import { createRequire as __gradmarkCreateRequire } from "node:module";`,
        // For packages bundled from CommonJS that require Node's built-ins.
        "const require = __gradmarkCreateRequire(import.meta.url);",
        `const ${CONTEXT} = globalThis[Symbol.for(${JSON.stringify(CONTEXT_KEY)})];`,
      ].join("\n"),
    },
    plugins: [sharedWithGrader(shared, entry), ownImportMeta(dir, prefixes)],
  }).catch((error: unknown) => {
    const errors = (error as { errors?: Message[] }).errors;
    if (!errors || errors.length === 0) throw error;
    const shown = { dir, entry, shownFile, prefixes };
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : "";
    throw new UsageError(
      `cannot load assignment file ${shownFile}: ${formatMessage(errors[0]!, shown)}${more}`,
    );
  });
  const output = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))!.text;
  const code = output(".mjs");
  const map = output(".mjs.map");
  return { code, hash: sha256(code), map, dir, shownFile, shared: [...shared].sort() };
}

/**
 * A hash of an assignment file's code and of everything it imports: its bundle, and (from a
 * checkout, where they are shared rather than bundled) the package's files it imports by path,
 * each with what it imports (codeFingerprint). The shared entries are the grader's own code,
 * which its version covers.
 */
export async function assignmentCodeFingerprint(file: string): Promise<string> {
  const bundle = await bundleAssignment(file);
  const hash = createHash("sha256").update(bundle.code);
  for (const name of bundle.shared) {
    if (SHARED_MODULES.includes(name)) continue;
    hash.update(`\0${name}\0${await codeFingerprint(packagePath(name))}`);
  }
  return hash.digest("hex");
}

let importing: Promise<unknown> = Promise.resolve();

/**
 * Runs a bundle made by bundleAssignment and returns its exports. The bundle is written to a
 * temporary file (removed once imported) and reads the grader's modules and its files' places
 * when it starts: one bundle starts at a time, so each reads its own.
 */
export async function importAssignmentBundle(
  bundle: AssignmentBundle,
  tempDir: string,
): Promise<Record<string, unknown>> {
  const modules: Record<string, Record<string, unknown>> = {};
  for (const name of bundle.shared) modules[name] = await sharedModule(name);
  const context: BundleContext = {
    modules,
    meta: (file) => {
      const path = resolve(bundle.dir, file);
      return { url: pathToFileURL(path).href, filename: path, dirname: dirname(path) };
    },
  };
  const name = `${basename(bundle.shownFile, extname(bundle.shownFile)).replace(/[^\w.-]/g, "_") || "assignment"}.mjs`;
  const path = join(tempDir, name);
  // With its source map (read as it loads), a stack through the assignment's code names its
  // files, lines and columns, as when tsx loaded it (which turned source maps on too).
  const map = JSON.parse(bundle.map) as { sources: string[] };
  // Each source relative to the map (vitest's module runner maps stacks too, and reads a file
  // URL there as a relative path).
  map.sources = map.sources.map((source) =>
    source.includes(":")
      ? source
      : relative(tempDir, resolve(bundle.dir, source)).split(sep).join("/"),
  );
  writeFileSync(`${path}.map`, JSON.stringify(map));
  writeFileSync(path, `${bundle.code}//# sourceMappingURL=${name}.map\n`);
  process.setSourceMapsEnabled(true);
  const run = importing.then(async () => {
    const key = Symbol.for(CONTEXT_KEY);
    const global = globalThis as Record<symbol, unknown>;
    global[key] = context;
    try {
      return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } finally {
      delete global[key];
    }
  });
  importing = run.catch(() => undefined);
  return run;
}

/** Marks esbuild's own resolution of a path, asked for by sharedWithGrader. */
const RESOLVING = Symbol("resolving");

/**
 * `gradmark`, `gradmark/tensor`, `gradmark/checks` and `fast-check` as modules that re-export
 * the running grader's (SHARED_MODULES); any other `gradmark/...` is refused by name. From a
 * checkout, a file of the package imported by path (`../../toyAssignment.js`, outside
 * node_modules) is shared likewise, as tsx shared it: one instance in the process, so its
 * classes are the grader's. A `file:` URL (Node accepts them in imports) is the file it names.
 * `used` receives what is shared.
 */
function sharedWithGrader(used: Set<string>, entry: string): Plugin {
  const root = FROM_SOURCE ? packagePath(".") : null;
  return {
    name: "gradmark-shared",
    setup(b) {
      b.onResolve({ filter: /^gradmark(\/.*)?$|^fast-check$/ }, (args) => {
        if (SHARED_MODULES.includes(args.path))
          return { path: args.path, namespace: SHARED_NAMESPACE };
        const allowed = SHARED_MODULES.map((m) => `"${m}"`).join(", ");
        return {
          errors: [
            {
              text: `"${args.path}" is not a module an assignment can import (it can import ${allowed})`,
            },
          ],
        };
      });
      b.onLoad({ filter: /.*/, namespace: SHARED_NAMESPACE }, async (args) => {
        used.add(args.path);
        return { contents: reExport(args.path, await sharedModule(args.path)), loader: "js" };
      });
      if (root === null) {
        b.onResolve({ filter: /^file:/ }, (args) => ({ path: fileURLToPath(args.path) }));
        return;
      }
      b.onResolve({ filter: /^(\.|\/|file:|[A-Za-z]:[\\/])/ }, async (args) => {
        if (args.kind === "entry-point" || args.pluginData === RESOLVING) return undefined;
        const path = args.path.startsWith("file:") ? fileURLToPath(args.path) : args.path;
        const found = await b.resolve(path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: RESOLVING,
        });
        if (found.errors.length > 0 || found.external || found.namespace !== "file") return found;
        const rel = relative(root, found.path);
        const inPackage =
          !rel.startsWith("..") && !isAbsolute(rel) && !rel.split(sep).includes("node_modules");
        if (!inPackage || found.path === entry) return found;
        return { path: rel.split(sep).join("/"), namespace: SHARED_NAMESPACE };
      });
    },
  };
}

const RESERVED = new Set(
  (
    "await break case catch class const continue debugger default delete do else enum export " +
    "extends false finally for function if implements import in instanceof interface let new " +
    "null package private protected public return static super switch this throw true try " +
    "typeof var void while with yield"
  ).split(" "),
);

/** A module exporting what the grader's module `name` exports, taken from it at run time. */
function reExport(name: string, module: Record<string, unknown>): string {
  const names = Object.keys(module)
    .filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !RESERVED.has(n) && n !== "__esModule")
    .sort();
  const lines = [`const m = ${CONTEXT}.modules[${JSON.stringify(name)}];`];
  if (names.length > 0) lines.push(`export const { ${names.join(", ")} } = m;`);
  if ("default" in module) lines.push("export default m.default;");
  return `${lines.join("\n")}\n`;
}

/**
 * Each bundled file that uses `import.meta` gets its own: a variable declared at the start of
 * its first line (so lines keep their numbers), from the file's path relative to the
 * assignment's folder. `prefixes` records what was added, to correct error columns.
 */
function ownImportMeta(dir: string, prefixes: Map<string, string>): Plugin {
  return {
    name: "gradmark-import-meta",
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const loader = LOADERS[extname(args.path)];
        if (loader === undefined) return undefined;
        let contents = readFileSync(args.path, "utf8");
        // Loaded by esbuild itself then.
        if (!/\bimport\s*\.\s*meta\b/.test(contents)) return undefined;
        // A #! line stays a comment, after the declaration.
        if (contents.startsWith("#!")) contents = `//${contents.slice(2)}`;
        const file = relative(dir, args.path).split("\\").join("/");
        const prefix = `var ${IMPORT_META} = ${CONTEXT}.meta(${JSON.stringify(file)}); `;
        prefixes.set(args.path, prefix);
        return { contents: prefix + contents, loader };
      });
    },
  };
}

interface Shown {
  dir: string;
  entry: string;
  shownFile: string;
  prefixes: Map<string, string>;
}

/** `<file>:<line>:<column>: <text>`, the file named as the user named the assignment. */
function formatMessage(message: Message, shown: Shown): string {
  const text = message.text.split(`${SHARED_NAMESPACE}:`).join("");
  const location = message.location;
  if (!location) return text;
  if (location.namespace !== "file" && location.namespace !== "") {
    return `${location.namespace}:${location.file}:${location.line}:${location.column + 1}: ${text}`;
  }
  const path = resolve(shown.dir, location.file);
  let { column, lineText } = location;
  const prefix = shown.prefixes.get(path);
  if (prefix && location.line === 1 && lineText.startsWith(prefix)) {
    column = Math.max(0, column - Buffer.byteLength(prefix));
    lineText = lineText.slice(prefix.length);
  }
  const name =
    path === shown.entry
      ? shown.shownFile
      : join(dirname(shown.shownFile), relative(shown.dir, path));
  return `${name}:${location.line}:${characterColumn(column, lineText)}: ${text}`;
}

/** esbuild's column (0-based, in bytes of UTF-8) as editors count it: 1-based, in characters. */
function characterColumn(byteColumn: number, lineText: string): number {
  const bytes = Buffer.from(lineText, "utf8");
  if (byteColumn > bytes.length) return byteColumn + 1;
  return bytes.subarray(0, byteColumn).toString("utf8").length + 1;
}

function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A hash of a module's code and of everything it imports, as esbuild bundles it: for an
 * assignment's drivers (bundled into the sandboxed child) and the built-in assignment. The
 * shared entries (the grader's own code, which its version covers) and Node's built-ins are left
 * out; files are named relative to the module's folder, so the hash does not depend on where
 * it is. A module that does not bundle is hashed by its own bytes.
 */
export async function codeFingerprint(file: string): Promise<string> {
  const entry = realpathSync(resolve(file));
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: dirname(entry),
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      write: false,
      logLevel: "silent",
      plugins: [
        {
          name: "gradmark-shared-external",
          setup(b) {
            b.onResolve({ filter: /^gradmark(\/.*)?$|^fast-check$/ }, (args) => ({
              path: args.path,
              external: true,
            }));
          },
        },
      ],
    });
    return sha256(result.outputFiles[0]!.text);
  } catch {
    return sha256(readFileSync(entry));
  }
}

/**
 * A hash of the built-in assignment's code as it runs: from a checkout (tsx, vitest) its
 * sources, bundled with what they import; from the built package every module of dist/ (it is
 * split into chunks there, the assignment's among them).
 */
export async function builtinFingerprint(): Promise<string> {
  if (FROM_SOURCE) return codeFingerprint(packagePath("grader/assignments/autodiff/index.ts"));
  const dist = dirname(fileURLToPath(import.meta.url));
  const hash = createHash("sha256");
  for (const name of readdirSync(dist).sort()) {
    const path = join(dist, name);
    if (!/\.m?js$/.test(name) || !existsSync(path) || !statSync(path).isFile()) continue;
    hash.update(`${name}\0`).update(readFileSync(path)).update("\0");
  }
  return hash.digest("hex");
}
