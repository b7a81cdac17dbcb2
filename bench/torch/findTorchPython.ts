/**
 * Finds a Python interpreter that can import torch (and numpy) for bench row 7: Debian's
 * python3-torch installs into the system interpreter, so that one is asked first, then
 * `python3` on PATH.
 */
import { spawnSync } from "node:child_process";
import { torchScriptEnv } from "./torchScriptEnv.js";

/** Where python3-torch puts torch (Debian), then whatever `python3` the PATH gives. */
export const PYTHON_CANDIDATES: readonly string[] = ["/usr/bin/python3", "python3"];

export type TorchPython =
  | { found: true; python: string; torchVersion: string }
  | { found: false; note: string };

/**
 * The first candidate that imports torch and numpy, or a note saying why none did and how to
 * get torch. Never throws.
 */
export function findTorchPython(candidates: readonly string[] = PYTHON_CANDIDATES): TorchPython {
  const reasons: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ["-c", "import numpy, torch; print(torch.__version__)"], {
      env: torchScriptEnv(),
      encoding: "utf8",
      timeout: 60_000,
    });
    if (probe.error) {
      const code = (probe.error as NodeJS.ErrnoException).code;
      reasons.push(`${python}: ${code === "ENOENT" ? "not found" : probe.error.message}`);
    } else if (probe.status !== 0) {
      reasons.push(
        `${python}: ${probe.stderr.trim().split("\n").at(-1) ?? `exit ${probe.status}`}`,
      );
    } else {
      return { found: true, python, torchVersion: probe.stdout.trim() };
    }
  }
  return {
    found: false,
    note: `no Python here imports torch (${reasons.join("; ")}); on Debian: apt-get install python3-torch`,
  };
}
