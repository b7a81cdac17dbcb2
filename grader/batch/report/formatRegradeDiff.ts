import { sanitize } from "../../common/sanitize.js";
import { formatPoints } from "../../reporters/text.js";
import type { RegradeDiff } from "../tables/compareGrades.js";

const SHOWN_CHECKS = 8;

function listChecks(ids: string[]): string {
  if (ids.length <= SHOWN_CHECKS) return ids.join(", ");
  return `${ids.slice(0, SHOWN_CHECKS).join(", ")} and ${ids.length - SHOWN_CHECKS} more`;
}

/**
 * The regrade diff for a TA: one block per changed student (score before -> after, the checks
 * that flipped), unchanged submissions whose grade moved flagged first and loudly.
 */
export function formatRegradeDiff(diff: RegradeDiff, against: string): string {
  const lines: string[] = [];
  const unstable = diff.changed.filter((c) => c.unstable);
  if (unstable.length > 0) {
    lines.push(
      `!!! ${unstable.length} UNCHANGED submission(s) graded differently under the same seed: the grader is not deterministic here; report this to the gradmark maintainers`,
    );
    for (const c of unstable) lines.push(`!!!   ${sanitize(c.folder)}`);
    lines.push("");
  }
  lines.push(
    `Regrade diff against ${against}: ${diff.changed.length} of ${diff.compared} submission(s) changed`,
  );
  for (const c of diff.changed) {
    const who =
      c.studentId !== c.folder
        ? `${c.folder} (${c.studentId}${c.name ? `, ${c.name}` : ""})`
        : c.folder;
    const sign = c.delta > 0 ? "+" : "";
    const status =
      c.before.status !== c.after.status ? `, ${c.before.status} -> ${c.after.status}` : "";
    lines.push(
      `  ${sanitize(who)}: ${formatPoints(c.before.total)} -> ${formatPoints(c.after.total)} (${sign}${formatPoints(c.delta)}${status})${c.unstable ? "  !!! unchanged submission" : ""}`,
    );
    if (c.nowFailing.length > 0) lines.push(`      now failing: ${listChecks(c.nowFailing)}`);
    if (c.nowPassing.length > 0) lines.push(`      now passing: ${listChecks(c.nowPassing)}`);
  }
  if (diff.added.length > 0) lines.push(`  new since then: ${diff.added.map(sanitize).join(", ")}`);
  if (diff.removed.length > 0)
    lines.push(`  gone since then: ${diff.removed.map(sanitize).join(", ")}`);
  return `${lines.join("\n")}\n`;
}
