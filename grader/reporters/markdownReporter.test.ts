import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { knockOnResult } from "../../testing/knockOnSample.js";
import { sampleResult } from "../../testing/sampleResult.js";
import type { GradeResult } from "../model/results.js";
import { markdownReporter, mdFence, mdInline } from "./markdownReporter.js";

const options = { color: false, command: "npx gradmark check" };

/** The README's example: the first problem of the sample, as in the JSON example. */
function readmeResult(): GradeResult {
  const result = sampleResult();
  result.problems = [result.problems[0]!];
  result.score = 4;
  result.maxScore = 7;
  result.hiddenSkipped = 1;
  result.output = { stdout: "debug: W shape [3, 2]\n", stderr: "" };
  return result;
}

/** Text that tries to break out of a fence, a table, a details block, or inject HTML. */
const HOSTILE = [
  "```",
  "````js",
  "</details>",
  "<script>alert(1)</script><img src=x onerror=alert(2)>",
  "| fake | row |",
  "::error::forged",
  "## fake heading",
  "\u001b[32m✔ Total 100/100\u001b[0m\r",
  "~~~",
].join("\n");

function hostileResult(): GradeResult {
  const result = sampleResult();
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status === "passed" || check.status === "skipped") continue;
      check.message = `${check.message}\n${HOSTILE}`;
      if (check.counterexample !== null) check.counterexample += `\n${HOSTILE}`;
    }
  }
  result.problems[1]!.title = "Layers | <b>bold</b> `code` *em* [link](http://x) \n next";
  result.problems[1]!.checks[1]!.title = "grad | </summary></details><script>x</script>";
  result.output = { stdout: HOSTILE, stderr: "" };
  return result;
}

interface Block {
  fence: string;
  lines: string[];
}

/**
 * Splits Markdown the way CommonMark finds fenced code: a fence opens with 3+ backticks (or
 * tildes) and closes only with a run of the same character at least as long, alone on its line.
 */
function split(markdown: string): { outside: string[]; blocks: Block[] } {
  const outside: string[] = [];
  const blocks: Block[] = [];
  let open: Block | null = null;
  for (const line of markdown.split("\n")) {
    if (open === null) {
      const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (m) {
        open = { fence: m[1]!, lines: [] };
        blocks.push(open);
      } else {
        outside.push(line);
      }
    } else {
      const close = new RegExp(`^ {0,3}${open.fence[0]}{${open.fence.length},}\\s*$`);
      if (close.test(line)) open = null;
      else open.lines.push(line);
    }
  }
  expect(open, "every fence is closed").toBeNull();
  return { outside, blocks };
}

/** Unescaped `|` separate table cells. */
const cells = (row: string) => row.split("|").length - 2;

