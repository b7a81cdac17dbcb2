import type { GradeResult, ProblemResult } from "../model/results.js";
import { OutputCapture } from "../sandbox/OutputCapture.js";

/** Where one child's stdout and stderr go. */
export interface Captures {
  stdout: OutputCapture;
  stderr: OutputCapture;
}

function captures(limitBytes: number): Captures {
  return { stdout: new OutputCapture(limitBytes), stderr: new OutputCapture(limitBytes) };
}

/**
 * What the children of one grading print, kept per problem, and the grade's `output` made of it.
 * The output of the children that ran hidden checks is withheld from reports unless staff asked
 * to see it (see GradeOptions.revealHidden).
 */
export class SubmissionOutput {
  /** Per problem (in the assignment's order), for the children that run its visible checks. */
  readonly visible: Captures[];
  /** Per problem, for the children that run its hidden checks. */
  readonly hidden: Captures[];

  constructor(
    problemCount: number,
    private readonly limitBytes: number,
    private readonly revealHidden: boolean,
  ) {
    this.visible = Array.from({ length: problemCount }, () => captures(limitBytes));
    // What children print once they have run a hidden check: a capture of 0 bytes keeps nothing
    // and counts everything, unless staff asked to see it.
    this.hidden = Array.from({ length: problemCount }, () =>
      captures(revealHidden ? limitBytes : 0),
    );
  }

  /**
   * The grade's output, once every problem is graded: `mapStack` shows the stack traces in it
   * with their src/ lines. When a hidden check ran and is not revealed, the count of bytes
   * withheld is given instead of them.
   */
  report(
    problems: readonly ProblemResult[],
    mapStack: (text: string) => string,
  ): GradeResult["output"] {
    const { visible, hidden, revealHidden } = this;
    // The output of the children that ran hidden checks only when revealed, after the problem's
    // own; else only its size is known (see Lane.hidden).
    const kept = revealHidden ? visible.flatMap((o, i) => [o, hidden[i]!]) : visible;
    // Output the student printed may hold stack traces too (console.error(error)): shown with
    // their src/ lines, like the reported errors. Display only: output is never read for results.
    const shown = (parts: OutputCapture[]) =>
      mapStack(OutputCapture.joined(parts, this.limitBytes));
    const output: GradeResult["output"] = {
      stdout: shown(kept.map((o) => o.stdout)),
      stderr: shown(kept.map((o) => o.stderr)),
    };
    const hiddenRan = problems.some((p) =>
      p.checks.some((c) => c.hidden && c.status !== "skipped"),
    );
    if (hiddenRan && !revealHidden) {
      output.withheldBytes = hidden.reduce((t, w) => t + w.stdout.dropped + w.stderr.dropped, 0);
    }
    return output;
  }
}
