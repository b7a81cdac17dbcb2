import type { Assignment } from "../authoring/types.js";
import { sanitize } from "../common/sanitize.js";
import { formatPoints, palette } from "./text.js";

/** What an assignment grades: its problems and checks with their points and runs. */
export type AssignmentOutline = ReturnType<typeof assignmentOutline>;

/** The assignment's problems and checks as `list --format json` prints them. */
export function assignmentOutline(assignment: Assignment) {
  return {
    assignment: { id: assignment.id, title: assignment.title },
    maxScore: assignment.maxScore,
    problems: assignment.problems.map((problem) => ({
      id: problem.id,
      title: problem.title,
      module: problem.module,
      maxScore: problem.checks.reduce((sum, check) => sum + check.points, 0),
      checks: problem.checks.map((check) => ({
        id: check.id,
        title: check.title,
        points: check.points,
        runs: check.runs ?? assignment.defaults.runs,
        hidden: check.hidden === true,
      })),
    })),
  };
}

/** The point split as a table per problem. */
export function renderOutline(outline: AssignmentOutline, color: boolean): string {
  const p = palette(color);
  const checks = outline.problems.flatMap((problem) => problem.checks);
  const width = {
    id: Math.max("check".length, ...checks.map((c) => sanitize(c.id).length)),
    title: Math.max("title".length, ...checks.map((c) => sanitize(c.title).length)),
    points: Math.max("points".length, ...checks.map((c) => formatPoints(c.points).length)),
    runs: Math.max("runs".length, ...checks.map((c) => String(c.runs).length)),
  };
  const row = (id: string, title: string, points: string, runs: string, hidden: string) =>
    `  ${id.padEnd(width.id)}  ${title.padEnd(width.title)}  ${points.padStart(width.points)}  ${runs.padStart(width.runs)}  ${hidden}`.trimEnd();
  const hiddenCount = checks.filter((c) => c.hidden).length;
  const lines = [
    `${p.bold(sanitize(outline.assignment.title))} ${p.dim(`(${sanitize(outline.assignment.id)})`)}: ${formatPoints(outline.maxScore)} points, ${outline.problems.length} problems, ${checks.length} checks${hiddenCount > 0 ? ` (${hiddenCount} hidden: run by grade, not by check)` : ""}`,
  ];
  for (const problem of outline.problems) {
    lines.push(
      "",
      `${p.bold(sanitize(problem.title))}  ${p.dim(`${sanitize(problem.id)} · src/${sanitize(problem.module)}`)}  ${p.bold(`${formatPoints(problem.maxScore)} points`)}`,
      p.dim(row("check", "title", "points", "runs", "")),
    );
    for (const check of problem.checks) {
      lines.push(
        row(
          sanitize(check.id),
          sanitize(check.title),
          formatPoints(check.points),
          String(check.runs),
          check.hidden ? "hidden" : "",
        ),
      );
    }
  }
  lines.push("", `${p.bold("Total")}  ${formatPoints(outline.maxScore)} points`);
  return `${lines.join("\n")}\n`;
}
