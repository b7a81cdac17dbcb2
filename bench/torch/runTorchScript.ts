/**
 * Runs bench/torch/gradcheck_vs_torch.py (torch's side of bench row 7) on some shapes and
 * returns the JSON object it prints.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { NetworkShape } from "../../testing/softmaxReluNetwork.js";
import type { Tallies } from "./Tally.js";
import { torchScriptEnv } from "./torchScriptEnv.js";

/** The script, next to this file. */
export const TORCH_SCRIPT = fileURLToPath(new URL("./gradcheck_vs_torch.py", import.meta.url));

/** What the script prints. */
export interface TorchScriptOutput {
  python: string;
  torch: string;
  numpy: string;
  /** torch's intra-op threads (the script asks for one). */
  threads: number;
  /** Largest difference between the written-out backward and torch's autograd. */
  selfCheck: number;
  /** The first few unexpected errors of gradcheck calls (they count as failures). */
  errors: string[];
  points: { n: number; shape: NetworkShape; seeds: number; tallies: Tallies }[];
}

/**
 * Spawns `python` on the script and parses its stdout. Throws, with the end of stderr, when the
 * script exits with an error, prints no JSON, or outlives `timeLimitMs` (it is then killed).
 */
export function runTorchScript(
  python: string,
  shapes: readonly NetworkShape[],
  seeds: readonly number[],
  timeLimitMs: number,
): Promise<TorchScriptOutput> {
  const args = [
    TORCH_SCRIPT,
    "--shapes",
    shapes.map((s) => `${s.batch}:${s.inner}:${s.classes}`).join(","),
    "--seeds",
    seeds.join(","),
  ];
  return new Promise((resolvePromise, rejectPromise) => {
    const child = spawn(python, args, {
      env: torchScriptEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4096);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeLimitMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      rejectPromise(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim().split("\n").slice(-5).join("\n");
      if (timedOut) {
        rejectPromise(
          new Error(`the torch script ran past its ${timeLimitMs / 1000} s limit\n${tail}`),
        );
      } else if (code !== 0) {
        rejectPromise(new Error(`the torch script failed (${signal ?? `exit ${code}`})\n${tail}`));
      } else {
        try {
          resolvePromise(JSON.parse(stdout) as TorchScriptOutput);
        } catch {
          rejectPromise(
            new Error(`the torch script printed no JSON\n${stdout.slice(0, 500)}\n${tail}`),
          );
        }
      }
    });
  });
}
