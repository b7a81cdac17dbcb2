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
import type { CliIO } from "../common/io.js";
import { sanitize } from "../common/sanitize.js";
import type { CheckResult, CheckStatus, GradeResult, ProblemResult } from "../model/results.js";
import { type KnockOnPlan, planKnockOns } from "../reporters/knockOns.js";
import { markdownReporter } from "../reporters/markdownReporter.js";
import type { ReportOptions } from "../reporters/Reporter.js";
import { replayCommand } from "../reporters/terminalReporter.js";
import { detailsWithheld, formatPoints, plural } from "../reporters/text.js";
import { messageLocation } from "../sandbox/bundleSubmission.js";

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

/** A check that ran and did not pass. */
function notPassed(check: CheckResult): boolean {
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

/** The folder that holds a submission's modules: its src/, or itself when it has none. */
function sourceFolder(submissionDir: string): string {
  const dir = resolve(submissionDir);
  return existsSync(join(dir, "src")) ? join(dir, "src") : dir;
}

/**
 * The file of `module` in a submission: `src/<module>.ts`, or whichever of .mts, .js, .mjs
 * exists (the grader's order); a submission without src/ that holds its modules itself (like
 * the staff solution) is looked up there. When none exists, `src/<module>.ts`. Absolute.
 */
export function findModuleFile(submissionDir: string, module: string): string {
  const src = sourceFolder(submissionDir);
  const found = EXTENSIONS.map((ext) => join(src, `${module}${ext}`)).find((f) => existsSync(f));
  return found ?? join(resolve(submissionDir), "src", `${module}.ts`);
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

/**
 * Annotations of one kind (error, warning, notice) GitHub shows per step; it drops the rest
 * without a word. gradmark prints at most this many of each kind.
 */
export const ANNOTATIONS_PER_KIND = 10;

export interface AnnotationOptions extends Partial<Pick<ReportOptions, "command" | "redactSeed">> {
  /** Annotation paths are relative to this folder (default: GITHUB_WORKSPACE, else cwd). */
  root?: string;
  /** Where every failing check is listed, for annotations to point to (default: job summary). */
  moreIn?: string;
}

/** One annotation before it is written as a workflow command. */
interface Annotation {
  kind: "error" | "notice";
  /** What it is about, as the annotation that counts the ones left out lists it. */
  name: string;
  /** Absolute; none for an annotation about the whole run. */
  file?: string;
  line?: number;
  col?: number;
  title: string;
  data: string;
}

/**
 * The message gradeSubmission gives every check of a problem whose module could not be
 * bundled: this prefix, then bundleSubmission's messages (`src/x.ts:12:5: Expected ...`).
 */
function loadErrorPrefix(module: string): string {
  return `src/${module} could not be loaded:\n`;
}

/** The part of a check id that names the export it grades: `3.Linear` of `3.Linear.backward`. */
function exportKey(checkId: string): string {
  return checkId.split(".").slice(0, 2).join(".");
}

function exportName(checkId: string): string {
  return checkId.split(".")[1] ?? checkId;
}

function sumPoints(checks: readonly CheckResult[]): { score: number; max: number } {
  const ran = checks.filter((c) => c.status !== "skipped");
  return {
    score: ran.reduce((sum, c) => sum + c.score, 0),
    max: ran.reduce((sum, c) => sum + c.maxScore, 0),
  };
}

const pts = ({ score, max }: { score: number; max: number }) =>
  `${formatPoints(score)}/${formatPoints(max)} pts`;

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "") ?? "";
}

/** "3.Linear", "3.Linear and 3.Bias", "3.Linear, 3.Bias and 3.ReLU". */
function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** A module that could not be loaded, and every problem that lost its checks to it. */
interface LoadFailure {
  /** The first line of the bundler's messages: problems that share it share the cause. */
  cause: string;
  /** The bundler's messages for all of them, each once. */
  messages: string[];
  problems: ProblemResult[];
}

/** The bundler's messages when `problem`'s module could not be loaded, else null. */
function loadFailureOf(problem: ProblemResult): string | null {
  const prefix = loadErrorPrefix(problem.module);
  const check = problem.checks.find((c) => c.status === "error" && c.message.startsWith(prefix));
  return check === undefined ? null : check.message.slice(prefix.length);
}

