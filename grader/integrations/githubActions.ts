/**
 * GitHub Actions: the Markdown report as the job summary, one `::error` annotation per failing
 * check on the student's file, and output that cannot run workflow commands.
 *
 * The runner reads every line a step prints. A line whose first non-blank characters are
 * `::name ...::` is a workflow command, and so is any line containing `##[name ...]` (the old
 * syntax, still honoured). Text from a submission reaches stdout inside the reports, so in
 * Actions it is both framed by `::stop-commands::<token>` ... `::<token>::` (with a random token
 * the submission cannot know) and defused line by line.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, lstatSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { CliIO } from "../cli/io.js";
import type { CheckResult, CheckStatus, GradeResult } from "../model/results.js";
import { markdownReporter } from "../reporters/markdownReporter.js";
import type { ReportOptions } from "../reporters/Reporter.js";
import { replayCommand } from "../reporters/terminalReporter.js";
import { formatPoints, sanitize } from "../reporters/text.js";

/** Whether `env` is a GitHub Actions job (the runner sets GITHUB_ACTIONS=true). */
export function inGitHubActions(env: CliIO["env"]): boolean {
  return env.GITHUB_ACTIONS === "true";
}

/** Workflow-command data: `%`, CR and LF escaped, so the data stays on its line. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow-command property value: as data, plus `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * Characters some string comparisons skip (format characters, combining marks, controls other
 * than line breaks): the runner may see `:\u200b:` as `::`, so they count as nothing here.
 */
const IGNORABLE =
  "[\\p{Cf}\\p{Mn}\\p{Me}\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]";
const IGNORABLE_ALL = new RegExp(IGNORABLE, "gu");
/** Blanks and ignorables, then `:` `:` (ignorables between): a command at the line start. */
const V2_START = new RegExp(`^((?:\\s|${IGNORABLE})*)(:(?:${IGNORABLE})*:)`, "u");
/** `##[` with ignorables anywhere between: the old command syntax, anywhere in a line. */
const V1 = new RegExp(`(#(?:${IGNORABLE})*#(?:${IGNORABLE})*)\\[`, "gu");

/** The runner splits its input on CR, LF and CRLF. */
const LINE_BREAK = /(\r\n|\r|\n)/;

/** Whether the runner could read a workflow command in any line of `text`. */
export function containsWorkflowCommand(text: string): boolean {
  return text.split(/\r\n|\r|\n/).some((line) => {
    const visible = line.replace(IGNORABLE_ALL, "");
    return visible.trimStart().startsWith("::") || visible.includes("##[");
  });
}

/**
 * Rewrites the lines of `text` that the runner could take for a workflow command, visibly and
 * minimally: a backslash before a leading `::` (`\::error::...`) and before the `[` of `##[`
 * (`##\[...`). Every other line is left as it is.
 */
export function escapeWorkflowCommands(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((part, index) =>
      index % 2 === 1 ? part : part.replace(V2_START, "$1\\$2").replace(V1, "$1\\["),
    )
    .join("");
}

/** A fresh stop-commands token: random, so text printed before it was drawn cannot resume. */
export function stopToken(): string {
  return `gradmark-${randomBytes(16).toString("hex")}`;
}

/**
 * Text that may hold a submission's words, ready to print in a workflow log: escaped
 * (`escapeWorkflowCommands`) and framed by `::stop-commands::<token>` and `::<token>::`, so the
 * runner runs no command from it. Ends with a line break.
 */
export function protectOutput(text: string, token: string): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(token)) {
    throw new Error("a stop-commands token must be 16 or more letters, digits, - or _");
  }
  const body = escapeWorkflowCommands(text);
  const end = body === "" || /[\r\n]$/.test(body) ? "" : "\n";
  return `::stop-commands::${token}\n${body}${end}::${token}::\n`;
}

/** The `--format` names written for people; machine formats must stay byte-exact. */
const HUMAN_FORMATS = new Set(["terminal", "markdown"]);

/** Whether `--format name` is written for people (not parsed by a program). */
export function isHumanFormat(name: string): boolean {
  return HUMAN_FORMATS.has(name);
}

