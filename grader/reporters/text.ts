import type { CheckResult, GradeResult } from "../model/results.js";

/** Small text helpers shared by the human-readable reporters (terminal, later markdown). */

/**
 * A hidden check whose details gradeSubmission withheld (it keeps only the status and a generic
 * message): there is no counterexample and nothing to replay, so reports print no replay line.
 * With the details revealed for staff (`revealHidden`), a failed hidden check has its replay.
 */
export function detailsWithheld(check: CheckResult): boolean {
  return check.hidden && check.replay === null;
}

/**
 * Whether what the submission printed while hidden checks ran was withheld from the result.
 * Reports that show the submission's output say so (never how much: a count is a channel).
 */
export function outputWithheld(result: GradeResult): boolean {
  return result.output.withheldBytes !== undefined;
}

/** The sentence reports print where the submission's output would be, when outputWithheld. */
export const WITHHELD_OUTPUT_NOTE =
  "What the submission printed while hidden checks ran is not shown (it is not kept).";

/**
 * The time of a check as student-visible reports give it: none for a hidden check, whose
 * duration could be made to carry its inputs (a submission can wait longer for larger values).
 */
export function shownDurationMs(check: CheckResult): number {
  return check.hidden ? 0 : check.durationMs;
}

/** Points as people write them: 3, 2.5, 0.33 (at most two decimals). */
export function formatPoints(points: number): string {
  if (Number.isInteger(points)) return String(points);
  return points.toFixed(2).replace(/\.?0+$/, "");
}

/** "7 checks" / "1 check". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** A shell word: left bare when it is plainly safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_.,:/=@+%-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export type Paint = (text: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  magenta: Paint;
  cyan: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    text === "" ? text : `\u001b[${open}m${text}\u001b[${close}m`;

const plain: Paint = (text) => text;

/** ANSI styles when `color`, identity functions otherwise. */
export function palette(color: boolean): Palette {
  if (!color) {
    return {
      bold: plain,
      dim: plain,
      red: plain,
      green: plain,
      yellow: plain,
      magenta: plain,
      cyan: plain,
    };
  }
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
  };
}
