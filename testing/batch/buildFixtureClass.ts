import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../../grader/common/packagePath.js";
import { readExpectedOutcome } from "../../grader/selftest/expectedOutcome.js";
import { materializeSample } from "../../grader/selftest/materializeSample.js";

/**
 * A class folder of `size` submissions made from gradmark's fixtures (a checkout, not the
 * package): the staff solution, the starter and every sample submission, taken in turn
 * (`name`, then `name-2`, ...) until there are enough. For batch tests and benchmarks.
 */
export function buildFixtureClass(
  classDir: string,
  size: number,
  only?: (name: string) => boolean,
): string[] {
  const sources: { name: string; dir: string; cleanup: () => void }[] = [];
  const solution = packagePath("reference/solution");
  sources.push({ name: "solution", dir: solution, cleanup: () => {} });
  sources.push({ name: "starter", dir: packagePath("fixtures/starter"), cleanup: () => {} });
  const samples = packagePath("fixtures/submissions");
  if (existsSync(samples)) {
    for (const name of readdirSync(samples).sort()) {
      const dir = join(samples, name);
      if (!statSync(dir).isDirectory()) continue;
      sources.push({ name, ...materializeSample(dir, readExpectedOutcome(dir)) });
    }
  }
  const chosen = sources.filter((s) => only === undefined || only(s.name));
  if (chosen.length === 0) throw new Error("buildFixtureClass: no fixture matches");
  mkdirSync(classDir, { recursive: true });
  const names: string[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const source = chosen[i % chosen.length]!;
      const round = Math.floor(i / chosen.length);
      const name = round === 0 ? source.name : `${source.name}-${round + 1}`;
      const target = join(classDir, name);
      if (source.name === "solution")
        cpSync(source.dir, join(target, "src"), {
          recursive: true,
          filter: (p) => !/\.test\.ts$/.test(p),
        });
      else
        cpSync(source.dir, target, {
          recursive: true,
          filter: (p) => !p.endsWith("expected.json"),
        });
      names.push(name);
    }
  } finally {
    for (const source of sources) source.cleanup();
  }
  return names;
}
