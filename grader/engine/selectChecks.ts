import type { Assignment, CheckDefinition, ProblemDefinition } from "../authoring/types.js";
import { UsageError } from "../common/UsageError.js";

/**
 * The checks `--only` names; no tokens selects everything. A token that is a check id, exactly
 * and in the same case, selects that check alone, even when it also starts other check ids
 * ("1.Conv1d.backward", not "1.Conv1d.backward.large"), so a replay command (`--only <id>
 * --path ...`) always names one check. Any other token selects, without regard to case, every
 * check of the problems whose id ("3") or module ("layers") it is, and every check whose export
 * name (the id's second part: "Linear", "linear", "EinSum") it is. defineAssignment refuses ids
 * that would make a token mean two things (a check id that is also a problem id, module or
 * export name in any case, or two check ids that differ only in case). A token that names
 * nothing is a usage error: "did you mean" for a check id in the wrong case, the check ids it
 * starts for the start of one, examples otherwise.
 */
export function selectChecks(
  assignment: Assignment,
  only: readonly string[] | undefined,
): Set<string> {
  const all = assignment.problems.flatMap((p) => p.checks.map((c) => ({ problem: p, check: c })));
  if (!only || only.length === 0) return new Set(all.map(({ check }) => check.id));
  const selected = new Set<string>();
  for (const token of only) {
    const exact = all.find(({ check }) => check.id === token);
    const matches = exact
      ? [exact]
      : all.filter(({ problem, check }) => inGroup(token, problem, check));
    if (matches.length === 0) throw new UsageError(namesNothing(token, assignment, all));
    for (const { check } of matches) selected.add(check.id);
  }
  return selected;
}

/**
 * Whether `token` is, in any case, the check's problem id, module, export name, or problem id and
 * export name together ("3.Linear", what annotations and reports call an export).
 */
function inGroup(token: string, problem: ProblemDefinition, check: CheckDefinition): boolean {
  const t = token.toLowerCase();
  const [, exportName] = check.id.split(".");
  return (
    t === problem.id.toLowerCase() ||
    t === problem.module.toLowerCase() ||
    exportName?.toLowerCase() === t ||
    (exportName !== undefined && `${problem.id}.${exportName}`.toLowerCase() === t)
  );
}

/** Why `--only token` selects nothing, with what the user may have meant. */
function namesNothing(
  token: string,
  assignment: Assignment,
  all: readonly { check: CheckDefinition }[],
): string {
  const start = `--only ${token} names no problem, export or check`;
  const t = token.toLowerCase();
  const sameButCase = all.find(({ check }) => check.id.toLowerCase() === t);
  if (sameButCase) {
    return `${start}: did you mean ${sameButCase.check.id}? (check ids are matched exactly, case included)`;
  }
  const started = all.filter(({ check }) => check.id.toLowerCase().startsWith(`${t}.`));
  if (started.length > 0) {
    const ids = started.slice(0, 5).map(({ check }) => check.id);
    const more = started.length > ids.length ? `, ... (${started.length})` : "";
    const exportName = started[0]!.check.id.split(".")[1];
    const or = exportName && token.includes(".") ? `, or the export ${exportName}` : "";
    return `${start}: it starts the check ids ${ids.join(", ")}${more}; name one whole${or} (check ids are matched whole)`;
  }
  const examples = all.slice(0, 3).map(({ check }) => check.id);
  return `${start} (try a problem id such as ${assignment.problems[0]?.id}, or a check id such as ${examples.join(", ")}; 'gradmark list' shows them all)`;
}