/**
 * One error annotation per cause of modules that could not be loaded: at the place of the
 * bundler's first message (`file=src/einsum.ts,line=84,col=12`) when it names one in the
 * submission, else on the first problem's module.
 */
function loadFailureAnnotation(failure: LoadFailure, submissionDir: string): Annotation {
  const [first] = failure.problems;
  const location = messageLocation(failure.cause);
  const place: Pick<Annotation, "file" | "line" | "col"> =
    location === null
      ? { file: findModuleFile(submissionDir, first!.module) }
      : {
          file: join(sourceFolder(submissionDir), ...location.file.split("/").slice(1)),
          line: location.line,
          col: location.column,
        };
  const problems = failure.problems;
  const which = `${problems.length === 1 ? "problem" : "problems"} ${listing(problems.map((p) => p.id))}`;
  const modules = listing(problems.map((p) => `src/${p.module}`));
  const points = sumPoints(problems.flatMap((p) => p.checks));
  return {
    kind: "error",
    name: modules,
    ...place,
    title: `${modules} could not be loaded: ${which} not graded (${pts(points)})`,
    data: `${failure.messages.join("\n")}\nEvery check of ${which} reports this error: fix it first.`,
  };
}

/**
 * One error annotation for the failing checks of an export: the first one's message,
 * counterexample and replay command in full, the others' first lines, then the knock-ons they
 * cost and the export's checks not implemented yet.
 */
function exportAnnotation(
  result: GradeResult,
  problem: ProblemResult,
  checks: readonly CheckResult[],
  roots: readonly CheckResult[],
  plan: KnockOnPlan,
  submissionDir: string,
  replayOptions: Pick<ReportOptions, "command" | "redactSeed">,
): Annotation {
  const [first, ...others] = roots as [CheckResult, ...CheckResult[]];
  const file = findModuleFile(submissionDir, problem.module);
  const line = exportLine(file, exportName(first.id));
  const failing = checks.filter(notPassed).length;
  const ran = checks.filter((c) => c.status !== "skipped").length;
  const parts = [
    `${first.id} ${STATUS_WORD[first.status]}: ${first.title}`,
    first.message.replace(/\n+$/, ""),
  ];
  if (first.counterexample !== null && first.counterexample.trim() !== "") {
    parts.push(`counterexample:\n${first.counterexample.replace(/\n+$/, "")}`);
  }
  if (!detailsWithheld(first)) parts.push(`replay: ${replayCommand(result, first, replayOptions)}`);
  for (const other of others) {
    parts.push(`also ${other.id} ${STATUS_WORD[other.status]}: ${firstLine(other.message)}`);
  }
  const costs = roots.flatMap((root) => plan.costs(root).map(({ check }) => check.id));
  if (costs.length > 0) {
    parts.push(
      `also costs ${listing(costs)}: ${costs.length === 1 ? "it passes" : "they pass"} on ${
        costs.length === 1 ? "its" : "their"
      } own but count${costs.length === 1 ? "s" : ""} only with the failing checks above`,
    );
  }
  const missing = checks.filter((c) => c.status === "not-implemented").map((c) => c.id);
  if (missing.length > 0) parts.push(`not implemented yet: ${listing(missing)}`);
  return {
    kind: "error",
    name: exportKey(first.id),
    file,
    ...(line === undefined ? {} : { line }),
    title: `${exportKey(first.id)}: ${failing} of ${plural(ran, "check")} did not pass (${pts(sumPoints(checks))})`,
    data: parts.filter((part) => part.trim() !== "").join("\n"),
  };
}

