import { randomInt } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { loadAssignment } from "../assignments/loadAssignment.js";
import type { CliIO } from "../common/io.js";
import { UsageError } from "../common/UsageError.js";
import { type GradeOptions, gradeSubmission } from "../engine/gradeSubmission.js";
import type { GradeResult } from "../model/results.js";
import { shellQuote } from "../reporters/text.js";

/** What the commands call, replaceable in tests. */
export interface CliDeps {
  gradeSubmission: (options: GradeOptions) => Promise<GradeResult>;
  loadAssignment: typeof loadAssignment;
  /** A fresh seed for `check`. */
  randomSeed: () => number;
}

export const defaultDeps: CliDeps = {
  gradeSubmission,
  loadAssignment,
  randomSeed: () => randomInt(1, 2 ** 31 - 1),
};

/** What each command module gets from the wiring in cli.ts. */
export interface CommandContext {
  io: CliIO;
  deps: CliDeps;
  /** Records the exit code of the command that ran. */
  exit: (code: number) => void;
}

/**
 * Exit codes: 0 every check run passed, 1 some did not, 2 usage or infrastructure error, or a
 * fault of the assignment (AssignmentError: the staff's code, never charged to the student).
 */
export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;

/** An integer seed from `--seed` or GRADMARK_SEED; `where` names the source in the message. */
export function parseSeed(text: string, where: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(value)) {
    // A secret seed's value is never repeated: the message may land in a student-visible log.
    const got =
      where === "GRADMARK_SEED" ? " (its value is not shown)" : `, got ${JSON.stringify(text)}`;
    throw new UsageError(`${where} must be an integer${got}`);
  }
  return value;
}

/** `--only a --only b,c` (yargs gives a string or a list) as ["a", "b", "c"]. */
export function parseOnly(only: unknown): string[] {
  if (only === undefined) return [];
  const items = Array.isArray(only) ? only : [only];
  return items
    .flatMap((item) => String(item).split(","))
    .map((id) => id.trim())
    .filter((id) => id !== "");
}

/**
 * Fails fast (before the assignment loads and the seed line prints) on a folder that does not
 * exist; what a submission folder must hold is gradeSubmission's to check.
 */
export function assertFolder(dir: string, given: string): void {
  if (!existsSync(dir)) throw new UsageError(`no such folder: ${given}`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${given} is not a folder`);
}

/** 0 when every check that ran passed, 1 otherwise. */
export function exitCodeFor(result: GradeResult): number {
  const allPassed = result.problems.every((problem) =>
    problem.checks.every((check) => check.status === "passed" || check.status === "skipped"),
  );
  return allPassed ? EXIT_PASSED : EXIT_FAILED;
}

/** The gradmark invocation that replay lines start with, keeping the folder and assignment. */
export function replayBase(mode: "check" | "grade", dir: string, assignment?: string): string {
  const parts = ["npx gradmark", mode];
  if (dir !== "." && dir !== "./" && dir !== "") parts.push(shellQuote(dir));
  if (assignment !== undefined) parts.push("--assignment", shellQuote(assignment));
  return parts.join(" ");
}

/**
 * Runs a command body and turns what it throws into the CLI's error output: a UsageError is one
 * line plus a pointer to --help, anything else one line (an AssignmentError's names the
 * assignment, the check and the fault); all exit 2 (EXIT_ERROR).
 */
export async function runGuarded(
  io: CliIO,
  command: string,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    reportError(io, error, command);
    return EXIT_ERROR;
  }
}

export function reportError(io: CliIO, error: unknown, command?: string): void {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  io.stderr(`gradmark: ${message}\n`);
  if (error instanceof UsageError) {
    io.stderr(`Run "gradmark${command ? ` ${command}` : ""} --help" for usage.\n`);
  } else if (io.env.GRADMARK_DEBUG && error instanceof Error && error.stack) {
    io.stderr(`${error.stack}\n`);
  }
}

function oneLine(message: string): string {
  const line = message
    .trim()
    .split(/\s*\n\s*/)
    .join(" ");
  return line === "" ? "unknown error" : line;
}
