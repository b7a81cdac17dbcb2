import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ImportGraph, isModuleFile, stemOf } from "./importGraph.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A src/ folder holding `files` (paths from it to contents). */
function srcWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-graph-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("stemOf", () => {
  it("names a module file without its extension, '/'-separated", () => {
    expect(stemOf("layers.ts")).toBe("layers");
    expect(stemOf("lib/util.mjs")).toBe("lib/util");
    expect(stemOf("lib\\util.js")).toBe("lib/util");
    expect(stemOf("data.json")).toBe("data.json");
    expect(isModuleFile("a.mts")).toBe(true);
    expect(isModuleFile("a.json")).toBe(false);
  });
});

describe("ImportGraph", () => {
  it("follows run-time imports to the end, as esbuild reads them", async () => {
    const src = srcWith({
      "a.ts": [
        'import { b } from "./b";',
        'import type { T } from "./t";',
        'import { type U } from "./u";',
        'import { unused } from "./v";',
        "export const a = (x: T): U => b + x;",
      ].join("\n"),
      "b.ts": 'import { c } from "./lib/c.js";\nexport const b = c;',
      "lib/c.ts": "export const c = 1;",
      "t.ts": "export type T = number;",
      "u.ts": "export type U = number;",
      "v.ts": "export const unused = 1;",
      "d.js": 'const { a } = require("./a");\nexport const d = () => import("./e.mjs");',
      "e.mjs": 'import { x } from "gradmark/tensor";\nexport const e = x;',
    });
    const graph = new ImportGraph(src);
    await graph.scanAll();
    // `import type`, `import { type U }` and an import nothing uses are erased, as in the
    // grader's bundle (which does not load them).
    expect(graph.importsOf("a")).toEqual(["b", "b/index"]);
    expect(graph.importsOf("b")).toEqual(["lib/c", "lib/c/index"]);
    expect(graph.importsOf("d")).toEqual(["a", "a/index", "e", "e/index"]);
    expect(graph.importsOf("e")).toEqual([]);
    expect(graph.reaches("a", ["lib/c"])).toBe(true);
    expect(graph.reaches("a", ["lib"])).toBe(true);
    expect(graph.reaches("a", ["t"])).toBe(false);
    expect(graph.reaches("a", ["u"])).toBe(false);
    expect(graph.reaches("a", ["v"])).toBe(false);
    expect(graph.reaches("b", ["a"])).toBe(false);
    expect(graph.reaches("d", ["lib/c"])).toBe(true);
  });

  it("keeps a file's imports while it does not parse, and forgets them when it is gone", async () => {
    const src = srcWith({
      "a.ts": 'import { b } from "./b";\nexport const a = b;',
      "b.ts": 'import { c } from "./c";\nexport const b = c;',
      "c.ts": "export const c = 1;",
    });
    const graph = new ImportGraph(src);
    await graph.scanAll();
    writeFileSync(join(src, "b.ts"), 'import { c } from "./c";\nexport const b = {{ c;');
    await graph.update(["b"]);
    expect(graph.reaches("a", ["c"])).toBe(true);
    rmSync(join(src, "b.ts"));
    await graph.update(["b"]);
    expect(graph.reaches("a", ["c"])).toBe(false);
    expect(graph.reaches("a", ["b"])).toBe(true);
  });

  it("names a file an import needs before it exists", async () => {
    const src = srcWith({ "a.ts": 'import { h } from "./helpers";\nexport const a = h;' });
    const graph = new ImportGraph(src);
    await graph.scanAll();
    expect(graph.reaches("a", ["helpers"])).toBe(true);
    expect(graph.reaches("a", ["other"])).toBe(false);
  });

  it("leaves out what is outside src/, dot folders and node_modules", async () => {
    const src = srcWith({
      "a.ts": 'import { x } from "../outside";\nexport const a = x;',
      ".hidden/h.ts": 'import "./x";',
      "node_modules/p/index.js": 'import "./y";',
    });
    const graph = new ImportGraph(src);
    await graph.scanAll();
    expect(graph.importsOf("a")).toEqual([]);
    expect(graph.importsOf(".hidden/h")).toEqual([]);
    expect(graph.importsOf("node_modules/p/index")).toEqual([]);
  });
});