describe("markdown reporter", () => {
  it("is registered as markdown", () => {
    expect(markdownReporter.name).toBe("markdown");
  });

  it("renders the README's example", () => {
    const readme = readFileSync(fileURLToPath(new URL("./README.md", import.meta.url)), "utf8");
    const example = /````text\n([\s\S]*?)````/.exec(readme)![1]!;
    expect(markdownReporter.render(readmeResult(), options)).toBe(example);
  });

  it("starts with the total and a summary table, one row per problem", () => {
    const md = markdownReporter.render(sampleResult(), options);
    const lines = md.split("\n");
    expect(lines[0]).toBe("## gradmark: Automatic differentiation: 38/65");
    expect(lines[2]).toBe(
      "check · seed 1234567 · gradmark 0.1.0 · assignment <code>autodiff</code>",
    );
    expect(lines.slice(4, 10)).toEqual([
      "| | Problem | Score |",
      "| :-: | :-- | --: |",
      "| 🟡 | Contractions and einsum <code>contractions</code> | 4/7 |",
      "| 🟡 | Layers (the simplified graph) <code>layers</code> | 4/28 |",
      "| ✅ | Computational graph engine <code>autograd</code> | 30/30 |",
      "| | **Total** | **38/65** |",
    ]);
    expect(lines[11]).toBe(
      "✅ 4 passed · ❌ 2 failed · 🚧 1 not implemented · 💥 1 error · ⏱️ 1 timeout · 💾 1 memory limit · 💀 1 crashed · 🙈 2 hidden checks run at grading",
    );
  });

  it("lists every check with its status emoji and points", () => {
    const md = markdownReporter.render(sampleResult(), options);
    for (const row of [
      "| ✅ | <code>1.contract.values</code> contract: values | passed | 4/4 |",
      "| ❌ | <code>1.batchedMatmul.values</code> batchedMatmul: values | failed | 0/3 |",
      "| 🙈 | <code>1.slideEinsum.values</code> slideEinsum: values | hidden: runs at grading | –/3 |",
      "| 🚧 | <code>3.bias.backward</code> Bias: gradients | not implemented | 0/4 |",
      "| 💥 | <code>3.softmax.backward</code> SoftMax: gradients | error | 0/5 |",
      "| ⏱️ | <code>3.sigmoid.forward</code> Sigmoid: forward values | timeout | 0/3 |",
      "| 💀 | <code>3.crossEntropy.backward</code> CrossEntropy: gradients | crashed | 0/4 |",
      "| 💾 | <code>3.network.gradcheck</code> networks of layers: end-to-end gradient check | memory limit | 0/2 |",
      "| ✅ | <code>4.chain</code> long chains in linear time | passed | 15/15 |",
    ]) {
      expect(md).toContain(`\n${row}\n`);
    }
    expect(md).toContain("\n### 🟡 Layers (the simplified graph) <code>layers</code>: 4/28\n");
  });

  it("explains each failure in a details block: message, counterexample, replay", () => {
    const md = markdownReporter.render(sampleResult(), options);
    // failed x2, error, timeout, crashed, memory-limit; not-implemented says it all in its row.
    expect(md.match(/^<details><summary>/gm)).toHaveLength(6 + 2);
    expect(md).toContain(
      [
        "<details><summary>❌ <code>1.batchedMatmul.values</code> failed: batchedMatmul: values</summary>",
        "",
        "```text",
        "Y has the wrong shape: expected [1, 3], got [3, 1]",
        "hint: the result looks transposed",
        "```",
        "",
        "Counterexample:",
        "",
        "```text",
        "X = [[1, 0]]  (shape [1, 2])",
        "M = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])",
        "```",
        "",
        "Replay:",
        "",
        "```sh",
        "npx gradmark check --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
        "```",
        "",
        "</details>",
      ].join("\n"),
    );
    expect(md).toContain("<details><summary>Output of the submission (stdout)");
    expect(md).toContain("\\x1b[32m✔ Total 70/70\\x1b[0m");
  });

  it("redacts a secret seed and leaves out the output when asked", () => {
    const md = markdownReporter.render(sampleResult(), {
      ...options,
      redactSeed: true,
      showOutput: false,
    });
    expect(md).not.toContain("1234567");
    expect(md).toContain("seed from <code>&#36;GRADMARK&#95;SEED</code>");
    expect(md).toContain('--seed "$GRADMARK_SEED"');
    expect(md).not.toContain("Output of the submission");
  });

  it("says which problems --only left out", () => {
    const result = sampleResult();
    result.mode = "grade";
    for (const check of result.problems[2]!.checks) check.status = "skipped";
    const md = markdownReporter.render(result, options);
    expect(md).toContain("| ⏭️ | Computational graph engine <code>autograd</code> | not selected |");
    expect(md).not.toContain("### ⏭️ Computational graph engine");
    expect(md).toContain(
      "| ⏭️ | <code>1.slideEinsum.values</code> slideEinsum: values | not selected (--only) | –/3 |",
    );
  });

  it("cuts long output", () => {
    const result = sampleResult();
    result.output.stdout = Array.from({ length: 150 }, (_, i) => `line ${i}`).join("\n");
    const md = markdownReporter.render(result, options);
    expect(md).toContain("line 99\n```");
    expect(md).not.toContain("line 100");
    expect(md).toContain("50 more lines not shown here");
  });

  describe("hostile text", () => {
    const result = hostileResult();
    const md = markdownReporter.render(result, options);
    const { outside, blocks } = split(md);

    it("stays inside its fences: fences are longer than any backtick run in them", () => {
      const hostileBlocks = blocks.filter((b) => b.lines.includes("::error::forged"));
      // failed x2, error, timeout, memory-limit: message and counterexample; crashed: message;
      // the output.
      expect(hostileBlocks.length).toBe(2 * 5 + 1 + 1);
      for (const block of hostileBlocks) {
        expect(block.fence).toBe("`````");
        expect(block.lines).toContain("```");
        expect(block.lines).toContain("````js");
        expect(block.lines).toContain("</details>");
      }
    });

    it("never reaches the Markdown outside fences: no HTML, no extra rows, no headings", () => {
      const text = outside.join("\n");
      expect(text).not.toMatch(/<script|<img|<b>|onerror=/);
      expect(text).not.toContain("::error::forged");
      expect(text).not.toContain("## fake heading");
      expect(text).not.toContain("\u001b");
      expect(text).not.toContain("\r");
      // Our own details blocks only, balanced.
      const opened = outside.filter((l) => l.startsWith("<details>")).length;
      expect(outside.filter((l) => l === "</details>")).toHaveLength(opened);
      expect(outside.filter((l) => l.includes("details>"))).toHaveLength(2 * opened);
      // Table rows keep their column count.
      for (const line of outside.filter((l) => l.startsWith("|"))) {
        expect([3, 4], line).toContain(cells(line));
      }
      expect(md).toContain(
        "| 🟡 | Layers &#124; &lt;b&gt;bold&lt;/b&gt; &#96;code&#96; &#42;em&#42; &#91;link&#93;(http://x) next <code>layers</code> | 4/28 |",
      );
      expect(md).toContain(
        "<details><summary>❌ <code>3.linear.backward</code> failed: grad &#124; &lt;/summary&gt;&lt;/details&gt;&lt;script&gt;x&lt;/script&gt;</summary>",
      );
    });

    it("shows control characters as escapes inside fences", () => {
      expect(md).toContain("\\x1b[32m✔ Total 100/100\\x1b[0m\n");
    });
  });

  it("escapes inline text and builds fences that the text cannot close", () => {
    expect(mdInline("a|b `c` <d> & *e* _f_ [g] \\ ~h~ #1 $x$")).toBe(
      "a&#124;b &#96;c&#96; &lt;d&gt; &amp; &#42;e&#42; &#95;f&#95; &#91;g&#93; &#92; &#126;h&#126; &#35;1 &#36;x&#36;",
    );
    expect(mdInline("two\n  lines\r\n")).toBe("two lines");
    expect(mdFence("plain")).toBe("```text\nplain\n```");
    expect(mdFence("a ``` b\n`````", "sh")).toBe("``````sh\na ``` b\n`````\n``````");
  });
});