/** One notice for the exports of a problem that are not implemented yet. */
function notImplementedAnnotation(
  problem: ProblemResult,
  exports: readonly { key: string; checks: CheckResult[] }[],
  submissionDir: string,
): Annotation {
  const file = findModuleFile(submissionDir, problem.module);
  const line = exportLine(file, exportName(exports[0]!.key));
  const checks = exports.flatMap((e) => e.checks);
  const missing = checks.filter((c) => c.status === "not-implemented").length;
  const what = exports.length === 1 ? "export" : "exports";
  return {
    kind: "notice",
    name: `problem ${problem.id}`,
    file,
    ...(line === undefined ? {} : { line }),
    title: `problem ${problem.id}: ${exports.length} ${what} not implemented yet (${pts(sumPoints(checks))})`,
    data: `${exports.length} ${what} not implemented yet: ${listing(exports.map((e) => e.key))} (${missing} ${
      missing === 1 ? "check still throws" : "checks still throw"
    } "not implemented"). Not an error: implement ${exports.length === 1 ? "it" : "them"} to earn ${
      exports.length === 1 ? "its" : "their"
    } points.`,
  };
}

/** What to annotate in a result, before the per-kind limit: errors root causes first. */
function planAnnotations(
  result: GradeResult,
  submissionDir: string,
  replayOptions: Pick<ReportOptions, "command" | "redactSeed">,
): { errors: Annotation[]; notices: Annotation[] } {
  const failures = new Map<string, LoadFailure>();
  const errors: Annotation[] = [];
  const notices: Annotation[] = [];
  for (const problem of result.problems) {
    const messages = loadFailureOf(problem);
    if (messages !== null) {
      const cause = firstLine(messages);
      const failure = failures.get(cause) ?? { cause, messages: [], problems: [] };
      failure.problems.push(problem);
      for (const line of messages.replace(/\n+$/, "").split("\n")) {
        if (!failure.messages.includes(line)) failure.messages.push(line);
      }
      failures.set(cause, failure);
      continue;
    }
    // A check that failed (not "not implemented") and is not a knock-on is a root cause.
    const failed = (c: CheckResult) => notPassed(c) && c.status !== "not-implemented";
    const plan = planKnockOns(problem.checks, failed);
    const exports = new Map<string, CheckResult[]>();
    for (const check of problem.checks) {
      const key = exportKey(check.id);
      exports.set(key, [...(exports.get(key) ?? []), check]);
    }
    const notImplemented: { key: string; checks: CheckResult[] }[] = [];
    for (const [key, checks] of exports) {
      const roots = checks.filter((c) => failed(c) && !plan.isKnockOn(c));
      if (roots.length > 0) {
        errors.push(
          exportAnnotation(result, problem, checks, roots, plan, submissionDir, replayOptions),
        );
      } else if (checks.some((c) => c.status === "not-implemented")) {
        notImplemented.push({ key, checks });
      }
    }
    if (notImplemented.length > 0) {
      notices.push(notImplementedAnnotation(problem, notImplemented, submissionDir));
    }
  }
  const loadErrors = [...failures.values()].map((f) => loadFailureAnnotation(f, submissionDir));
  return { errors: [...loadErrors, ...errors], notices };
}

/**
 * At most ANNOTATIONS_PER_KIND: when there are more, the last one kept says how many more
 * there are, which, and where they all are (an annotation of the run, on no file).
 */
function capped(list: Annotation[], more: (rest: Annotation[]) => Annotation): Annotation[] {
  if (list.length <= ANNOTATIONS_PER_KIND) return list;
  const kept = list.slice(0, ANNOTATIONS_PER_KIND - 1);
  return [...kept, more(list.slice(ANNOTATIONS_PER_KIND - 1))];
}

function workflowCommand(
  annotation: Annotation,
  submissionDir: string,
  root: string,
  moreIn: string,
): string {
  const properties = [
    ...(annotation.file === undefined
      ? []
      : [`file=${escapeProperty(annotationPath(annotation.file, submissionDir, root))}`]),
    ...(annotation.line === undefined ? [] : [`line=${annotation.line}`]),
    ...(annotation.col === undefined ? [] : [`col=${annotation.col}`]),
    `title=${escapeProperty(sanitize(annotation.title))}`,
  ];
  let data = sanitize(annotation.data);
  if (data.length > MAX_ANNOTATION_CHARS) {
    data = `${data.slice(0, MAX_ANNOTATION_CHARS)}\n[cut; ${moreIn} has all of it]`;
  }
  return `::${annotation.kind} ${properties.join(",")}::${escapeData(data)}`;
}

