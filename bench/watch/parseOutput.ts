/**
 * Reading the piped (non-TTY, NO_COLOR) output of the two watchers. Piped, `gradmark check
 * --watch` prints its screens one after the other (no clearing sequence, no "RUNNING" screen):
 * each ends with a " DONE  <what ran>" line and a "Watching ... for changes" line. vitest prints
 * each run's summary with a "      Tests  1 passed (1)" line.
 */

/** One complete gradmark watch screen. */
export interface GradmarkScreen {
  /** The footer after DONE, e.g. "graded problem 5, Differentiable einsum, after src/einsum.ts changed · 0.16 s · 07:20:39". */
  status: string;
  /** Per problem id: whether all its checks on screen passed, and whether this run graded it. */
  problems: Map<string, { passed: boolean; justGraded: boolean; line: string }>;
}

const PROBLEM_LINE = /^ {2}(\S) (\S+) {2}/;

/** The complete screens in `output` (one still being printed is left out). */
export function gradmarkScreens(output: string): GradmarkScreen[] {
  const screens: GradmarkScreen[] = [];
  let problems = new Map<string, { passed: boolean; justGraded: boolean; line: string }>();
  let status: string | null = null;
  for (const line of output.split("\n")) {
    if (line.startsWith("gradmark check --watch")) {
      problems = new Map();
      status = null;
      continue;
    }
    const done = /^\s*DONE\s+(.*)$/.exec(line);
    if (done) {
      status = done[1]!.trim();
      continue;
    }
    if (status !== null && line.startsWith("Watching ")) {
      screens.push({ status, problems });
      problems = new Map();
      status = null;
      continue;
    }
    const problem = PROBLEM_LINE.exec(line);
    if (problem && problem[1] !== "·") {
      problems.set(problem[2]!, {
        // Every check that ran passed: the ✔ symbol (failed, error, timeout, ... show ✘).
        passed: problem[1] === "✔",
        justGraded: line.includes("← just graded"),
        line: line.trim(),
      });
    }
  }
  return screens;
}

/**
 * Whether `output` holds, after the first `before` screens, a screen drawn after `file` changed
 * in which `problem` was just graded with the verdict `passed`.
 */
export function gradmarkVerdictShown(
  output: string,
  before: number,
  problem: string,
  file: string,
  passed: boolean,
): boolean {
  return gradmarkScreens(output)
    .slice(before)
    .some((s) => {
      const p = s.problems.get(problem);
      return s.status.includes(`after ${file}`) && p?.justGraded === true && p.passed === passed;
    });
}

/** vitest's run summaries, in order: the text after "Tests" and whether nothing failed. */
export function vitestRuns(output: string): { summary: string; passed: boolean }[] {
  const runs: { summary: string; passed: boolean }[] = [];
  for (const line of output.split("\n")) {
    const m = /^\s*Tests\s+(\d.*)$/.exec(line);
    if (m) {
      const summary = m[1]!.trim();
      runs.push({ summary, passed: /\bpassed\b/.test(summary) && !/\bfailed\b/.test(summary) });
    }
  }
  return runs;
}

/** Whether `output` holds, after the first `before` runs, a run with the verdict `passed`. */
export function vitestVerdictShown(output: string, before: number, passed: boolean): boolean {
  return vitestRuns(output)
    .slice(before)
    .some((r) => r.passed === passed);
}
