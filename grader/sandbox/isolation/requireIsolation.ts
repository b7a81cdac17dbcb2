import { tmpdir } from "node:os";
import { UsageError } from "../../common/UsageError.js";
import type { SandboxReport } from "../../model/SandboxReport.js";
import { detectIsolation } from "./detectIsolation.js";

/** `strict` refuses to grade without network isolation; `best` grades with what there is. */
export type IsolationLevel = "strict" | "best";

/** The level asked for: the option, else GRADMARK_ISOLATION, else `best`. */
export function isolationLevel(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): IsolationLevel {
  const [value, where] =
    option !== undefined ? [option, "--isolation"] : [env.GRADMARK_ISOLATION, "GRADMARK_ISOLATION"];
  const level = (value ?? "").trim();
  if (level === "") return "best";
  if (level === "strict" || level === "best") return level;
  throw new UsageError(`${where} must be strict or best, got ${JSON.stringify(value)}`);
}

/** Why grading is refused here. */
export class IsolationError extends Error {}

/**
 * What will protect the children of a grading whose bundle lives under `dir`; under `strict`,
 * throws an IsolationError (one line: what is missing, how to get it) where children would
 * have no network namespace.
 */
export function checkIsolation(level: IsolationLevel, dir: string = tmpdir()): SandboxReport {
  let report: SandboxReport;
  try {
    report = detectIsolation().report(dir);
  } catch (error) {
    throw new IsolationError((error as Error).message);
  }
  if (level === "strict" && !report.networkNamespace) {
    throw new IsolationError(
      `--isolation strict: student code would have network access here; missing: ${report.missing[0] ?? "network namespace"}`,
    );
  }
  return report;
}
