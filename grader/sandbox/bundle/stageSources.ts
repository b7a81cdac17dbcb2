import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { isAbsolute, join, relative } from "node:path";

/** The files the bundler may load: the only ones copied. */
export const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;
const MODULE_FILE = /\.(ts|mts|js|mjs)$/;

/** Said after every reason a file is refused. */
export const ONLY_REGULAR = "only regular files inside src/ are read";

export interface StageLimits {
  /** Module files copied. */
  files: number;
  /** Their total size in bytes. */
  bytes: number;
  /** Files and folders looked at, of any kind. */
  entries: number;
  /** Folders inside folders. */
  depth: number;
}

export const DEFAULT_STAGE_LIMITS: StageLimits = {
  files: 1000,
  bytes: 10_000_000,
  entries: 10_000,
  depth: 32,
};

/** What an import of a path inside src/ finds there. */
export type Lookup =
  | { kind: "module" }
  | { kind: "refused"; message: string }
  | { kind: "not-a-module"; file: string }
  | { kind: "none" };

/**
 * A vetted copy of a submission's src/. esbuild bundles from `dir`, never from the submission,
 * so it can see only files that were checked: regular files, each with one name, whose real
 * location is inside src/.
 */
export interface StagedSources {
  /** The staging folder, esbuild's working folder: gradmark's tsconfig.json, package.json, src/. */
  root: string;
  /** `root`/src: the copies, laid out as in the submission's src/. */
  dir: string;
  /** When nothing of src/ is read (src/ is a link, or over a limit): every module's message. */
  whole: string | null;
  /** What an import of `rel` (relative to src/, '/'-separated, no extension needed) finds. */
  lookup(rel: string): Lookup;
  /** What src/`rel` itself is, exactly that name. */
  file(rel: string): Lookup;
}

class Refusal extends Error {}

const PLAIN_TSCONFIG = {
  compilerOptions: { target: "ES2022", verbatimModuleSyntax: true, strict: true },
};

/**
 * Copies the module files of `srcDir` (.ts, .mts, .js, .mjs) into a new folder inside `outDir`,
 * after checking each entry with lstat: symbolic links, hard-linked files, FIFOs, sockets and
 * devices are refused (recorded with the reason, never opened), and so is anything whose real
 * path is not where it is inside src/. A file is opened with O_NOFOLLOW and its descriptor must
 * be the very file lstat saw (same device and inode) before it is read. Other files (data, text)
 * are only noted. The caller removes `root` when done.
 */
export function stageSources(srcDir: string, outDir: string, limits: StageLimits): StagedSources {
  const root = mkdtempSync(join(outDir, "staged-"));
  const dir = join(root, "src");
  mkdirSync(dir);
  // The nearest tsconfig.json and package.json of the copies are gradmark's: none of the
  // submission's, nor any that happen to lie in the folders above the temp folder, applies.
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify(PLAIN_TSCONFIG));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  const refused = new Map<string, string>();
  const modules = new Set<string>();
  const others = new Set<string>();
  const staged: StagedSources = {
    root,
    dir,
    whole: null,
    lookup: (rel) => lookup(rel, refused, modules, others),
    file: (rel) => {
      const message = refused.get(rel);
      if (message !== undefined) return { kind: "refused", message };
      if (modules.has(rel)) return { kind: "module" };
      return others.has(rel) ? { kind: "not-a-module", file: rel } : { kind: "none" };
    },
  };
  try {
    const stat = lstatSync(srcDir, { throwIfNoEntry: false });
    if (!stat) throw new Refusal("src/ is missing");
    if (stat.isSymbolicLink()) throw new Refusal(`src/ is a symbolic link; ${ONLY_REGULAR}`);
    if (!stat.isDirectory()) throw new Refusal("src/ is not a folder");
    const realSrc = realpathSync(srcDir);
    const realOut = realpathSync(outDir);
    if (inside(realSrc, realOut))
      throw new Error(`bundleSubmission: outDir ${outDir} must not be inside ${srcDir}`);
    const budget = { files: 0, bytes: 0, entries: 0 };
    const found = { refused, modules, others };
    walk({ srcDir, realSrc, stageDir: dir, limits, budget, found }, "", 0);
  } catch (error) {
    if (!(error instanceof Refusal)) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
    staged.whole = error.message;
  }
  return staged;
}

