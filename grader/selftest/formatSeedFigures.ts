import type { SeedFigures } from "./seedFigures.js";

const seedName = (seed: number | undefined) => (seed === undefined ? "default" : String(seed));

/** "3, 5, 9" for the seeds of a list of findings, in first-seen order without repeats. */
function seedList(items: readonly { seed: number | undefined }[]): string {
  return [...new Set(items.map((item) => seedName(item.seed)))].join(", ");
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/**
 * The figures of a multi-seed selftest as text lines: false failures by seed, missed mistakes
 * by sample and check (with their seeds), other disagreements, and every catch rate.
 */
export function formatSeedFigures(figures: SeedFigures, seedCount: number): string[] {
  const out = [`figures over ${seedCount} seeds (${figures.gradings} gradings):`];
  out.push(`  false failures (a check expected to pass did not): ${figures.falseFailures.length}`);
  for (const [seed, items] of groupBy(figures.falseFailures, (f) => seedName(f.seed))) {
    out.push(
      `    seed ${seed}: ${items.map((f) => `${f.target} ${f.check} (${f.status})`).join(", ")}`,
    );
  }
  out.push(
    `  missed mistakes (a check expected not to pass passed): ${figures.missedMistakes.length}`,
  );
  for (const [target, items] of groupBy(figures.missedMistakes, (m) => m.target)) {
    for (const [check, hits] of groupBy(items, (m) => m.check)) {
      const what = check === "" ? "no check caught it" : check;
      out.push(`    ${target}: ${what} at seed${hits.length === 1 ? "" : "s"} ${seedList(hits)}`);
    }
  }
  out.push(
    `  other disagreements (another status than expected): ${figures.otherDisagreements.length}`,
  );
  for (const [target, items] of groupBy(figures.otherDisagreements, (d) => d.target)) {
    for (const [what, hits] of groupBy(items, (d) => `${d.check} (${d.status})`)) {
      out.push(`    ${target}: ${what} at seed${hits.length === 1 ? "" : "s"} ${seedList(hits)}`);
    }
  }
  if (figures.catchRates.length > 0) {
    const width = Math.max(...figures.catchRates.map((r) => r.target.length));
    out.push("  catch rate (gradings in which every expected failure showed):");
    for (const rate of figures.catchRates) {
      const percent = rate.graded === 0 ? 100 : (100 * rate.caught) / rate.graded;
      out.push(
        `    ${rate.target.padEnd(width)}  ${rate.caught}/${rate.graded}${rate.caught === rate.graded ? "" : `  (${percent.toFixed(0)}%)`}`,
      );
    }
  }
  return out;
}
