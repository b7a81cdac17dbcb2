// The repository's TypeScript sources and the imports between them, read as text (no build):
// for the layout's tests and for scripts/codeShape.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export const repoRoot = resolve(import.meta.dirname, "../..");

const TOP_FOLDERS = ["reference", "checks", "grader", "testing", "bench", "scripts", "mutation"];

export interface SourceFile {
  /** Repository-relative path, with forward slashes. */
  path: string;
  test: boolean;
  text: string;
}

export interface ImportEdge {
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative target for a relative specifier, else null (a package). */
  target: string | null;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "out") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Sample submissions and toy submissions are data the tests grade, not the product's code. */
const isData = (path: string) => /(^|\/)toy\/[^/]+\/src\/|^fixtures\//.test(path);

export function sourceFiles(): SourceFile[] {
  return TOP_FOLDERS.map((top) => join(repoRoot, top))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    })
    .flatMap(listTs)
    .map((abs) => relative(repoRoot, abs).split("\\").join("/"))
    .filter((path) => !isData(path))
    .map((path) => ({
      path,
      test: /\.test\.ts$/.test(path),
      text: readFileSync(join(repoRoot, path), "utf8"),
    }));
}

/** Every static and dynamic import and re-export of a file. */
export function importsOf(file: SourceFile): ImportEdge[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    const target = specifier.startsWith(".")
      ? relative(repoRoot, resolve(repoRoot, dirname(file.path), specifier))
          .split("\\")
          .join("/")
      : null;
    edges.push({ from: file.path, specifier, target, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The folder a path belongs to in the folder graph: its first two segments. */
export function folderOf(path: string): string {
  return dirname(path).split("/").slice(0, 2).join("/");
}

/** Cycles in a directed graph, each as the path that closes it. */
export function findCycles(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Imports between folders of the product's source files (tests left out), as a graph. */
export function folderGraph(files: SourceFile[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    if (file.test) continue;
    for (const edge of importsOf(file)) {
      if (edge.target === null || !/\.(ts|js|mts|mjs)$|\/[^./]+$/.test(edge.target)) continue;
      const from = folderOf(file.path);
      const to = folderOf(edge.target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  return edges;
}
