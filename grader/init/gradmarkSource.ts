import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { UsageError } from "../common/UsageError.js";

/**
 * Where a repository made by `gradmark init` gets gradmark from (`--from <spec>`): anything npm
 * installs, sorted by what it means once written into the new repository's package.json.
 */
export type GradmarkSource =
  /** A version, range or dist-tag from the npm registry (or the one .npmrc names). */
  | { kind: "registry"; spec: string }
  /** An http(s) URL: a tarball (or a hosted git repository), fetched wherever npm runs. */
  | { kind: "url"; spec: string }
  /** A git URL or a hosted shorthand (github:owner/repo, owner/repo#tag). */
  | { kind: "git"; spec: string }
  /** A packed gradmark (`npm pack`) on this machine: an absolute path. */
  | { kind: "tarball"; path: string; version: string }
  /** A gradmark folder (a checkout with dist/ built) on this machine: an absolute path. */
  | { kind: "folder"; path: string; version: string };

/** What `--from` accepts, for usage errors. */
export const FROM_FORMS =
  "a version or range (0.1.0), a tarball made by npm pack (a path or an https URL), a git URL or a gradmark folder";

/**
 * Reads `--from <spec>` the way npm reads a dependency spec, resolving local paths against `cwd`
 * (the folder gradmark runs in), and checks what can be checked without the network: a local
 * tarball or folder must exist and hold the gradmark package, a version must look like one.
 * Anything that cannot be used is a one-line UsageError.
 */
export function parseGradmarkSource(spec: string, cwd: string): GradmarkSource {
  const given = spec;
  spec = spec.trim();
  const fail = (why: string): never => {
    throw new UsageError(`--from ${JSON.stringify(given)}: ${why}`);
  };
  if (spec === "") fail(`give ${FROM_FORMS}`);
  if (/[\0\n\r]/.test(spec)) fail("a spec is one line");
  if (/^gradmark@/i.test(spec)) spec = spec.slice("gradmark@".length);

  if (/^file:/i.test(spec)) {
    let path = spec.slice("file:".length);
    if (/^file:\/\//i.test(spec)) {
      try {
        path = fileURLToPath(spec);
      } catch {
        fail("not a valid file: URL");
      }
    }
    return localSource(resolveLocal(path, cwd), fail);
  }
  if (/^https?:\/\//i.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      return fail("not a valid URL");
    }
    if (url.hostname === "") fail("the URL names no host");
    if (/\s/.test(spec)) fail("a URL has no spaces (write them as %20)");
    return { kind: "url", spec };
  }
  if (/^(git\+[a-z]+:\/\/|git:\/\/|git@[^:\s]+:|(github|gitlab|bitbucket|gist):)/i.test(spec)) {
    if (/\s/.test(spec)) fail("a git URL has no spaces");
    return { kind: "git", spec };
  }
  // npm's rule: what starts like a path, or ends like a tarball, is a path.
  if (/^(\.|~[/\\]|[/\\]|[A-Za-z]:)/.test(spec) || /\.(tgz|tar\.gz|tar)$/i.test(spec)) {
    return localSource(resolveLocal(spec, cwd), fail);
  }
  // A bare word or owner/name that is also a path here: npm reads the spec, not the path.
  const prefixed = spec !== given.trim();
  const localTwin = (meaning: string, explicit: string): void => {
    if (!prefixed && existsSync(resolve(cwd, spec)))
      fail(
        `npm reads this as ${meaning}, but ${spec} is also a path here: write ./${spec} for the path or ${explicit} for the other`,
      );
  };
  if (/^[A-Za-z0-9][\w.-]*\/[\w.-]+(#\S+)?$/.test(spec)) {
    localTwin("a GitHub repository", `github:${spec}`);
    return { kind: "git", spec };
  }
  if (isRange(spec) || /^[A-Za-z][\w.-]*$/.test(spec)) {
    localTwin("a version or tag of gradmark on the npm registry", `gradmark@${spec}`);
    return { kind: "registry", spec };
  }
  return fail(`not something npm installs: give ${FROM_FORMS}`);
}

