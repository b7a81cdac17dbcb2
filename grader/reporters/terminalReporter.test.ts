import { describe, expect, it } from "vitest";
import { knockOnResult } from "../../testing/knockOnSample.js";
import { sampleResult } from "../../testing/sampleResult.js";
import type { GradeResult } from "../model/results.js";
import { markdownReporter } from "./markdownReporter.js";
import { replayCommand, terminalReporter } from "./terminalReporter.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escapes is the point.
const ANSI = /\u001b\[/;
const command = "npx gradmark check";

function render(result: GradeResult = sampleResult(), color = false, extra = {}) {
  return terminalReporter.render(result, { color, command, ...extra });
}

describe("terminalReporter", () => {
  it("has no escape sequences at all with colour off, even from the submission's output", () => {
    const text = render();
    expect(text).not.toMatch(ANSI);
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("\r");
  });

  it("colours statuses when asked", () => {
    const text = render(sampleResult(), true);
    expect(text).toMatch(ANSI);
    expect(text).toContain("\u001b[32m✔ passed"); // green
    expect(text).toContain("\u001b[31m✘ failed"); // red
    expect(text).toContain("\u001b[33m○ not implemented"); // yellow
    expect(text).toContain("\u001b[35m✘ timeout"); // magenta
    expect(text).toContain("\u001b[35m✘ crashed");
    // Without the escapes it is the same report.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping escapes.
    expect(text.replace(/\u001b\[\d+m/g, "")).toBe(render());
  });

  it("heads each problem with a score bar and lists each check with status, id, title, points", () => {
    const lines = render().split("\n");
    expect(lines[0]).toBe(
      "gradmark 0.1.0 · Automatic differentiation (autodiff) · check · seed 1234567",
    );
    expect(lines).toContain("Contractions and einsum        contractions  ██████░░░░    4/7");
    expect(lines).toContain("Layers (the simplified graph)  layers        █░░░░░░░░░   4/28");
    expect(lines).toContain("Computational graph engine     autograd      ██████████  30/30");
    expect(lines).toContain("Total                                        ██████░░░░  38/65");
    const line = (id: string) => lines.find((l) => l.includes(` ${id} `))!;
    expect(line("1.contract.values")).toBe(
      "  ✔ passed           1.contract.values          4/4  contract: values",
    );
    expect(line("3.linear.backward")).toBe(
      "  ✘ failed           3.linear.backward          0/6  Linear: gradients",
    );
    expect(line("3.bias.backward")).toMatch(/○ not implemented +3\.bias\.backward/);
    expect(line("3.softmax.backward")).toMatch(/✘ error +3\.softmax\.backward/);
    expect(line("3.sigmoid.forward")).toMatch(/✘ timeout +3\.sigmoid\.forward/);
    expect(line("3.network.gradcheck")).toMatch(/✘ memory limit +3\.network\.gradcheck/);
    expect(line("3.crossEntropy.backward")).toMatch(/✘ crashed +3\.crossEntropy\.backward/);
  });

  it("explains every check that did not pass, with its counterexample and replay command", () => {
    const text = render();
    expect(text).toContain(
      [
        "  ✘ failed: 1.batchedMatmul.values (batchedMatmul: values)",
        "      Y has the wrong shape: expected [1, 3], got [3, 1]",
        "      hint: the result looks transposed",
        "    counterexample:",
        "      X = [[1, 0]]  (shape [1, 2])",
        "      M = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])",
        "    replay: npx gradmark check --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
      ].join("\n"),
    );
    for (const id of ["3.linear.backward", "3.softmax.backward", "3.sigmoid.forward"]) {
      expect(text).toContain(`--only ${id}`);
    }
    // A crash without a counterexample still gets its message and replay line.
    expect(text).toContain(
      "  ✘ crashed: 3.crossEntropy.backward (CrossEntropy: gradients)\n      the child process exited (code 1) while running CrossEntropy.backward\n    replay: npx gradmark check --seed 1234567 --only 3.crossEntropy.backward\n",
    );
    // Passed and not-implemented checks get no detail block.
    expect(text).not.toContain("--only 1.contract.values");
    expect(text).not.toContain("--only 3.bias.backward");
  });

  it("summarises hidden checks skipped in check mode instead of listing them", () => {
    const text = render();
    expect(text).toContain("  ◌ 1 hidden check (3 pts) run at grading");
    expect(text).toContain("  ◌ 1 hidden check (2 pts) run at grading");
    expect(text).not.toContain("1.slideEinsum.values");
    expect(text).toContain("2 hidden checks run at grading");
  });

  it("frames the submission's output as the submission's, escaped, before the total", () => {
    const text = render();
    expect(text).toContain(
      [
        "┌─ output of your submission (stdout), captured while grading, not part of the grade",
        "│ debug: W shape [3, 2]",
        "│ \\x1b[32m✔ Total 70/70\\x1b[0m",
        "└─ end of submission stdout",
      ].join("\n"),
    );
    expect(text).toContain("│ warning from student code\n└─ end of submission stderr");
    expect(text.indexOf("end of submission stderr")).toBeLessThan(text.lastIndexOf("Total "));
    // The real total is the report's last score line.
    const lines = text.trimEnd().split("\n");
    expect(lines.at(-2)).toMatch(/^Total +██████░░░░ {2}38\/65$/);
    expect(lines.at(-1)).toBe(
      "  4 passed · 2 failed · 1 not implemented · 1 error · 1 timeout · 1 memory limit · 1 crashed · 2 hidden checks run at grading",
    );
  });

  it("leaves the output out with showOutput: false, and prints no block when there is none", () => {
    expect(render(sampleResult(), false, { showOutput: false })).not.toContain("output of your");
    const quiet = sampleResult();
    quiet.output = { stdout: "", stderr: "" };
    expect(render(quiet)).not.toContain("output of your");
  });

  it("says in one line when no check of a problem is implemented yet", () => {
    const result = sampleResult();
    for (const check of result.problems[1]!.checks) {
      if (check.status !== "skipped") check.status = "not-implemented";
    }
    const text = render(result);
    expect(text).toContain(
      "Layers (the simplified graph)  layers        █░░░░░░░░░   4/28\n  ○ not implemented  all 7 checks of this problem\n  ◌ 1 hidden check (2 pts) run at grading\n",
    );
    expect(text).not.toContain("3.linear.backward");
  });

  it("shows at most 40 lines of output, each cut at 300 characters", () => {
    const result = sampleResult();
    result.output.stdout = `${"x".repeat(500)}\n${Array.from({ length: 99 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
    const text = render(result);
    expect(text).toContain(`│ ${"x".repeat(300)} [line cut]\n│ line 1\n`);
    expect(text).toContain(
      "│ line 39\n│ [60 more lines not shown here; --format json has all the captured output]\n└─ end of submission stdout",
    );
    expect(text).not.toContain("line 40");
  });

  it("escapes control characters in messages too", () => {
    const result = sampleResult();
    result.problems[0]!.checks[1]!.message = "ok\r\u001b[2Kpassed \u202eevil";
    const text = render(result);
    expect(text).toContain("      ok\\x0d\\x1b[2Kpassed \\u202eevil");
  });

  it("replays with the folder and assignment the command names, quoting what needs it", () => {
    const result = sampleResult();
    const check = result.problems[1]!.checks[1]!;
    expect(replayCommand(result, check, { command: "npx gradmark grade 'my hw'" })).toBe(
      "npx gradmark grade 'my hw' --seed 1234567 --only 3.linear.backward --path 12:0",
    );
    check.replay = { seed: -5, only: "x y" };
    expect(replayCommand(result, check, { command })).toBe(
      "npx gradmark check --seed=-5 --only 'x y'",
    );
    check.replay = null;
    expect(replayCommand(result, check, { command })).toBe(
      "npx gradmark check --seed 1234567 --only 3.linear.backward",
    );
  });

  it("prints $GRADMARK_SEED instead of a secret seed", () => {
    const result = sampleResult();
    result.mode = "grade";
    const text = render(result, false, { redactSeed: true, command: "npx gradmark grade" });
    expect(text).not.toContain("1234567");
    expect(text).toContain("seed from $GRADMARK_SEED");
    expect(text).toContain('npx gradmark grade --seed "$GRADMARK_SEED" --only 3.linear.backward');
  });

  it("shows problems left out by --only as not selected", () => {
    const result = sampleResult();
    result.mode = "grade";
    result.hiddenSkipped = 0;
    for (const check of result.problems[2]!.checks) check.status = "skipped";
    result.problems[0]!.checks[2]!.hidden = false;
    const text = render(result);
    expect(text).toContain(
      "\nNot selected by --only: Computational graph engine (autograd)\n\n┌─ output of your submission",
    );
    expect(text).not.toMatch(/^Computational graph engine +autograd/m);
    expect(text).toContain("  – 1 more check not selected by --only");
    expect(text).toContain("4 not selected");
  });

  it("handles fractional points and an empty assignment", () => {
    const result = sampleResult();
    result.problems[0]!.checks[0]!.score = 2.5;
    result.problems[0]!.checks[0]!.maxScore = 2.5;
    expect(render(result)).toContain(
      "  ✔ passed           1.contract.values        2.5/2.5  contract: values\n",
    );
    const empty = sampleResult();
    empty.problems = [];
    empty.score = 0;
    empty.maxScore = 0;
    empty.hiddenSkipped = 0;
    expect(render(empty)).toContain("Total  ░░░░░░░░░░  0/0");
  });
});

describe("terminalReporter and knock-on failures", () => {
  const text = render(knockOnResult());
  const lines = text.split("\n");

  it("gives the failure a knock-on waits for one block, with one line listing what it also costs", () => {
    const headers = lines.filter((l) => /^ {2}✘ \w+: /.test(l));
    expect(headers).toEqual([
      "  ✘ failed: 3.Linear.backward (Linear: gradients)",
      "  ✘ failed: 5.einsum.repeated (einsum: repeated indices) — passes on its own, but counts only with 5.einsum.backward (not implemented)",
    ]);
    const start = lines.indexOf(headers[0]!);
    const block = lines.slice(start, lines.indexOf("", start));
    expect(block.at(-1)).toBe(
      "    also costs: 3.Linear.shapes (0.5), 3.Linear.immutable (0.5) — they pass on their own but count only with this check",
    );
    expect(text).not.toContain("passes on its own, but earns its points only together with");
    expect(text.match(/replay:/g)).toHaveLength(1);
  });

  it("keeps the knock-ons' status lines, marked with what they need", () => {
    expect(lines).toContain(
      "  ✘ failed           3.Linear.shapes     0/0.5  Linear: gradient shapes (needs 3.Linear.backward)",
    );
    expect(lines.find((l) => l.includes(" 5.einsum.repeated "))).toMatch(
      /^ {2}✘ failed +5\.einsum\.repeated +0\/1 +einsum: repeated indices \(needs 5\.einsum\.backward\)$/,
    );
    expect(lines.at(-2)).toBe("  1 passed · 4 failed · 1 not implemented");
  });

  it("colours the mark dim and is otherwise the same report", () => {
    const coloured = render(knockOnResult(), true);
    expect(coloured).toContain("\u001b[2m(needs 3.Linear.backward)\u001b[22m");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping escapes.
    expect(coloured.replace(/\u001b\[\d+m/g, "")).toBe(text);
  });

  it("lists knock-ons under a hidden check's withheld failure, and leaves hidden knock-ons alone", () => {
    const result = knockOnResult();
    result.mode = "grade";
    const [, backward, shapes] = result.problems[0]!.checks;
    Object.assign(backward!, {
      hidden: true,
      message: "failed (hidden check: its inputs, output and details are not shown)",
      counterexample: null,
      replay: null,
    });
    // A hidden knock-on has only the generic message: it is an ordinary failure to the reports.
    Object.assign(shapes!, {
      hidden: true,
      message: "failed (hidden check: its inputs, output and details are not shown)",
    });
    const hiddenText = render(result);
    expect(hiddenText).toContain(
      [
        "  ✘ failed: 3.Linear.backward (Linear: gradients)",
        "      failed (hidden check: its inputs, output and details are not shown)",
        "    also costs: 3.Linear.immutable (0.5) — it passes on its own but counts only with this check",
      ].join("\n"),
    );
    expect(hiddenText).toContain("  ✘ failed: 3.Linear.shapes (Linear: gradient shapes)\n");
    const md = markdownReporter.render(result, { color: false, command });
    expect(md).toContain(
      "Also costs: <code>3.Linear.immutable</code> (0.5) — it passes on its own but counts only with this check.",
    );
  });

  it("says what a knock-on waits for besides the check it is listed under", () => {
    const result = knockOnResult();
    const shapes = result.problems[0]!.checks[2]!;
    shapes.message = shapes.message.replace(
      "3.Linear.backward,",
      "3.Linear.backward, 3.Linear.forward,",
    );
    expect(render(result)).toContain(
      "also costs: 3.Linear.shapes (0.5, also needs 3.Linear.forward), 3.Linear.immutable (0.5) — they pass",
    );
  });
});
