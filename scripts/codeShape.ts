// Prints the shape of the source tree: lines per folder (source and tests apart), the import graph
// between folders (with any cycle named), and the longest functions. Used to show what a
// restructuring changed: `npx tsx scripts/codeShape.ts [--functions N]`.
import { dirname } from "node:path";
import ts from "typescript";
import { findCycles, folderGraph, type SourceFile, sourceFiles } from "./internal/sourceTree.js";

const files = sourceFiles();
const lineCount = (file: SourceFile) => file.text.split("\n").length - 1;

function folderTable(): string {
  const rows = new Map<string, { source: number; tests: number; files: number }>();
  for (const file of files) {
    const folder = dirname(file.path);
    const row = rows.get(folder) ?? { source: 0, tests: 0, files: 0 };
    if (file.test) row.tests += lineCount(file);
    else row.source += lineCount(file);
    row.files += 1;
    rows.set(folder, row);
  }
  const lines = ["| folder | files | source lines | test lines |", "| --- | --: | --: | --: |"];
  for (const [folder, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`| ${folder}/ | ${row.files} | ${row.source} | ${row.tests} |`);
  }
  return lines.join("\n");
}

function longestFunctions(count: number): string {
  const found: { name: string; lines: number }[] = [];
  for (const file of files) {
    if (file.test) continue;
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const named = (node as ts.FunctionDeclaration).name?.getText();
        const holder = ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : "";
        const name = named ?? (holder || `(anonymous at line ${start + 1})`);
        found.push({ name: `${file.path} ${name}`, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found
    .sort((a, b) => b.lines - a.lines)
    .slice(0, count)
    .map((f) => `| ${f.lines} | \`${f.name}\` |`)
    .join("\n");
}

const count = Number(process.argv[process.argv.indexOf("--functions") + 1]) || 10;
const edges = folderGraph(files);
const cycles = findCycles(edges);
console.log("## Lines per folder\n");
console.log(folderTable());
console.log("\n## Imports between folders (source files; first two path segments)\n");
for (const [from, tos] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`- ${from} -> ${[...tos].sort().join(", ")}`);
}
console.log(
  cycles.length === 0
    ? "\nNo cycles."
    : `\nCycles:\n${cycles.map((c) => `- ${c.join(" -> ")}`).join("\n")}`,
);
console.log(`\n## The ${count} longest functions\n\n| lines | function |\n| --: | --- |`);
console.log(longestFunctions(count));
