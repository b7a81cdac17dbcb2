import { UsageError } from "../common/UsageError.js";
import { classroomReporter } from "./classroomReporter.js";
import { gradescopeReporter } from "./gradescopeReporter.js";
import { jsonReporter } from "./jsonReporter.js";
import { junitReporter } from "./junitReporter.js";
import { markdownReporter } from "./markdownReporter.js";
import type { Reporter } from "./Reporter.js";
import { terminalReporter } from "./terminalReporter.js";

export type { Reporter, ReportOptions } from "./Reporter.js";

/** Every `--format`, by name. Add a reporter here and every command that reports gains it. */
export const reporters: Record<string, Reporter> = {
  [terminalReporter.name]: terminalReporter,
  [jsonReporter.name]: jsonReporter,
  [gradescopeReporter.name]: gradescopeReporter,
  [classroomReporter.name]: classroomReporter,
  [junitReporter.name]: junitReporter,
  [markdownReporter.name]: markdownReporter,
};

export function formatNames(): string[] {
  return Object.keys(reporters);
}

/** The reporter for `--format name`; a UsageError listing the known formats otherwise. */
export function getReporter(name: string): Reporter {
  const reporter = Object.hasOwn(reporters, name) ? reporters[name] : undefined;
  if (reporter === undefined) {
    throw new UsageError(
      `unknown format ${JSON.stringify(name)}; known formats: ${formatNames().join(", ")}`,
    );
  }
  return reporter;
}