interface Found {
  refused: Map<string, string>;
  modules: Set<string>;
  others: Set<string>;
}

interface Walk {
  srcDir: string;
  realSrc: string;
  stageDir: string;
  limits: StageLimits;
  budget: { files: number; bytes: number; entries: number };
  found: Found;
}

/** Vets and copies the folder src/`rel` (at `depth`), recursively. */
function walk(w: Walk, rel: string, depth: number): void {
  const { found, limits, budget } = w;
  let names: string[];
  try {
    names = readdirSync(join(w.srcDir, rel)).sort();
  } catch (error) {
    const message = `src/${rel === "" ? "" : `${rel}/`} could not be read (${errorCode(error)})`;
    if (rel === "") throw new Refusal(message);
    found.refused.set(rel, message);
    return;
  }
  for (const name of names) {
    if (++budget.entries > limits.entries) {
      throw new Refusal(
        `src/ holds more than ${count(limits.entries)} files and folders; the grader looks at no more`,
      );
    }
    const path = rel === "" ? name : `${rel}/${name}`;
    try {
      visit(w, path, name, depth);
    } catch (error) {
      if (error instanceof Refusal) throw error;
      found.refused.set(path, `src/${path} could not be read (${errorCode(error)})`);
    }
  }
}

/** Vets src/`path` (a folder of depth `depth` holds it) and copies it when it is a module. */
function visit(w: Walk, path: string, name: string, depth: number): void {
  const { found, limits, budget } = w;
  const full = join(w.srcDir, path);
  const shown = `src/${path}`;
  const stat = lstatSync(full, { bigint: true, throwIfNoEntry: false });
  if (!stat) {
    found.refused.set(path, `${shown} vanished while src/ was being read`);
    return;
  }
  if (stat.isDirectory()) {
    if (name === "node_modules" || name.startsWith(".")) {
      found.refused.set(
        path,
        `${shown} is not read (node_modules and hidden folders are skipped); a submission imports only its own modules in src/`,
      );
      return;
    }
    if (realpathSync(full) !== join(w.realSrc, path)) {
      found.refused.set(path, `${shown} is not where it seems inside src/; ${ONLY_REGULAR}`);
      return;
    }
    if (depth + 1 > limits.depth) {
      throw new Refusal(
        `src/ nests folders more than ${limits.depth} deep; the grader reads no deeper`,
      );
    }
    mkdirSync(join(w.stageDir, path));
    walk(w, path, depth + 1);
    return;
  }
  const kind = specialKind(stat);
  if (kind !== null) {
    found.refused.set(path, `${shown} ${kind}; ${ONLY_REGULAR}`);
    return;
  }
  if (!MODULE_FILE.test(name)) {
    // Not a module: never read, only noted so that an import of it can say so.
    found.others.add(path);
    return;
  }
  if (stat.nlink > 1n) {
    found.refused.set(path, `${shown} ${hardLink(stat.nlink)}; ${ONLY_REGULAR}`);
    return;
  }
  if (++budget.files > limits.files) {
    throw new Refusal(
      `src/ holds more than ${count(limits.files)} module files (.ts, .mts, .js, .mjs); the grader reads no more`,
    );
  }
  budget.bytes += Number(stat.size);
  if (budget.bytes > limits.bytes) {
    throw new Refusal(
      `src/'s module files hold more than ${count(limits.bytes)} bytes in all; the grader reads no more`,
    );
  }
  const text = readVetted(full, join(w.realSrc, path), stat);
  if (typeof text === "string") {
    found.refused.set(path, `${shown} ${text}; ${ONLY_REGULAR}`);
    return;
  }
  writeFileSync(join(w.stageDir, path), text, { flag: "wx", mode: 0o600 });
  found.modules.add(path);
}

