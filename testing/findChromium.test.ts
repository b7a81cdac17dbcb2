import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  browserTestsSkipped,
  type ChromiumLookup,
  chromiumVersion,
  findChromium,
  PACKAGED,
  packagedFolder,
  unpackPackagedChromium,
} from "./findChromium.js";

const folder = mkdtempSync(join(tmpdir(), "gradmark-find-chromium-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A stand-in browser: a shell script that answers `--version` as `body` says. */
function fakeBrowser(path: string, body: string, mode = 0o755): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

const working = fakeBrowser(join(folder, "working", "chromium"), 'echo "Chromium 1.2.3 fake"');
const packaged = fakeBrowser(join(folder, "packaged", "chromium"), 'echo "Chromium 147.0 packed"');
const MISSING_NSS = "error while loading shared libraries: libnss3.so: cannot open shared object";
/** As Debian's launcher script does, it says something unrelated before the real error. */
const broken = fakeBrowser(
  join(folder, "broken", "chromium"),
  `echo "launcher: 9: [: unexpected operator" >&2; echo "${MISSING_NSS}" >&2; exit 127`,
);

function lookup(overrides: Partial<ChromiumLookup> = {}): ChromiumLookup {
  return {
    env: { PATH: join(folder, "empty") },
    systemCandidates: [working],
    packaged: vi.fn(async () => packaged),
    version: chromiumVersion,
    ...overrides,
  };
}

describe("findChromium", () => {
  it("takes GRADMARK_CHROMIUM first, without unpacking the package", async () => {
    const choice = lookup({ env: { GRADMARK_CHROMIUM: working } });
    expect(await findChromium(choice)).toEqual({
      executablePath: working,
      source: "GRADMARK_CHROMIUM",
      version: "Chromium 1.2.3 fake",
    });
    expect(choice.packaged).not.toHaveBeenCalled();
  });

  it("fails, rather than falling back, when GRADMARK_CHROMIUM does not start", async () => {
    await expect(findChromium(lookup({ env: { GRADMARK_CHROMIUM: broken } }))).rejects.toThrow(
      `GRADMARK_CHROMIUM=${broken} does not start: ${MISSING_NSS}`,
    );
    const nowhere = join(folder, "nowhere", "chromium");
    await expect(findChromium(lookup({ env: { GRADMARK_CHROMIUM: nowhere } }))).rejects.toThrow(
      `GRADMARK_CHROMIUM=${nowhere} does not start: not an executable file`,
    );
  });

  it("prefers the package's Chromium to a system one", async () => {
    expect(await findChromium(lookup())).toEqual({
      executablePath: packaged,
      source: PACKAGED,
      version: "Chromium 147.0 packed",
    });
  });

  it("falls back to a system Chromium, saying why, when the package's cannot start", async () => {
    expect(await findChromium(lookup({ packaged: async () => broken }))).toEqual({
      executablePath: working,
      source: "system",
      version: "Chromium 1.2.3 fake",
      packagedUnusable: MISSING_NSS,
    });
  });

  it("looks names up on PATH, passing over files that are not executable", async () => {
    const notExecutable = fakeBrowser(join(folder, "path-a", "chromium"), "exit 0", 0o644);
    const onPath = fakeBrowser(join(folder, "path-b", "chromium"), 'echo "Chromium 9 on PATH"');
    const found = await findChromium(
      lookup({
        env: { PATH: [dirname(notExecutable), dirname(onPath)].join(":") },
        systemCandidates: ["chromium"],
        packaged: async () => {
          throw new Error("it ships a Linux x64 build only; this is darwin arm64");
        },
      }),
    );
    expect(found.executablePath).toBe(onPath);
    expect(found.packagedUnusable).toBe("it ships a Linux x64 build only; this is darwin arm64");
  });

  it("fails with everything it tried when no Chromium starts", async () => {
    const onPath = fakeBrowser(
      join(folder, "path-c", "google-chrome"),
      `echo "${MISSING_NSS}" >&2; exit 1`,
    );
    const nowhere = join(folder, "nowhere", "chromium");
    const attempt = findChromium(
      lookup({
        env: { PATH: dirname(onPath) },
        systemCandidates: [nowhere, "chromium", "google-chrome"],
        packaged: async () => broken,
      }),
    );
    await expect(attempt).rejects.toThrow(
      [
        "No Chromium for the browser tests. Tried:",
        "- GRADMARK_CHROMIUM: not set",
        `- ${PACKAGED}: ${MISSING_NSS}`,
        `- ${nowhere}: not found`,
        "- chromium on PATH: not found",
        `- google-chrome on PATH: ${MISSING_NSS}`,
      ].join("\n"),
    );
  });
});

describe("browserTestsSkipped", () => {
  it("skips only on request, and never under CI", () => {
    expect(browserTestsSkipped({})).toBe(false);
    expect(browserTestsSkipped({ GRADMARK_SKIP_BROWSER_TESTS: "1" })).toBe(true);
    expect(browserTestsSkipped({ GRADMARK_SKIP_BROWSER_TESTS: "1", CI: "false" })).toBe(true);
    expect(browserTestsSkipped({ GRADMARK_SKIP_BROWSER_TESTS: "1", CI: "true" })).toBe(false);
    expect(browserTestsSkipped({ GRADMARK_SKIP_BROWSER_TESTS: "1", CI: "1" })).toBe(false);
    expect(browserTestsSkipped({ GRADMARK_SKIP_BROWSER_TESTS: "0" })).toBe(false);
  });
});

/** The package ships a Linux x64 build; elsewhere findChromium goes on to a system Chromium. */
const LINUX_X64 = process.platform === "linux" && process.arch === "x64";

describe.runIf(LINUX_X64)(`${PACKAGED}'s Chromium`, () => {
  it("is not taken from a cache folder that another user could have written to", async () => {
    const root = join(folder, "shared-temp");
    mkdirSync(packagedFolder(root), { recursive: true });
    chmodSync(packagedFolder(root), 0o777);
    await expect(unpackPackagedChromium(root)).rejects.toThrow(
      "is not a folder of this user writable by it alone",
    );
  });

  // The first run on a machine unpacks it (about 200 MB into the temp dir, once); later runs
  // find it there, as the browser tests do.
  it("unpacks once into a private folder of the temp dir, and starts here", async () => {
    const executable = await unpackPackagedChromium();
    expect(dirname(executable)).toBe(packagedFolder());
    expect(basename(dirname(executable))).toMatch(/^gradmark-chromium-\d+\.\d+\.\d+-\d+$/);
    expect(statSync(dirname(executable)).mode & 0o077).toBe(0);
    const owners = new Set(
      readdirSync(dirname(executable), { recursive: true, encoding: "utf8" }).map(
        (name) => lstatSync(join(dirname(executable), name)).uid,
      ),
    );
    expect([...owners]).toEqual([process.getuid!()]);
    const major = basename(dirname(executable)).split("-")[2]!.split(".")[0];
    expect(await chromiumVersion(executable)).toMatch(new RegExp(`^Chromium ${major}\\.`));

    const started = performance.now();
    expect(await unpackPackagedChromium()).toBe(executable);
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 300_000);
});