/**
 * The workflow commands that annotate a result, within GitHub's limits (ANNOTATIONS_PER_KIND
 * of each kind per step), errors first:
 *
 * - `::error`: first one per cause of modules that could not be loaded (a syntax error, a
 *   refused import, a missing file), at the compiler's own file, line and column; then one per
 *   failing export (`3.Linear` for the checks `3.Linear.*`) in the problems' order, on the
 *   problem's module (`line=` at the export's declaration when the file declares it plainly).
 *   Only root causes: a knock-on failure (a check that fails only because a check it requires
 *   did not pass) is named in the annotation of the check it waits for, never annotated alone.
 *   When more than ANNOTATIONS_PER_KIND exports fail, the last one says how many more and where
 *   they are (`moreIn`).
 * - `::notice`: one per problem with exports not implemented yet (they are not errors).
 *
 * Control characters are escaped and properties and data escaped per GitHub's rules, so each
 * annotation is one line whatever the text holds.
 */
export function annotations(
  result: GradeResult,
  submissionDir: string,
  options: AnnotationOptions = {},
): string[] {
  const root = options.root ?? process.cwd();
  const moreIn = options.moreIn ?? "the job summary";
  const replayOptions = {
    command: options.command ?? `npx gradmark ${result.mode}`,
    redactSeed: options.redactSeed ?? false,
  };
  const { errors, notices } = planAnnotations(result, submissionDir, replayOptions);
  const named = (rest: Annotation[]) => listing(rest.map((a) => a.name));
  const where = `${moreIn[0]!.toUpperCase()}${moreIn.slice(1)}`;
  const shown = [
    ...capped(errors, (rest) => ({
      kind: "error",
      name: "",
      title: `${rest.length} more failing exports: see ${moreIn}`,
      data: `GitHub shows ${ANNOTATIONS_PER_KIND} error annotations per step, so these ${rest.length} are not annotated: ${named(rest)}. ${where} lists every failing check with its message and replay command.`,
    })),
    ...capped(notices, (rest) => ({
      kind: "notice",
      name: "",
      title: `${rest.length} more problems with exports not implemented yet: see ${moreIn}`,
      data: `Not annotated here: ${named(rest)}. ${where} lists every check.`,
    })),
  ];
  return shown.map((annotation) => workflowCommand(annotation, submissionDir, root, moreIn));
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
 * What grading adds in a GitHub Actions job: appends the Markdown report (every check, with
 * messages, counterexamples and replay commands) to the file named by GITHUB_STEP_SUMMARY (when
 * set), then prints the annotations (`annotations`: at most ANNOTATIONS_PER_KIND errors, one
 * per failing export or module that could not be loaded, and notices for exports not
 * implemented yet) on stdout (or stderr, see `annotationsTo`). A summary that cannot be written
 * is reported on stderr; it never changes the grade or the exit code.
 */
export function emitGitHubActions(
  result: GradeResult,
  io: CliIO,
  submissionDir: string,
  options: EmitOptions = {},
): void {
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  const reportFile =
    options.reportFile === undefined ? undefined : resolve(io.cwd, options.reportFile);
  let inSummary = false;
  if (summaryFile !== undefined && summaryFile !== "") {
    const path = resolve(io.cwd, summaryFile);
    if (reportFile !== path) {
      try {
        appendFileSync(path, `\n${stepSummary(result, options)}`);
        inSummary = true;
      } catch (error) {
        io.stderr(
          `gradmark: cannot append the job summary to ${summaryFile}: ${(error as Error).message}\n`,
        );
      }
    } else {
      inSummary = true;
    }
  }
  // Where the annotations send the reader for the rest: the summary, else the report.
  const moreIn = inSummary
    ? "the job summary"
    : reportFile === undefined
      ? "the report in this step's log"
      : `the report written to ${relative(io.cwd, reportFile).split("\\").join("/")}`;
  const root = io.env.GITHUB_WORKSPACE || io.cwd;
  const lines = annotations(result, submissionDir, { ...options, root, moreIn });
  if (lines.length > 0) io[options.annotationsTo ?? "stdout"](`${lines.join("\n")}\n`);
}
