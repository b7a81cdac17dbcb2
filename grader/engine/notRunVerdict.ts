import type { BatchResult } from "../sandbox/Sandbox.js";
import type { Judged } from "./judgeOutcome.js";

/** A batch that could run (see RunBatch) but did not run to its end. */
export type NotRun = Exclude<
  BatchResult,
  { kind: "outcomes" | "drivers-error" | "unknown-driver" }
>;

/**
 * The verdict on a batch that did not run to its end: the budget was gone before it, a case hung,
 * or the child ran out of memory or ended. `batch.index` is the case it stopped at.
 */
export function notRunVerdict(batch: NotRun, perCallMs: number, timeoutHint?: string): Judged {
  switch (batch.kind) {
    case "budget":
      return {
        status: "timeout",
        message:
          "not run: the submission's time budget ran out before this check (earlier checks hung or were very slow; fix those first)",
      };
    case "timeout":
      return {
        status: "timeout",
        message: `did not finish within ${perCallMs} ms (${timeoutHint ?? "an infinite loop, or far too slow"})`,
      };
    case "memory-limit":
      return { status: "memory-limit", message: "used more memory than the sandbox allows" };
    case "crashed":
      return {
        status: "crashed",
        message: `the submission's process ended: ${batch.detail}${/exited with code/.test(batch.detail) ? " (does the code call process.exit?)" : ""}`,
      };
  }
}