describe("markdown reporter and knock-on failures", () => {
  const md = markdownReporter.render(knockOnResult(), options);
  const lines = md.split("\n");

  it("gives the failure a knock-on waits for one details block, with a line listing what it also costs", () => {
    const summaries = lines.filter((l) => l.startsWith("<details><summary>❌"));
    expect(summaries).toEqual([
      "<details><summary>❌ <code>3.Linear.backward</code> failed: Linear: gradients</summary>",
    ]);
    const start = lines.indexOf(summaries[0]!);
    const block = lines.slice(start, lines.indexOf("</details>", start) + 1);
    expect(block.at(-3)).toBe(
      "Also costs: <code>3.Linear.shapes</code> (0.5), <code>3.Linear.immutable</code> (0.5) — they pass on their own but count only with this check.",
    );
    expect(md).not.toContain("passes on its own, but earns its points only together with");
    expect(md.match(/^Replay:$/gm)).toHaveLength(1);
  });

  it("keeps the knock-ons' table rows, marked with what they need", () => {
    expect(lines).toContain(
      "| ❌ | <code>3.Linear.shapes</code> Linear: gradient shapes | failed (needs <code>3.Linear.backward</code>) | 0/0.5 |",
    );
  });

  it("mentions in one line a knock-on whose check has no details block", () => {
    expect(lines).toContain(
      "❌ <code>5.einsum.repeated</code> failed: passes on its own, but counts only with <code>5.einsum.backward</code> (not implemented).",
    );
  });
});
