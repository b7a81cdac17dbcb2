import { type Dirent, readdirSync, statSync } from "node:fs";
import { join, posix, sep } from "node:path";
import { build, type Plugin } from "esbuild";
import { MODULE_EXTENSIONS } from "../sandbox/bundle/stageSources.js";

/** Module files looked at in src/ at most (as many as a submission may bundle). */
const MAX_FILES = 1000;

/**
 * A file of src/ as the watcher names it: its path from src/, '/'-separated, without a module
 * extension (`layers`, `lib/util`), so `layers.ts`, `layers.js` and an import of `./layers.js`
 * (TypeScript's way of naming `layers.ts`) all name the same file. Other files keep their
 * extension (`data.json`).
 */
export function stemOf(relativePath: string): string {
  const path = relativePath.split(sep).join("/").split("\\").join("/");
  for (const ext of MODULE_EXTENSIONS) {
    if (path.endsWith(ext) && path.length > ext.length) return path.slice(0, -ext.length);
  }
  return path;
}

/** Whether a name ends in a module extension (.ts, .mts, .js, .mjs). */
export function isModuleFile(name: string): boolean {
  return MODULE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/**
 * What imports what in a submission's src/, at run time: the graph the watcher uses to tell which
 * problems a save can change. Each module file is read by esbuild on its own (every import left
 * external, nothing bundled), with no tsconfig, exactly as the grader's bundle reads it: a type-only
 * import (`import type { Layer } from "../cli/watch/layers"`, or an import nothing uses) is erased and is no
 * edge, since it cannot change what the module does. `require()` and `import()` of a
 * literal path count. Only imports that stay inside src/ are kept (anything else is refused by
 * the bundler, whatever the file holds). An import names the file it would load even when that
 * file does not exist yet, so creating it later counts as a change to the importer.
 */
export class ImportGraph {
  /** For each stem, the stems it imports. */
  private readonly edges = new Map<string, Set<string>>();

  constructor(private readonly srcDir: string) {}

  /** Reads every module file of src/ (first MAX_FILES, dot folders and node_modules left out). */
  async scanAll(): Promise<void> {
    const stems = new Set(listModuleFiles(this.srcDir).map(stemOf));
    this.edges.clear();
    await this.update(stems);
  }

  /**
   * Reads again the files of these stems: a file that no longer exists has no imports; one that
   * does not parse (a save in the middle of an edit) keeps the imports it had.
   */
  async update(stems: Iterable<string>): Promise<void> {
    await Promise.all(
      [...stems].map(async (stem) => {
        const files = MODULE_EXTENSIONS.map((ext) => `${stem}${ext}`).filter((file) =>
          existsFile(join(this.srcDir, file)),
        );
        if (files.length === 0) {
          this.edges.delete(stem);
          return;
        }
        const found = await Promise.all(files.map((file) => importsOf(this.srcDir, file)));
        if (found.some((imports) => imports === null)) return;
        this.edges.set(stem, new Set(found.flatMap((imports) => imports!)));
      }),
    );
  }

  /** The stems `stem` loads, itself included, following imports to the end. */
  closure(stem: string): Set<string> {
    const seen = new Set<string>([stem]);
    const queue = [stem];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const imported of this.edges.get(next) ?? []) {
        if (seen.has(imported)) continue;
        seen.add(imported);
        queue.push(imported);
      }
    }
    return seen;
  }

  /**
   * Whether a change to any of `changed` (stems; a folder's stem stands for what it holds) can
   * change what the module `stem` does: it is the module, or one the module loads.
   */
  reaches(stem: string, changed: readonly string[]): boolean {
    const loaded = [...this.closure(stem)];
    return changed.some((c) => loaded.some((s) => s === c || s.startsWith(`${c}/`)));
  }

  /** The stems `stem` imports directly (for tests and diagnostics). */
  importsOf(stem: string): string[] {
    return [...(this.edges.get(stem) ?? [])].sort();
  }
}

function existsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Module files under `srcDir`, as paths from it. */
function listModuleFiles(srcDir: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(srcDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (found.length >= MAX_FILES) return;
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && isModuleFile(entry.name)) found.push(path);
    }
  };
  walk("");
  return found;
}

/**
 * The stems `file` (a path from src/) imports at run time, or null when it does not parse. An
 * import without extension may name a folder's index file too: both are listed.
 */
async function importsOf(srcDir: string, file: string): Promise<string[] | null> {
  // What esbuild asks to resolve: the imports it keeps. (Its metafile also lists those it
  // erased, as external, which an import left external here could not be told apart from.)
  const imports: string[] = [];
  const record: Plugin = {
    name: "gradmark-watch-imports",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        imports.push(args.path);
        // Only the file itself is parsed: every import is left as it is written.
        return { path: args.path, external: true };
      });
    },
  };
  try {
    await build({
      entryPoints: [join(srcDir, file)],
      absWorkingDir: srcDir,
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      logLevel: "silent",
      // The grader bundles a copy of src/ with no tsconfig around it: read the file the same way.
      tsconfigRaw: "{}",
      plugins: [record],
    });
  } catch {
    return null;
  }
  const from = posix.dirname(stemOf(file));
  const stems = new Set<string>();
  for (const path of imports) {
    if (!(path.startsWith("./") || path.startsWith("../") || path === "." || path === "..")) {
      continue;
    }
    const target = posix.normalize(posix.join(from, path));
    if (target === ".." || target.startsWith("../")) continue;
    const stem = target === "." ? "" : stemOf(target);
    if (stem !== "") stems.add(stem);
    stems.add(stem === "" ? "index" : `${stem}/index`);
  }
  return [...stems];
}
