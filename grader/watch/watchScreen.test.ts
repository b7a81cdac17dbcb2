import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import type { ProblemResult } from "../model/results.js";
import { loadFailure, MAX_BLOCKS, renderWatchScreen, type WatchView } from "./watchScreen.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escapes is the point.
const ANSI = /\u001b\[/;

function view(overrides: Partial<WatchView> = {}): WatchView {
  const result = sampleResult();
  return {
    assignment: result.assignment,
    seed: result.seed,
    pinnedSeed: false,
    problems: result.problems.map((p) => ({
      id: p.id,
      title: p.title,
      module: p.module,
      result: p,
    })),
    fresh: new Set(["layers"]),
    output: result.output,
    status: "graded problem layers after src/layers.ts changed · 0.21 s · 12:00:00",
    running: null,
    error: null,
    interactive: true,
    watching: "src/",
    ...overrides,
  };
}

const render = (v: WatchView, color = false) =>
  renderWatchScreen(v, { color, command: "npx gradmark check" });

/** A problem whose module does not compile, as gradeSubmission reports it. */
function notCompiling(): ProblemResult {
  const message =
    'src/layers could not be loaded:\nsrc/layers.ts:40:22: Expected identifier but found "{"';
  return {
    id: "layers",
    title: "Layers",
    module: "layers",
    score: 0,
    maxScore: 3,
    checks: ["3.a", "3.b", "3.c"].map((id) => ({
      id,
      title: `title of ${id}`,
      status: "error" as const,
      score: 0,
      maxScore: 1,
      hidden: false,
      message,
      counterexample: null,
      replay: { seed: 1, only: id },
      runs: 0,
      durationMs: 0,
    })),
  };
}

describe("renderWatchScreen", () => {
  it("lists every problem, the total, the seed and the keys", () => {
    const screen = render(view());
    expect(screen).toMatch(
      /^gradmark check --watch · Automatic differentiation \(autodiff\) · seed 1234567 \(the same cases until you press a\)\n/,
    );
    for (const title of ["Contractions and einsum", "Layers (the simplified graph)", "Total"]) {
      expect(screen).toContain(title);
    }
    expect(screen).toMatch(/layers +Layers \(the simplified graph\) .*← just graded/);
    expect(screen).toContain("hidden check");
    expect(screen).toContain(" DONE  graded problem layers after src/layers.ts changed");
    expect(screen).toContain(
      "press a to re-run all with a new seed, f to re-run what failed, q to quit",
    );
  });

  it("shows the failures of the problems just graded first, at most MAX_BLOCKS, with replays", () => {
    const screen = render(view());
    const blocks = screen.match(/^[✘] [a-z ]+: /gm) ?? [];
    expect(blocks).toHaveLength(MAX_BLOCKS);
    expect(blocks[0]).toBe("✘ failed: ");
    expect(screen).toContain("3.linear.backward");
    expect(screen).toContain(
      "replay: npx gradmark check --seed 1234567 --only 3.linear.backward --path 12:0",
    );
    expect(screen).toMatch(
      /… and \d+ more failing checks?: `npx gradmark check --seed 1234567` shows every one/,
    );
    // The contractions failure comes after the layers ones: it is not shown.
    expect(screen).not.toContain(
      "replay: npx gradmark check --seed 1234567 --only 1.batchedMatmul",
    );
  });

  it("shows a module that does not compile once, with the compiler's message", () => {
    const problem = notCompiling();
    expect(loadFailure(problem)).toContain("src/layers.ts:40:22");
    const screen = render(
      view({ problems: [{ id: "layers", title: "Layers", module: "layers", result: problem }] }),
    );
    expect(screen).toContain("does not load");
    expect(screen).toContain(
      '✘ layers Layers: src/layers could not be loaded:\n    src/layers.ts:40:22: Expected identifier but found "{"\n  none of its 3 checks ran',
    );
    expect(screen.match(/Expected identifier/g)).toHaveLength(1);
  });

  it("is readable without colour, and coloured only when asked", () => {
    expect(render(view())).not.toMatch(ANSI);
    expect(render(view(), true)).toMatch(ANSI);
    const plain = render(view({ running: "grading problem layers after src/layers.ts changed" }));
    expect(plain).toContain(" RUNNING  grading problem layers after src/layers.ts changed…");
    expect(plain).toMatch(/^ {2}✘ layers/m);
  });

  it("escapes what the submission printed and keeps only its last lines", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const screen = render(
      view({ output: { stdout: `\u001b[2Jfake\n${lines.join("\n")}\n`, stderr: "" } }),
    );
    expect(screen).not.toMatch(ANSI);
    expect(screen).toContain("│ line 29");
    expect(screen).not.toContain("│ line 0\n");
    expect(screen).toContain("earlier lines");
  });

  it("says when the grader could not grade, and what the seed and keys are without a terminal", () => {
    const screen = render(
      view({ error: "esbuild stopped", interactive: false, pinnedSeed: true, fresh: new Set() }),
    );
    expect(screen).toContain("✘ could not grade: esbuild stopped");
    expect(screen).toContain("seed 1234567 (fixed by --seed)");
    expect(screen).toContain("Ctrl-C to quit");
    expect(screen).not.toContain("just graded");
  });
});