function errorCode(error: unknown): string {
  return String((error as NodeJS.ErrnoException).code ?? (error as Error).message ?? error);
}

/** What a non-regular, non-folder entry is ("is a symbolic link"), or null for a regular file. */
function specialKind(stat: BigIntStats): string | null {
  if (stat.isFile()) return null;
  if (stat.isSymbolicLink()) return "is a symbolic link";
  if (stat.isFIFO()) return "is a named pipe (FIFO)";
  if (stat.isSocket()) return "is a socket";
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return "is a device";
  return "is not a regular file";
}

function hardLink(names: bigint): string {
  return `is a hard link (the same file has ${names} names)`;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The bytes of the regular file `full`, opened without following a link (O_NOFOLLOW; O_NONBLOCK
 * so that a FIFO swapped in after the lstat cannot block) and read only when the descriptor is
 * the file `seen` describes, still with one name and at its real path `real`; otherwise why not.
 */
function readVetted(full: string, real: string, seen: BigIntStats): Buffer | string {
  let fd: number;
  try {
    fd = openSync(full, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ELOOP" ? "is a symbolic link" : `could not be read (${code})`;
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile() || stat.dev !== seen.dev || stat.ino !== seen.ino)
      return "changed while it was being read";
    if (stat.nlink > 1n) return hardLink(stat.nlink);
    if (openedPath(fd, full) !== real) return "is not where it seems inside src/";
    // Same inode, same size: the file lstat saw and counted against the limits.
    if (stat.size !== seen.size) return "changed while it was being read";
    const size = Number(stat.size);
    const bytes = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const n = readSync(fd, bytes, filled, size - filled, null);
      if (n === 0) break;
      filled += n;
    }
    // A file that shrank or grew since its fstat is not read.
    if (filled !== size || readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0)
      return "changed while it was being read";
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * The real path of the open file: from the descriptor itself where the system shows it (Linux's
 * /proc/self/fd, which no rename of a parent can fool), otherwise from the path.
 */
function openedPath(fd: number, full: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return realpathSync(full);
  }
}

function lookup(
  rel: string,
  refused: ReadonlyMap<string, string>,
  modules: ReadonlySet<string>,
  others: ReadonlySet<string>,
): Lookup {
  // A refused folder on the way refuses everything below it.
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) {
    const message = refused.get(parts.slice(0, i).join("/"));
    if (message) return { kind: "refused", message };
  }
  for (const candidate of candidates(rel)) {
    const message = refused.get(candidate);
    if (message) return { kind: "refused", message };
    if (modules.has(candidate)) return { kind: "module" };
  }
  if (others.has(rel)) return { kind: "not-a-module", file: rel };
  for (const file of others) {
    if (file.startsWith(`${rel}.`) && !file.slice(rel.length).includes("/"))
      return { kind: "not-a-module", file };
  }
  return { kind: "none" };
}

/** The files an import of `rel` may load, in about the order esbuild tries them. */
function candidates(rel: string): string[] {
  const list = [rel];
  // TypeScript's convention: `./x.js` names x.ts.
  if (rel.endsWith(".js")) list.push(`${rel.slice(0, -3)}.ts`);
  if (rel.endsWith(".mjs")) list.push(`${rel.slice(0, -4)}.mts`);
  for (const ext of MODULE_EXTENSIONS) list.push(`${rel}${ext}`);
  for (const ext of MODULE_EXTENSIONS) list.push(rel === "" ? `index${ext}` : `${rel}/index${ext}`);
  return list;
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || !(rel.startsWith("..") || isAbsolute(rel));
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
