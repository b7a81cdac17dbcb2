import type { GradeResult } from "../model/results.js";

export interface ReportOptions {
  /** ANSI colours (the CLI decides: NO_COLOR, FORCE_COLOR, TTY). Reporters that write files ignore it. */
  color: boolean;
  /** How to invoke gradmark in replay lines, e.g. "npx gradmark check". */
  command: string;
  /** Show what the submission printed (default true). */
  showOutput?: boolean;
  /**
   * The seed is a secret (it came from GRADMARK_SEED): human-readable reports print
   * `$GRADMARK_SEED` instead of its value. Default false.
   */
  redactSeed?: boolean;
  /** The assignment's choice of how hidden checks show on Gradescope (see AssignmentDefinition). */
  hiddenVisibility?: "hidden" | "after_published" | "after_due_date";
}

/** Renders one grading result as text. One implementation per format, registered in index.ts. */
export interface Reporter {
  /** The `--format` name. */
  name: string;
  /** One line for `--help`. */
  description?: string;
  render(result: GradeResult, options: ReportOptions): string;
}