/** A semver range as npm writes them: `0.1.0`, `^0.1`, `>=0.1.0 <0.3`, `1.x || 2`, `1.0 - 1.4`. */
function isRange(text: string): boolean {
  const partial =
    /^(?:[<>]=?|=|\^|~>?)?v?(?:\d+|[xX*])(?:\.(?:\d+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
  return text.split("||").every((part) => {
    const set = part.trim().replace(/([<>=^~]+)\s+/g, "$1");
    if (set === "") return false;
    const hyphen = set.split(/\s+-\s+/);
    const pieces = hyphen.length === 2 ? hyphen : set.split(/\s+/);
    return pieces.every((piece) => partial.test(piece));
  });
}

function resolveLocal(path: string, cwd: string): string {
  if (/^~[/\\]/.test(path)) return join(homedir(), path.slice(2));
  return resolve(cwd, path);
}

function localSource(path: string, fail: (why: string) => never): GradmarkSource {
  if (!existsSync(path)) {
    return fail(
      `no such file or folder (${path}; a path is read from the folder gradmark init runs in)`,
    );
  }
  if (statSync(path).isDirectory()) {
    const manifestFile = join(path, "package.json");
    const manifest = existsSync(manifestFile) ? readJson(readFileSync(manifestFile)) : null;
    if (manifest?.name !== "gradmark") fail("this folder is not a gradmark package");
    if (!existsSync(join(path, "dist", "cli.js"))) {
      fail("this gradmark folder has no dist/ (run npm run build in it first, or npm pack it)");
    }
    return { kind: "folder", path, version: String(manifest!.version ?? "") };
  }
  const manifest = manifestInTarball(path);
  if (manifest === null) fail("not a package tarball (make one with npm pack)");
  if (manifest!.name !== "gradmark") {
    fail(`this tarball holds ${JSON.stringify(manifest!.name)}, not gradmark`);
  }
  return { kind: "tarball", path, version: String(manifest!.version ?? "") };
}

function readJson(bytes: Uint8Array): { name?: unknown; version?: unknown } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString("utf8"));
    return value !== null && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
}

/**
 * The package.json at the top of a package tarball (gzipped or not): npm pack puts everything
 * under one folder, `package/`. Null when the file is not such a tarball.
 */
export function manifestInTarball(file: string): { name?: unknown; version?: unknown } | null {
  let data: Buffer;
  try {
    data = readFileSync(file);
    if (data[0] === 0x1f && data[1] === 0x8b) {
      data = gunzipSync(data, { maxOutputLength: 1024 * 1024 * 1024 });
    }
  } catch {
    return null;
  }
  const text = (at: number, length: number) => {
    const field = data.subarray(at, at + length);
    const end = field.indexOf(0);
    return field.subarray(0, end === -1 ? length : end).toString("utf8");
  };
  for (let at = 0; at + 512 <= data.length; ) {
    const header = data.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(text(at + 124, 12).trim() || "0", 8);
    if (!Number.isSafeInteger(size) || size < 0) return null;
    // POSIX ustar splits long paths into prefix/name; GNU tar ("ustar  ") keeps other fields there.
    const ustar = data.subarray(at + 257, at + 263).toString("latin1") === "ustar\0";
    const name = text(at, 100);
    const prefix = ustar ? text(at + 345, 155) : "";
    const path = prefix === "" ? name : `${prefix}/${name}`;
    const type = String.fromCharCode(header[156]!);
    const body = at + 512;
    if ((type === "0" || type === "\0") && /^[^/]+\/package\.json$/.test(path)) {
      return readJson(data.subarray(body, body + size));
    }
    at = body + Math.ceil(size / 512) * 512;
  }
  return null;
}

/** How the new repository's package.json names gradmark, and what init copies to make it so. */
export interface GradmarkDependency {
  /** The devDependencies value. */
  spec: string;
  /** A local tarball copied into the repository: from (absolute) to (relative to the repo). */
  copy?: { from: string; to: string };
  /** Said to whoever ran init when the repository's workflow cannot install this. */
  warning?: string;
}

/**
 * The dependency for `source` in a repository at `repoDir`. A relative `file:` path is read
 * from the repository (by npm here and in its workflow alike), so a local tarball outside the
 * repository is copied into `vendor/` and named from there; one already inside is named where
 * it is. A folder is linked by its path from the repository, which only this machine has.
 */
export function gradmarkDependency(source: GradmarkSource, repoDir: string): GradmarkDependency {
  switch (source.kind) {
    case "registry":
    case "url":
    case "git":
      return { spec: source.spec };
    case "tarball": {
      const inside = relativeInside(repoDir, source.path);
      if (inside !== null) return { spec: `file:${inside}` };
      const version = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(source.version) ? source.version : "";
      const extension = /\.tar$/i.test(source.path) ? "tar" : "tgz";
      const to = `vendor/gradmark${version === "" ? "" : `-${version}`}.${extension}`;
      return { spec: `file:${to}`, copy: { from: source.path, to } };
    }
    case "folder": {
      const inside = relativeInside(repoDir, source.path);
      if (inside !== null) return { spec: `file:${inside}` };
      const path = relative(repoDir, source.path).split(sep).join("/");
      return {
        spec: `file:${path}`,
        warning: `package.json links to the folder ${path}, outside the repository: npm install works on this machine only, and the workflow on GitHub will fail; for CI use --from with a tarball (npm pack) or its URL`,
      };
    }
  }
}

/** `path` relative to `dir` with forward slashes when it is inside `dir`, else null. */
function relativeInside(dir: string, path: string): string | null {
  const rel = relative(dir, path);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}
