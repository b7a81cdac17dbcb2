import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Assignment } from "../authoring/types.js";
import { sanitize } from "../common/sanitize.js";
import { findModule } from "../sandbox/bundleSubmission.js";

/**
 * A submission keeps its modules in src/. A folder without src/ that holds the modules itself
 * (like the staff solution, reference/solution) is taken as its own src/.
 */
export function findSrcDir(dir: string, assignment: Assignment): string {
  const src = join(dir, "src");
  if (existsSync(src)) return src;
  const holdsModules = assignment.modules.some((module) => findModule(dir, module) !== null);
  return holdsModules ? dir : src;
}

/**
 * Why `dir` (shown as `given`) cannot be graded when it has neither src/ nor a module at its top
 * level, on one line: what it holds, and what a submission is (either layout, modules named).
 */
export function noModulesMessage(given: string, dir: string, assignment: Assignment): string {
  const files = assignment.modules.map((module) => `${module}.ts`);
  const modules = `${files.slice(0, -1).join(", ")} and ${files.at(-1)}`;
  const accepted = `a submission is a src/ folder holding the modules ${modules} (or .js), or those files at its top level`;
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return `${given} is empty: ${accepted}`;
  const shown = entries.slice(0, 6).map((name) => {
    const clean = shownName(name);
    const short = clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
    return isFolder(join(dir, name)) ? `${short}/` : short;
  });
  const more = entries.length > shown.length ? `, ... (${entries.length} entries)` : "";
  if (existsSync(join(dir, "src"))) return `${given}/src is a file, not a folder: ${accepted}`;
  // The usual slip: the folder around the work was uploaded instead of what is inside it.
  const wrapper = entries.find(
    (name) =>
      isFolder(join(dir, name)) &&
      (isFolder(join(dir, name, "src")) ||
        assignment.modules.some((module) => findModule(join(dir, name), module) !== null)),
  );
  const hint = wrapper
    ? `; the modules seem to be inside ${shownName(wrapper)}/, so submit what that folder holds instead`
    : "";
  return `${given} has no src/ folder and none of the modules at its top level (it holds ${shown.join(", ")}${more}${hint}): ${accepted}`;
}

/** A file name on one line, without anything a terminal would act on. */
function shownName(name: string): string {
  return sanitize(name.replace(/[\n\t]/g, " "));
}