/**
 * A report about to be printed on stdout in Actions. Formats for people are always escaped and
 * framed (`protectOutput`). Machine formats are left as they are when they hold no workflow
 * command (JUnit XML never does); JSON that holds one is rewritten without changing its meaning
 * (`#` occurs only inside strings, where `\u0023` is the same character, and no line of it starts
 * with `::`); anything else that holds one is framed, unescaped. Write machine formats with
 * `--out` in CI. `framed` says whether the stop-commands lines were added.
 */
export function protectReport(
  text: string,
  format: string,
  token: string,
): { text: string; framed: boolean } {
  if (isHumanFormat(format)) return { text: protectOutput(text, token), framed: true };
  if (!containsWorkflowCommand(text)) return { text, framed: false };
  if (looksLikeJson(text)) {
    const json = text.replace(/#/g, "\\u0023");
    if (!containsWorkflowCommand(json)) return { text: json, framed: false };
  }
  const end = /[\r\n]$/.test(text) ? "" : "\n";
  return { text: `::stop-commands::${token}\n${text}${end}::${token}::\n`, framed: true };
}

function looksLikeJson(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A check that ran and did not pass: it gets an annotation. */
function failing(check: CheckResult): boolean {
  return check.status !== "passed" && check.status !== "skipped";
}

const STATUS_WORD: Record<CheckStatus, string> = {
  passed: "passed",
  failed: "failed",
  "not-implemented": "not implemented",
  error: "error",
  timeout: "timeout",
  "memory-limit": "memory limit",
  crashed: "crashed",
  skipped: "skipped",
};

/** Extensions the grader loads, in its order of preference (as bundleSubmission finds them). */
const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/**
 * The file of `module` in a submission: `src/<module>.ts`, or whichever of .mts, .js, .mjs
 * exists (the grader's order); a submission without src/ that holds its modules itself (like
 * the staff solution) is looked up there. When none exists, `src/<module>.ts`. Absolute.
 */
export function findModuleFile(submissionDir: string, module: string): string {
  const dir = resolve(submissionDir);
  const src = existsSync(join(dir, "src")) ? join(dir, "src") : dir;
  const found = EXTENSIONS.map((ext) => join(src, `${module}${ext}`)).find((f) => existsSync(f));
  return found ?? join(dir, "src", `${module}.ts`);
}

/**
 * A file as a workflow annotation names it: relative to `root` (the repository checkout) with
 * forward slashes; relative to the submission folder when it is outside `root`.
 */
export function annotationPath(file: string, submissionDir: string, root: string): string {
  const fromRoot = relative(resolve(root), file);
  const outside = fromRoot === "" || fromRoot.startsWith("..") || isAbsolute(fromRoot);
  return (outside ? relative(resolve(submissionDir), file) : fromRoot).split("\\").join("/");
}

/** Larger source files are not searched for export lines. */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/**
 * The line that declares `name` (`export function name`, `export class Name`...) in a file,
 * 1-based, matching the name's case first and then ignoring it; undefined when the file cannot
 * be read or does not declare the name plainly.
 */
export function exportLine(file: string, name: string): number | undefined {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  let lines: string[];
  try {
    // Only a plain, reasonably small file (not a link, a FIFO or a device that would block or
    // never end): a link could point outside src/.
    const stats = lstatSync(file);
    if (!stats.isFile() || stats.size > MAX_SOURCE_BYTES) return undefined;
    lines = readFileSync(file, "utf8").split(/\r\n|\r|\n/);
  } catch {
    return undefined;
  }
  const head =
    "^\\s*export\\s+(?:default\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function\\s*\\*?|class|const|let|var)\\s*";
  const escaped = name.replace(/\$/g, "\\$");
  for (const flags of ["", "i"]) {
    const declaration = new RegExp(`${head}${escaped}(?![\\w$])`, flags);
    const index = lines.findIndex((line) => declaration.test(line));
    if (index >= 0) return index + 1;
  }
  return undefined;
}

/** Annotation messages are cut here (GitHub shows short ones; the summary has everything). */
const MAX_ANNOTATION_CHARS = 4000;

export interface AnnotationOptions extends Partial<Pick<ReportOptions, "command" | "redactSeed">> {
  /** Annotation paths are relative to this folder (default: GITHUB_WORKSPACE, else cwd). */
  root?: string;
}

/**
 * One `::error` workflow command per check that ran and did not pass, on the problem's module
 * (`file=src/<module>.ts`, with `line=` at the export the check grades when the file declares it
 * plainly), titled with the check id, status and points; the message, the counterexample and
 * the replay command are the data. Control characters in them are escaped and properties and
 * data escaped per GitHub's rules, so each annotation is one line whatever the text holds.
 */
export function annotations(
  result: GradeResult,
  submissionDir: string,
  options: AnnotationOptions = {},
): string[] {
  const root = options.root ?? process.cwd();
  const replayOptions = {
    command: options.command ?? `npx gradmark ${result.mode}`,
    redactSeed: options.redactSeed ?? false,
  };
  const lines: string[] = [];
  for (const problem of result.problems) {
    const failures = problem.checks.filter(failing);
    if (failures.length === 0) continue;
    const absolute = findModuleFile(submissionDir, problem.module);
    const file = annotationPath(absolute, submissionDir, root);
    for (const check of failures) {
      const line = exportLine(absolute, check.id.split(".")[1] ?? "");
      const properties = [
        `file=${escapeProperty(file)}`,
        ...(line === undefined ? [] : [`line=${line}`]),
        `title=${escapeProperty(
          sanitize(
            `${check.id}: ${STATUS_WORD[check.status]} (${formatPoints(check.score)}/${formatPoints(
              check.maxScore,
            )} pts)`,
          ),
        )}`,
      ];
      const parts = [check.title, check.message.replace(/\n+$/, "")];
      if (check.status !== "not-implemented") {
        if (check.counterexample !== null && check.counterexample.trim() !== "") {
          parts.push(`counterexample:\n${check.counterexample.replace(/\n+$/, "")}`);
        }
        parts.push(`replay: ${replayCommand(result, check, replayOptions)}`);
      }
      let data = sanitize(parts.filter((part) => part.trim() !== "").join("\n"));
      if (data.length > MAX_ANNOTATION_CHARS) {
        data = `${data.slice(0, MAX_ANNOTATION_CHARS)}\n[cut; the job summary has all of it]`;
      }
      lines.push(`::error ${properties.join(",")}::${escapeData(data)}`);
    }
  }
  return lines;
}

/** The job summary: the Markdown report (the same as `--format markdown`). */
export function stepSummary(
  result: GradeResult,
  options: Partial<Pick<ReportOptions, "command" | "redactSeed" | "showOutput">> = {},
): string {
  return markdownReporter.render(result, {
    color: false,
    command: options.command ?? `npx gradmark ${result.mode}`,
    redactSeed: options.redactSeed ?? false,
    showOutput: options.showOutput ?? true,
  });
}

export interface EmitOptions extends Partial<Pick<ReportOptions, "command" | "redactSeed">> {
  /**
   * The file the report was just written to (`--out`, resolved); when that is the summary file
   * itself (`--format markdown --out $GITHUB_STEP_SUMMARY`) the summary is not appended twice.
   */
  reportFile?: string;
  /**
   * Where the annotations go (default stdout). The runner reads commands on stderr too, so a
   * machine-readable report printed on stdout stays clean with "stderr".
   */
  annotationsTo?: "stdout" | "stderr";
}

/**
 * What grading adds in a GitHub Actions job: appends the Markdown report to the file named by
 * GITHUB_STEP_SUMMARY (when set), then prints one `::error` annotation per failing check on
 * stdout (or stderr, see `annotationsTo`). A summary that cannot be written is reported on stderr; it never changes the grade or
 * the exit code.
 */
export function emitGitHubActions(
  result: GradeResult,
  io: CliIO,
  submissionDir: string,
  options: EmitOptions = {},
): void {
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile !== undefined && summaryFile !== "") {
    const path = resolve(io.cwd, summaryFile);
    if (options.reportFile === undefined || resolve(io.cwd, options.reportFile) !== path) {
      try {
        appendFileSync(path, `\n${stepSummary(result, options)}`);
      } catch (error) {
        io.stderr(
          `gradmark: cannot append the job summary to ${summaryFile}: ${(error as Error).message}\n`,
        );
      }
    }
  }
  const root = io.env.GITHUB_WORKSPACE || io.cwd;
  const lines = annotations(result, submissionDir, { ...options, root });
  if (lines.length > 0) io[options.annotationsTo ?? "stdout"](`${lines.join("\n")}\n`);
}
