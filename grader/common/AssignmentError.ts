import { isAbsolute, relative } from "node:path";
import { sanitize } from "./sanitize.js";

/** What an AssignmentError names the assignment by. */
export interface FaultyAssignment {
  id: string;
  /** The file that defined it (see Assignment.definedIn), when known. */
  definedIn?: string;
}

/**
 * A fault of the assignment (the course staff's code: a driver name no driver has, a drivers
 * module that does not load, a judge, an arbitrary, a payload or a printer that throws), never the
 * student's: grading stops, and the CLI exits 2 with this one line. Its message names the
 * assignment (id and file where known), the check, and the fault:
 *
 *   assignment conv (course/conv.ts): check 1.Conv1d.backward: its judge threw TypeError: x is undefined at course/conv.ts:41:7
 *
 * Not a UsageError: the call was right, the assignment is wrong (and a batch keeps the rows it
 * stopped on as worth grading again, see `gradmark batch`).
 */
export class AssignmentError extends Error {
  override name = "AssignmentError";

  constructor(
    readonly assignment: FaultyAssignment,
    /** The check the fault was found in (null: the assignment as a whole). */
    readonly checkId: string | null,
    /** What is wrong, as a clause: "its judge threw TypeError: ...". */
    readonly fault: string,
  ) {
    super(faultLine(assignment, checkId, fault));
  }
}

function faultLine(assignment: FaultyAssignment, checkId: string | null, fault: string): string {
  const file = assignment.definedIn ? ` (${shownFile(assignment.definedIn)})` : "";
  const check = checkId === null ? "" : `check ${checkId}: `;
  return oneLine(`assignment ${assignment.id}${file}: ${check}${fault}`);
}

/** A file as messages show it: relative to the working folder when inside it. */
export function shownFile(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : file;
}

/** Text on one line, without anything a terminal would act on, at most 600 characters. */
function oneLine(text: string): string {
  const line = sanitize(text.replace(/\s*[\r\n]+\s*/g, " ").trim());
  return line.length > 600 ? `${line.slice(0, 599)}…` : line;
}

/**
 * A thrown value as a fault shows it: "TypeError: x is undefined at course/conv.ts:41:7", the
 * place being the first frame of the stack outside Node's internals, installed packages and
 * `skipFiles` (mapped first with `mapStack` when the stack comes from the sandbox's bundle, whose
 * own unmapped frames are then skipped). With `withhold`, the message is left out (a hidden
 * check's judge may put its inputs in it).
 */
export function describeThrown(
  error: unknown,
  options: {
    mapStack?: (stack: string) => string;
    withhold?: boolean;
    skipFiles?: readonly string[];
  } = {},
): string {
  const e = error as { name?: unknown; message?: unknown; stack?: unknown } | null;
  const isObject = typeof error === "object" && error !== null;
  const name = isObject && typeof e!.name === "string" ? e!.name : "a value";
  const message = isObject && typeof e!.message === "string" ? e!.message : safeString(error);
  const stack = isObject && typeof e!.stack === "string" ? e!.stack : "";
  const place = firstPlace(
    options.mapStack ? options.mapStack(stack) : stack,
    options.skipFiles ?? [],
  );
  const what = options.withhold
    ? `${name} (its message is withheld: a hidden check)`
    : `${name}: ${message.split("\n")[0]}`;
  return place === null ? what : `${what} at ${place}`;
}

/** A stack's first frame that is not Node's own or an installed package's, as file:line:col. */
function firstPlace(stack: string, skipFiles: readonly string[]): string | null {
  for (const line of stack.split("\n")) {
    const frame = stackFrame(line);
    if (frame === null) continue;
    const { file } = frame;
    if (file.startsWith("node:") || /[/\\]node_modules[/\\]/.test(file)) continue;
    if (skipFiles.includes(file)) continue;
    return `${shownFile(file)}:${frame.line}:${frame.column}`;
  }
  return null;
}

/**
 * The file, line and column of one line of a V8 stack ("    at f (file:///a/b.ts:3:7)"), the
 * file as a path when it was a file: URL (also one a source map left inside another path), or
 * null for a line that is no frame.
 */
export function stackFrame(line: string): { file: string; line: number; column: number } | null {
  const match = /^\s*at (?:.*?\()?([^()\s][^()]*?):(\d+):(\d+)\)?\s*$/.exec(line);
  if (!match) return null;
  let file = match[1]!;
  const url = file.lastIndexOf("file:");
  if (url >= 0) {
    const path = file.slice(url + "file:".length).replace(/^\/+/, "/");
    file = safeDecode(/^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path);
  }
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

function safeDecode(file: string): string {
  try {
    return decodeURIComponent(file);
  } catch {
    return file;
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "a value that cannot be turned into text";
  }
}

/**
 * The staff fault an error row of a batch holds, or null: a worker reports an AssignmentError as
 * the grader failing on the submission, its message kept after a prefix of its own.
 */
export function assignmentFaultIn(text: string, assignmentId: string): string | null {
  const id = assignmentId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(?:^|: )(assignment ${id}(?: \\([^\\n]*?\\))?: [^\\n]*)$`).exec(text);
  return match ? match[1]! : null;
}
