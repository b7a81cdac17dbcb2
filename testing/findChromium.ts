import { execFile } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  lchownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { promisify } from "node:util";

/**
 * Finds the Chromium that the browser tests drive, in this order:
 * 1. `GRADMARK_CHROMIUM`, when set (and nothing else: a named browser that does not start is an
 *    error, never a silent fall-back);
 * 2. the Chromium shipped inside the `@sparticuz/chromium` devDependency, unpacked once per
 *    machine and user into the temp dir (so `npm ci && npm test` needs no root and no download);
 * 3. a system Chromium (`/usr/bin/chromium`, then `chromium` or `google-chrome` on PATH), only
 *    when the package's cannot start here (it is a Linux x64 build needing NSS from the system).
 */

export const PACKAGED = "@sparticuz/chromium";
export const SYSTEM_CHROMIUMS = ["/usr/bin/chromium", "chromium", "google-chrome"];

export interface Chromium {
  executablePath: string;
  /** `GRADMARK_CHROMIUM`, the package's name, or `system`. */
  source: string;
  /** What `--version` printed, e.g. `Chromium 147.0.7727.0`. */
  version: string;
  /** Why the package's Chromium was not used, when a system one was. */
  packagedUnusable?: string;
}

export interface ChromiumLookup {
  env: Record<string, string | undefined>;
  /** Absolute paths, or names looked up on `env.PATH`. */
  systemCandidates: readonly string[];
  /** The package's Chromium, unpacked if need be; rejects with why it cannot be had. */
  packaged(): Promise<string>;
  /** Starts `executable --version`; resolves to its first line, rejects with why it failed. */
  version(executable: string): Promise<string>;
}

export function defaultLookup(): ChromiumLookup {
  return {
    env: process.env,
    systemCandidates: SYSTEM_CHROMIUMS,
    packaged: () => unpackPackagedChromium(),
    version: chromiumVersion,
  };
}

export async function findChromium(lookup: ChromiumLookup = defaultLookup()): Promise<Chromium> {
  const named = lookup.env.GRADMARK_CHROMIUM;
  if (named !== undefined && named !== "") {
    const why = isExecutableFile(named) ? undefined : "not an executable file";
    const started = why === undefined ? await attempt(() => lookup.version(named)) : { why };
    if ("value" in started) {
      return { executablePath: named, source: "GRADMARK_CHROMIUM", version: started.value };
    }
    throw new Error(
      `GRADMARK_CHROMIUM=${named} does not start: ${started.why}. ` +
        "Point it at a Chromium binary, or unset it to use the one from " +
        `${PACKAGED} (npm ci installs it).`,
    );
  }

  const tried = ["GRADMARK_CHROMIUM: not set"];
  const packaged = await attempt(async () => {
    const executable = await lookup.packaged();
    return { executable, version: await lookup.version(executable) };
  });
  if ("value" in packaged) {
    return {
      executablePath: packaged.value.executable,
      source: PACKAGED,
      version: packaged.value.version,
    };
  }
  tried.push(`${PACKAGED}: ${packaged.why}`);

  for (const candidate of lookup.systemCandidates) {
    const label = isAbsolute(candidate) ? candidate : `${candidate} on PATH`;
    const executable = isAbsolute(candidate)
      ? isExecutableFile(candidate)
        ? candidate
        : undefined
      : onPath(candidate, lookup.env.PATH);
    if (executable === undefined) {
      tried.push(`${label}: not found`);
      continue;
    }
    const started = await attempt(() => lookup.version(executable));
    if ("value" in started) {
      return {
        executablePath: executable,
        source: "system",
        version: started.value,
        packagedUnusable: packaged.why,
      };
    }
    tried.push(`${label}: ${started.why}`);
  }
  throw new Error(
    `No Chromium for the browser tests. Tried:\n${tried.map((line) => `- ${line}`).join("\n")}\n` +
      "Point GRADMARK_CHROMIUM at a Chromium binary; outside CI, " +
      "GRADMARK_SKIP_BROWSER_TESTS=1 skips the browser tests.",
  );
}

/**
 * Whether the browser tests are skipped: only on request (`GRADMARK_SKIP_BROWSER_TESTS=1`), and
 * never under CI, where a missing browser must fail the run rather than pass it unseen.
 */
export function browserTestsSkipped(env: Record<string, string | undefined>): boolean {
  return env.GRADMARK_SKIP_BROWSER_TESTS === "1" && !underCi(env);
}

export function underCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "0" && ci !== "false";
}

