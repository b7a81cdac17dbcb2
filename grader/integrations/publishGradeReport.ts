import { resolve } from "node:path";
import { type CliIO, decideColor } from "../common/io.js";
import { writeReportFile } from "../common/writeReportFile.js";
import type { GradeResult } from "../model/results.js";
import type { Reporter, ReportOptions } from "../reporters/Reporter.js";
import { formatPoints } from "../reporters/text.js";
import {
  emitGitHubActions,
  inGitHubActions,
  isHumanFormat,
  protectReport,
  stopToken,
} from "./githubActions.js";

export interface PublishGradeReportOptions
  extends Required<Pick<ReportOptions, "command" | "redactSeed">>,
    Pick<ReportOptions, "hiddenVisibility"> {
  reporter: Reporter;
  /** Write the report to this file (relative to `io.cwd`) and print only the score. */
  out?: string;
  /** The folder that was graded (annotations point at its files). */
  submissionDir: string;
}

/**
 * What `check` and `grade` do with a result: render it (in colour only on a terminal, as the
 * environment allows) and print it on stdout, or write it to `out` and print the score. In a
 * GitHub Actions job, the printed report is kept from issuing workflow commands (the report
 * holds what the submission printed and threw), and the job summary and the annotations are
 * added (emitGitHubActions).
 */
export function publishGradeReport(
  result: GradeResult,
  options: PublishGradeReportOptions,
  io: CliIO,
): void {
  const { reporter, out } = options;
  const text = reporter.render(result, {
    color: decideColor(io.env, out === undefined && io.isTTY),
    command: options.command,
    showOutput: true,
    redactSeed: options.redactSeed,
    hiddenVisibility: options.hiddenVisibility,
  });
  const actions = inGitHubActions(io.env);
  let framed = false;
  if (out === undefined) {
    const printed = actions
      ? protectReport(text, reporter.name, stopToken())
      : { text, framed: false };
    framed = printed.framed;
    io.stdout(printed.text);
  } else {
    writeReportFile(io.cwd, out, text);
    io.stdout(
      `score ${formatPoints(result.score)}/${formatPoints(result.maxScore)}; ${reporter.name} report written to ${out}\n`,
    );
  }
  if (!actions) return;
  emitGitHubActions(result, io, options.submissionDir, {
    command: options.command,
    redactSeed: options.redactSeed,
    ...(out === undefined ? {} : { reportFile: resolve(io.cwd, out) }),
    // A machine-readable report on stdout stays parseable: annotations go to stderr, which the
    // runner reads for commands just the same. Not after a framed report: the runner reads the
    // two streams concurrently, and stderr could arrive while commands are stopped.
    annotationsTo:
      out === undefined && !isHumanFormat(reporter.name) && !framed ? "stderr" : "stdout",
  });
}
