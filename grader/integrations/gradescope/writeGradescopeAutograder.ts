import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../../common/UsageError.js";
import {
  type GradescopeHiddenVisibility,
  readmeText,
  runAutograderScript,
  setupScript,
  type TemplateOptions,
} from "./templates.js";

export type { GradescopeHiddenVisibility } from "./templates.js";

/** What the Gradescope autograder installs and grades with. */
export interface GradescopeAutograderOptions {
  /** The gradmark version setup.sh installs from npm when no gradmark-*.tgz is shipped. */
  gradmarkVersion: string;
  /** Node.js major version setup.sh installs if the image lacks a recent one (default 20). */
  nodeMajor?: number;
  /**
   * The assignment file passed as `--assignment`, relative to the autograder folder (Gradescope
   * unpacks it to /autograder/source) or absolute. Default: the default assignment.
   */
  assignmentFile?: string;
  /** Gradescope visibility of hidden checks (default "after_published"). */
  hiddenVisibility?: GradescopeHiddenVisibility;
  /**
   * A packed gradmark (`npm pack`) to ship in the folder as `gradmark-<gradmarkVersion>.tgz`,
   * which setup.sh installs instead of going to the npm registry.
   */
  tarball?: string;
  /**
   * Overwrite files of the folder that this would write (setup.sh, run_autograder, README.md,
   * the tarball). Default: refuse, naming them, so a customised run_autograder (a secret seed)
   * is never lost. Other files in the folder are never touched.
   */
  force?: boolean;
}

const HIDDEN_VISIBILITIES: readonly string[] = ["hidden", "after_published"];

function templateOptions(options: GradescopeAutograderOptions): TemplateOptions {
  const { gradmarkVersion } = options;
  if (
    typeof gradmarkVersion !== "string" ||
    !/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(gradmarkVersion)
  ) {
    throw new UsageError(
      `gradmarkVersion must be an npm version or tag such as "0.1.0", got ${JSON.stringify(gradmarkVersion)}`,
    );
  }
  const nodeMajor = options.nodeMajor ?? 20;
  if (!Number.isInteger(nodeMajor) || nodeMajor < 20 || nodeMajor > 99) {
    throw new UsageError(
      `nodeMajor must be an integer from 20 (gradmark needs Node 20.19+), got ${nodeMajor}`,
    );
  }
  const assignmentFile = options.assignmentFile ?? "";
  if (/[\0\n\r]/.test(assignmentFile)) {
    throw new UsageError("assignmentFile must be a file path on one line");
  }
  const hiddenVisibility = options.hiddenVisibility ?? "after_published";
  if (!HIDDEN_VISIBILITIES.includes(hiddenVisibility)) {
    throw new UsageError(
      `hiddenVisibility must be "hidden" or "after_published", got ${JSON.stringify(hiddenVisibility)}`,
    );
  }
  return { gradmarkVersion, nodeMajor, assignmentFile, hiddenVisibility };
}

/**
 * Writes a Gradescope autograder into `targetDir` (created if needed): `setup.sh` and
 * `run_autograder` (bash, executable), a short `README.md` and, with `tarball`, a copy of it.
 * Returns the absolute paths written, in that order. Zip the folder's files and upload the zip
 * to Gradescope. If any of these files exists already, nothing is written unless `force` is set
 * (a UsageError names them); other files in the folder are left alone. Options that would make
 * a broken script are a UsageError.
 */
export function writeGradescopeAutograder(
  targetDir: string,
  options: GradescopeAutograderOptions,
): string[] {
  const resolved = templateOptions(options);
  const dir = resolve(targetDir);
  const files: [name: string, write: (path: string) => void][] = [
    ["setup.sh", script(setupScript(resolved))],
    ["run_autograder", script(runAutograderScript(resolved))],
    ["README.md", text(readmeText(resolved))],
  ];
  const tarball = options.tarball;
  if (tarball !== undefined) {
    if (!existsSync(tarball) || !statSync(tarball).isFile())
      throw new UsageError(`no such tarball: ${tarball}`);
    files.push([`gradmark-${resolved.gradmarkVersion}.tgz`, (path) => copyFileSync(tarball, path)]);
  }
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      throw new UsageError(`${targetDir} exists and is not a folder`);
    const present = new Set(readdirSync(dir));
    const existing = files.map(([name]) => name).filter((name) => present.has(name));
    if (existing.length > 0 && !options.force) {
      throw new UsageError(
        `${targetDir} already has ${listNames(existing)}, which gradmark init --gradescope would overwrite, losing any changes made to ${existing.length === 1 ? "it" : "them"}; use --force to overwrite`,
      );
    }
    // setup.sh installs one gradmark-*.tgz: with a tarball of its own, no other may be there.
    const others = [...present].filter(
      (name) => /^gradmark-.*\.tgz$/.test(name) && !files.some(([own]) => own === name),
    );
    if (tarball !== undefined && others.length > 0) {
      throw new UsageError(
        `${targetDir} already has ${listNames(others.sort())}; setup.sh installs a single gradmark-*.tgz, so remove ${others.length === 1 ? "it" : "them"} first`,
      );
    }
  }
  mkdirSync(dir, { recursive: true });
  return files.map(([name, write]) => {
    const path = join(dir, name);
    write(path);
    return path;
  });
}

function script(content: string): (path: string) => void {
  return (path) => {
    writeFileSync(path, content, { mode: 0o755 });
    chmodSync(path, 0o755);
  };
}

function text(content: string): (path: string) => void {
  return (path) => {
    writeFileSync(path, content, { mode: 0o644 });
    chmodSync(path, 0o644);
  };
}

/** "a", "a and b", "a, b and c". */
function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
