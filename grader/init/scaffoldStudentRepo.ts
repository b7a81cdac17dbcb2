import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { packagePath } from "../common/packagePath.js";
import { UsageError } from "../common/UsageError.js";
import { version } from "../common/version.js";
import { type GradmarkSource, gradmarkDependency } from "./gradmarkSource.js";

/** How scaffoldStudentRepo writes the repository. */
export interface ScaffoldOptions {
  /** Overwrite files that already exist (default: refuse and list them). */
  force?: boolean;
  /**
   * Where the repository gets gradmark (`gradmark init --from`); default `^<this version>` from
   * the npm registry. A local tarball outside the repository is copied into `vendor/`.
   */
  from?: GradmarkSource;
  /**
   * The starter of a custom assignment: a folder holding src/ (and perhaps README.md), or the
   * folder of its modules. Default: the built-in assignment's starter.
   */
  starter?: string;
  /**
   * The assignment file of the repository, relative to it (a students' copy without hidden
   * checks, written beside it by the caller): package.json names it for check, and the
   * workflow passes it to grade.
   */
  assignmentFile?: string;
}

/** The gradmark dependency of a repository made without `--from`. */
export const DEFAULT_GRADMARK_SPEC = `^${version}`;

/**
 * The CI workflow of a student repository: grade on every push, summary in the run's page.
 * `npm install` installs gradmark as package.json names it; `gradmark` is that spec, which a
 * comment repeats.
 */
export function gradeWorkflow(gradmark: string, assignmentFile?: string): string {
  // grade reads no package.json field (a submission must not choose its grader): the flag.
  const grade =
    assignmentFile === undefined
      ? "npx gradmark grade"
      : `npx gradmark grade --assignment '${assignmentFile.replace(/'/g, "'\\''")}'`;
  return `name: grade
on:
  push:
  pull_request:
  workflow_dispatch:
jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      # Installs gradmark as package.json names it: ${gradmark.replace(/[\r\n]/g, " ")}
      - run: npm install --no-audit --no-fund
      # In GitHub Actions gradmark also writes a Markdown summary of the run and one annotation
      # per failing check, pointing at the file to fix.
      - run: ${grade}
`;
}

/** The workflow of a repository made without `--from`. */
export const GRADE_WORKFLOW = gradeWorkflow(DEFAULT_GRADMARK_SPEC);

const STARTER_FILES = ["README.md", "tsconfig.json", "src"];

/** Written from here, not copied: npm leaves .gitignore files out of published packages. */
const GITIGNORE = "node_modules/\n";

/**
 * Writes a student repository made from the starter into `dir`: the src/ stubs, package.json
 * (gradmark as a dev dependency, `check` and `test` scripts), tsconfig.json, the student README,
 * .gitignore and .github/workflows/grade.yml, and with `from` a local tarball, vendor/ holding a
 * copy of it. Returns the files written, relative to `dir`.
 */
export function scaffoldStudentRepo(dir: string, options: ScaffoldOptions = {}): string[] {
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new UsageError(`${dir} exists and is not a folder`);
  }
  const starter = packagePath("fixtures/starter");
  if (!existsSync(starter))
    throw new UsageError(`the starter is missing from this gradmark install (${starter})`);
  const planned = new Map<string, () => void>();
  const entries = options.starter === undefined ? STARTER_FILES : ["tsconfig.json"];
  for (const entry of entries) {
    for (const file of listFiles(join(starter, entry))) {
      const rel = relative(starter, file);
      if (rel.endsWith(".test.ts")) continue;
      planned.set(rel, () => cpSync(file, join(target, rel)));
    }
  }
  if (options.starter !== undefined) planStarter(options.starter, target, planned);
  const manifest = JSON.parse(readFileSync(join(starter, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
    scripts?: Record<string, string>;
  };
  const dependency = options.from
    ? gradmarkDependency(options.from, target)
    : { spec: DEFAULT_GRADMARK_SPEC };
  manifest.devDependencies = { ...manifest.devDependencies, gradmark: dependency.spec };
  // A new repository has no tests of its own yet; `npm test` should still pass.
  manifest.scripts = { ...manifest.scripts, test: "vitest run --passWithNoTests" };
  planned.set("package.json", () =>
    writeFileSync(join(target, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`),
  );
  planned.set(".gitignore", () => writeFileSync(join(target, ".gitignore"), GITIGNORE));
  if (options.assignmentFile !== undefined) {
    (manifest as { gradmark?: unknown }).gradmark = { assignment: options.assignmentFile };
  }
  planned.set(join(".github", "workflows", "grade.yml"), () =>
    writeFileSync(
      join(target, ".github", "workflows", "grade.yml"),
      gradeWorkflow(dependency.spec, options.assignmentFile),
    ),
  );
  const copy = dependency.copy;
  if (copy)
    planned.set(join(...copy.to.split("/")), () => cpSync(copy.from, join(target, copy.to)));
  const existing = [...planned.keys()].filter((rel) => existsSync(join(target, rel)));
  if (existing.length > 0 && !options.force) {
    const shown = existing.slice(0, 5).join(", ");
    throw new UsageError(
      `${dir} already has ${existing.length === 1 ? "a file" : "files"} gradmark init would write (${shown}${existing.length > 5 ? ", ..." : ""}); use --force to overwrite`,
    );
  }
  for (const [rel, write] of planned) {
    mkdirSync(dirname(join(target, rel)), { recursive: true });
    write();
  }
  return [...planned.keys()].sort();
}

/** A custom starter's files: its src/ (or its modules, as src/) and its README.md if any. */
function planStarter(starter: string, target: string, planned: Map<string, () => void>): void {
  if (!existsSync(starter) || !statSync(starter).isDirectory())
    throw new UsageError(`--starter ${starter}: no such folder`);
  const src = join(starter, "src");
  const modules = existsSync(src) && statSync(src).isDirectory() ? src : starter;
  for (const file of listFiles(modules)) {
    const rel = relative(modules, file);
    if (rel.split(/[\\/]/).some((part) => part === "node_modules" || part.startsWith(".")))
      continue;
    if (modules === starter && (rel === "README.md" || rel === "package.json")) continue;
    planned.set(join("src", rel), () => cpSync(file, join(target, "src", rel)));
  }
  const readme = join(starter, "README.md");
  if (existsSync(readme)) planned.set("README.md", () => cpSync(readme, join(target, "README.md")));
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => listFiles(join(path, name)));
}
