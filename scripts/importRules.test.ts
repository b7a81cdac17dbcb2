import { describe, expect, it } from "vitest";
import {
  findCycles,
  folderGraph,
  type ImportEdge,
  importsOf,
  type SourceFile,
  sourceFiles,
} from "./internal/sourceTree.js";

// The layout's rules (README "Layout"): imports flow grader -> checks -> reference/tensor and
// grader -> reference/forward -> reference/tensor; test support never reaches the product.
const files = sourceFiles();
// What the package is made of (the staff solution is graded, never imported: its own rule below).
const product = files.filter(
  (f) => !f.test && /^(reference\/tensor|reference\/forward|checks|grader)\//.test(f.path),
);

const under = (folder: string) => (path: string | null) =>
  path !== null && (path === folder || path.startsWith(`${folder}/`));

/** Where the files under `folder` import from, as "file -> target" lines, filtered by `bad`. */
function offending(
  folder: string,
  bad: (edge: ImportEdge) => boolean,
  from: readonly SourceFile[] = product,
): string[] {
  return from
    .filter((f) => under(folder)(f.path))
    .flatMap(importsOf)
    .filter(bad)
    .map((e) => `${e.from} -> ${e.specifier}`);
}

describe("the layout's import rules", () => {
  it("reads the tree (a rule over no files would pass for nothing)", () => {
    expect(product.length).toBeGreaterThan(150);
    expect(product.some((f) => f.path === "grader/engine/gradeSubmission.ts")).toBe(true);
  });

  it("has no cycle between folders", () => {
    expect(findCycles(folderGraph(files))).toEqual([]);
  });

  it("keeps the kit free of everything: no other folder, no package", () => {
    expect(
      offending(
        "reference/tensor",
        (e) => e.target === null || !under("reference/tensor")(e.target),
      ),
    ).toEqual([]);
  });

  it("lets the reference forwards import only the kit", () => {
    expect(
      offending(
        "reference/forward",
        (e) =>
          e.target === null ||
          !(under("reference/forward")(e.target) || under("reference/tensor")(e.target)),
      ),
    ).toEqual([]);
  });

  it("lets the staff solution import only gradmark/tensor, like a submission", () => {
    expect(
      offending(
        "reference/solution",
        (e) =>
          e.target === null
            ? e.specifier !== "gradmark/tensor"
            : !under("reference/solution")(e.target),
        files.filter((f) => !f.test),
      ),
    ).toEqual([]);
  });

  it("lets checks/ import only itself, the kit, fast-check and (for its matchers) vitest", () => {
    expect(
      offending("checks", (e) =>
        e.target === null
          ? !["fast-check", "vitest"].includes(e.specifier)
          : !(under("checks")(e.target) || under("reference/tensor")(e.target)),
      ),
    ).toEqual([]);
  });

  it("never lets the product import the staff solution or the test support", () => {
    const bad = (e: ImportEdge) =>
      under("reference/solution")(e.target) || under("testing")(e.target);
    expect(product.flatMap(importsOf).filter(bad)).toEqual([]);
  });

  it("lets only the CLI import the CLI, and nothing in the grader import its public entry", () => {
    const outsideCli = product.filter((f) => !under("grader/cli")(f.path));
    expect(
      outsideCli
        .flatMap(importsOf)
        .filter((e) => under("grader/cli")(e.target) || e.target === "grader/index.js")
        .map((e) => `${e.from} -> ${e.specifier}`),
    ).toEqual([]);
  });

  it("keeps the code that runs in the sandbox's child to the kit, the protocol and Node", () => {
    expect(
      offending("grader/sandbox/child", (e) =>
        e.target === null
          ? !e.specifier.startsWith("node:")
          : !["grader/sandbox/child", "grader/sandbox/protocol", "reference/tensor"].some((f) =>
              under(f)(e.target),
            ),
      ),
    ).toEqual([]);
  });

  it("catches a breach: the rules see an import of the solution from the grader", () => {
    const planted: SourceFile = {
      path: "grader/engine/planted.ts",
      test: false,
      text: 'import { Linear } from "../../reference/solution/layers.js";\n',
    };
    expect(importsOf(planted).filter((e) => under("reference/solution")(e.target))).toHaveLength(1);
    expect(
      findCycles(
        new Map([
          ["a", new Set(["b"])],
          ["b", new Set(["a"])],
        ]),
      ),
    ).toEqual([["a", "b", "a"]]);
  });
});
