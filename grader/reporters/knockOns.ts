import { KNOCK_ON_PREFIX } from "../model/knockOn.js";
import type { CheckResult, GradeResult } from "../model/results.js";

/**
 * Knock-on failures: a check that passes on its own but earns nothing because a check it
 * `requires` did not pass. gradeSubmission (applyRequirements) marks it `failed` with a message
 * that starts with this text and names the checks it waits for. Reports fold these into the
 * failure of the check they wait for instead of explaining each one (issue 14).
 */
export { KNOCK_ON_PREFIX };

const KNOCK_ON_SUFFIX = /,\s*which did not pass\.?\s*$/;

/**
 * The ids of the checks a knock-on failure waits for, in the order its message names them;
 * null when `check` is not a knock-on (any other status or message, e.g. a hidden check whose
 * message was replaced by a generic one).
 */
export function knockOnRoots(check: CheckResult): string[] | null {
  if (check.status !== "failed" || !check.message.startsWith(KNOCK_ON_PREFIX)) return null;
  const ids = check.message
    .slice(KNOCK_ON_PREFIX.length)
    .split("\n")[0]!
    .replace(KNOCK_ON_SUFFIX, "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  return ids.length > 0 ? ids : null;
}

/** Ids of the knock-on failures of a whole result (the batch summary leaves them out). */
export function knockOnCheckIds(result: GradeResult): string[] {
  return result.problems
    .flatMap((problem) => problem.checks)
    .filter((check) => knockOnRoots(check) !== null)
    .map((check) => check.id);
}

/** A knock-on check as listed under the failure it waits for. */
export interface KnockOn {
  check: CheckResult;
  /** The other checks it also waits for (besides the one it is listed under), if any. */
  alsoNeeds: string[];
}

export interface KnockOnPlan {
  /** Whether a check is a knock-on failure (it gets no failure block of its own). */
  isKnockOn(check: CheckResult): boolean;
  /** What a knock-on check waits for (empty for any other check). */
  rootsOf(check: CheckResult): string[];
  /** The knock-ons to list under this check's failure block. */
  costs(check: CheckResult): KnockOn[];
  /**
   * Knock-ons none of whose roots has a failure block (the root is not implemented, was not
   * selected, ...): reports give each a one-line mention instead of dropping it.
   */
  orphans: CheckResult[];
}

/**
 * Where each knock-on of `checks` (one problem's) goes: under the failure block of the first
 * check it waits for that has one (`hasBlock`), following chains of knock-ons (a check that
 * waits for a knock-on waits for that one's root); otherwise among the orphans.
 */
export function planKnockOns(
  checks: readonly CheckResult[],
  hasBlock: (check: CheckResult) => boolean,
): KnockOnPlan {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const roots = new Map<CheckResult, string[]>();
  for (const check of checks) {
    const ids = knockOnRoots(check);
    if (ids !== null) roots.set(check, ids);
  }
  const blockOf = (id: string, seen: Set<string>): CheckResult | undefined => {
    if (seen.has(id)) return undefined;
    seen.add(id);
    const root = byId.get(id);
    if (root === undefined) return undefined;
    const further = roots.get(root);
    if (further === undefined) return hasBlock(root) ? root : undefined;
    for (const next of further) {
      const found = blockOf(next, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const costs = new Map<CheckResult, KnockOn[]>();
  const orphans: CheckResult[] = [];
  for (const [check, ids] of roots) {
    let home: CheckResult | undefined;
    for (const id of ids) {
      home = blockOf(id, new Set([check.id]));
      if (home !== undefined) break;
    }
    if (home === undefined) {
      orphans.push(check);
      continue;
    }
    const list = costs.get(home) ?? [];
    list.push({ check, alsoNeeds: ids.filter((id) => id !== home.id) });
    costs.set(home, list);
  }
  return {
    isKnockOn: (check) => roots.has(check),
    rootsOf: (check) => roots.get(check) ?? [],
    costs: (check) => costs.get(check) ?? [],
    orphans,
  };
}