/**
 * The package's Chromium, unpacked by the package's own code into a private folder of the temp
 * dir named after its version and this user (`gradmark-chromium-<version>-<uid>`). The package
 * writes into `os.tmpdir()`, so it runs in a child whose TMPDIR is a fresh staging folder, which
 * is then renamed into place: a folder in place is always whole, and two test files unpacking at
 * once cannot see each other's half-written binary. Later calls only check the folder.
 */
export async function unpackPackagedChromium(tempRoot = tmpdir()): Promise<string> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`it ships a Linux x64 build only; this is ${process.platform} ${process.arch}`);
  }
  const { entry, version } = packagedInfo();
  const uid = process.getuid?.() ?? 0;
  const folder = packagedFolder(tempRoot);
  const executable = join(folder, "chromium");
  if (privateFolder(folder, uid)) {
    if (existsSync(executable)) return executable;
    throw new Error(`${folder} has no chromium in it: remove that folder to unpack again`);
  }

  const staging = mkdtempSync(`${folder}.partial-`);
  try {
    const script =
      "require(process.argv[1]).executablePath()" +
      ".then((path) => process.stdout.write(path), (error) => {" +
      " console.error(String(error?.message ?? error)); process.exit(1); });";
    const { stdout } = await run(process.execPath, ["-e", script, entry], {
      env: { ...process.env, TMPDIR: staging, TMP: staging, TEMP: staging },
      timeout: 240_000,
      maxBuffer: 1 << 20,
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${PACKAGED} ${version} did not unpack: ${lastWords(error)}`);
    });
    if (stdout !== join(staging, "chromium")) {
      throw new Error(`${PACKAGED} ${version} unpacked to ${stdout}, not into ${staging}`);
    }
    // As root, the package's tar extraction keeps the owners recorded in its archives (users of
    // the machines that built it, which may name users of this one): make everything root's.
    if (uid === 0) {
      for (const name of readdirSync(staging, { recursive: true, encoding: "utf8" })) {
        lchownSync(join(staging, name), 0, 0);
      }
    }
    try {
      renameSync(staging, folder);
    } catch (error) {
      // Another process unpacked the same version first: use its folder.
      if (!privateFolder(folder, uid) || !existsSync(executable)) throw error;
    }
    return executable;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Where {@link unpackPackagedChromium} keeps the package's Chromium for this user. */
export function packagedFolder(tempRoot = tmpdir()): string {
  return join(tempRoot, `gradmark-chromium-${packagedInfo().version}-${process.getuid?.() ?? 0}`);
}

/** `executable --version`, rejecting with the last line it wrote to stderr when it fails. */
export async function chromiumVersion(executable: string): Promise<string> {
  try {
    const { stdout } = await run(executable, ["--version"], { timeout: 60_000 });
    const line = stdout.trim().split("\n")[0]?.trim();
    if (line === undefined || line === "") throw new Error("printed no version");
    return line;
  } catch (error) {
    if ((error as { killed?: boolean }).killed) {
      throw new Error("did not answer --version within 60 s");
    }
    throw new Error(lastWords(error as Error & { stderr?: string }));
  }
}

/**
 * Why a command failed, in one line: the last it wrote to stderr (a launcher script's own noise
 * comes first, the fatal error last), else the first of the error's message.
 */
function lastWords(error: Error & { stderr?: string }): string {
  const said = (error.stderr ?? "").split("\n").map((line) => line.trim());
  const last = said.filter((line) => line !== "").at(-1);
  return last ?? error.message.split("\n")[0]?.trim() ?? "failed";
}

const run = promisify(execFile);

function packagedInfo(): { entry: string; version: string } {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(PACKAGED);
  } catch {
    throw new Error("not installed (npm ci installs it as a devDependency)");
  }
  // The entry is <package>/build/cjs/index.cjs; package.json is not in the package's exports.
  const manifest = join(dirname(entry), "..", "..", "package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return { entry, version };
}

/** Whether `folder` exists; throws when it does but another user could have put things in it. */
function privateFolder(folder: string, uid: number): boolean {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  if (!stats.isDirectory() || stats.uid !== uid || (stats.mode & 0o022) !== 0) {
    throw new Error(`${folder} is not a folder of this user writable by it alone: remove it`);
  }
  return true;
}

function onPath(name: string, path: string | undefined): string | undefined {
  for (const folder of (path ?? "").split(delimiter)) {
    if (folder === "") continue;
    const candidate = join(folder, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function attempt<T>(get: () => Promise<T>): Promise<{ value: T } | { why: string }> {
  try {
    return { value: await get() };
  } catch (error) {
    return { why: error instanceof Error ? error.message : String(error) };
  }
}
