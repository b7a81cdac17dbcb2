import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../../UsageError.js";
import {
  type GradescopeHiddenVisibility,
  readmeText,
  runAutograderScript,
  setupScript,
  type TemplateOptions,
} from "./templates.js";

export type { GradescopeHiddenVisibility } from "./templates.js";

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
 * Writes a Gradescope autograder into `targetDir` (created if needed; existing files of these
 * names are overwritten): `setup.sh` and `run_autograder` (bash, executable) and a short
 * `README.md`. Returns the absolute paths written, in that order. Zip the folder's files and
 * upload the zip to Gradescope. Options that would make a broken script are a UsageError.
 */
export function writeGradescopeAutograder(
  targetDir: string,
  options: GradescopeAutograderOptions,
): string[] {
  const resolved = templateOptions(options);
  const dir = resolve(targetDir);
  mkdirSync(dir, { recursive: true });
  const files: [name: string, text: string, mode: number][] = [
    ["setup.sh", setupScript(resolved), 0o755],
    ["run_autograder", runAutograderScript(resolved), 0o755],
    ["README.md", readmeText(resolved), 0o644],
  ];
  return files.map(([name, text, mode]) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return path;
  });
}
