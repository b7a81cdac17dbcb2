import type { CheckStatus } from "./results.js";

const WORDS: Record<CheckStatus, string> = {
  passed: "passed",
  failed: "failed",
  "not-implemented": "not implemented",
  error: "error (the code threw)",
  timeout: "timeout",
  "memory-limit": "memory limit exceeded",
  crashed: "crashed",
  skipped: "skipped",
};

/** A status in words, for people (reports, hidden checks' generic messages). */
export function statusWord(status: CheckStatus): string {
  return WORDS[status];
}
