import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import { containsWorkflowCommand } from "../integrations/githubActions.js";
import type { CheckStatus, GradeResult } from "../model/results.js";
import { junitReporter, xmlAttr, xmlText } from "./junitReporter.js";

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

/** Text a hostile submission could get into a report: markup, CDATA ends, controls, commands. */
const HOSTILE = [
  `a]]>b <script>alert("x")</script> &amp; 'single' "double" <![CDATA[ x ]]>`,
  "controls \u0000\u0007\u0008\u000b\u000c\u001b[31mred\u001b[0m \u007f\u0085 \u202eevil",
  "lone \ud800 surrogates \udc00 and \ufffe\uffff, a real pair 😀",
  "::error::forged",
  "  ::set-output name=score::100",
  "##[error]old syntax",
  "\u200b::warning::zero width",
  "windows\r\nline\rbreaks",
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
  result.problems[1]!.title = `Layers "<b>" & ]]> ::error::x`;
  result.output = { stdout: `${HOSTILE}\n`, stderr: HOSTILE };
  return result;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  processEntities: { maxTotalExpansions: 1e6, maxExpandedLength: 1e8 },
  isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
});

// biome-ignore lint/suspicious/noExplicitAny: the parsed XML is checked field by field.
type Node = any;

function parse(xml: string): Node {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml);
}

/** Characters XML 1.0 does not allow at all (not even as references). */
const NOT_XML_10 =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const EXPECTED: Record<CheckStatus, { element?: "failure" | "error" | "skipped"; type?: string }> =
  {
    passed: {},
    failed: { element: "failure", type: "failed" },
    "not-implemented": { element: "failure", type: "not-implemented" },
    error: { element: "error", type: "error" },
    timeout: { element: "error", type: "timeout" },
    "memory-limit": { element: "error", type: "memory-limit" },
    crashed: { element: "error", type: "crashed" },
    skipped: { element: "skipped" },
  };

describe("junit reporter", () => {
  it("is registered as junit", () => {
    expect(junitReporter.name).toBe("junit");
  });

  it("renders the README's example", () => {
    const readme = readFileSync(fileURLToPath(new URL("./README.md", import.meta.url)), "utf8");
    const example = /```xml\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(junitReporter.render(readmeResult(), options)).toBe(example);
  });

  it("writes testsuites > testsuite per problem > testcase per check, counted", () => {
    const result = sampleResult();
    const xml = junitReporter.render(result, options);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const doc = parse(xml);
    const root = doc.testsuites;
    expect(root).toMatchObject({ tests: "13", failures: "3", errors: "4", skipped: "2" });
    expect(root.time).toBe("3.120");
    expect(root.name).toBe("gradmark check: Automatic differentiation (autodiff)");
    expect(root.testsuite).toHaveLength(result.problems.length);

    result.problems.forEach((problem, i) => {
      const suite = root.testsuite[i];
      const statuses = problem.checks.map((c) => EXPECTED[c.status].element);
      expect(suite).toMatchObject({
        name: `${problem.id}: ${problem.title}`,
        tests: String(problem.checks.length),
        failures: String(statuses.filter((s) => s === "failure").length),
        errors: String(statuses.filter((s) => s === "error").length),
        skipped: String(statuses.filter((s) => s === "skipped").length),
      });
      expect(suite.time).toMatch(/^\d+\.\d{3}$/);
      const props = Object.fromEntries(
        suite.properties.property.map((p: Node) => [p.name, p.value]),
      );
      expect(props).toMatchObject({
        problem: problem.id,
        module: problem.module,
        score: String(problem.score),
        maxScore: String(problem.maxScore),
        seed: "1234567",
        mode: "check",
      });
      expect(suite.testcase).toHaveLength(problem.checks.length);
      problem.checks.forEach((check, j) => {
        const testcase = suite.testcase[j];
        expect(testcase.name).toBe(`${check.id}: ${check.title}`);
        expect(testcase.classname).toBe(`autodiff.${problem.module}`);
        expect(testcase.time).toBe((check.durationMs / 1000).toFixed(3));
        const { element, type } = EXPECTED[check.status];
        for (const other of ["failure", "error", "skipped"]) {
          if (other !== element) expect(testcase[other], `${check.id} ${other}`).toBeUndefined();
        }
        if (element === "skipped") {
          expect(testcase.skipped.message).toContain("hidden check");
        } else if (element !== undefined) {
          expect(testcase[element].type).toBe(type);
          expect(testcase[element].message).toBe(check.message);
          expect(testcase[element]["#text"]).toContain(check.message);
        }
      });
    });
  });

  it("puts the counterexample and the replay command in the failure's text", () => {
    const doc = parse(junitReporter.render(sampleResult(), options));
    const failed = doc.testsuites.testsuite[0].testcase[1];
    expect(failed.failure["#text"]).toBe(
      [
        "Y has the wrong shape: expected [1, 3], got [3, 1]",
        "hint: the result looks transposed",
        "",
        "counterexample:",
        "X = [[1, 0]]  (shape [1, 2])",
        "M = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])",
        "",
        "replay: npx gradmark check --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
      ].join("\n"),
    );
  });

  it("puts the submission's output in the first suite, escaped, unless showOutput is false", () => {
    const doc = parse(junitReporter.render(sampleResult(), options));
    const [first, second] = doc.testsuites.testsuite;
    expect(first["system-out"]).toContain("debug: W shape [3, 2]\n\\x1b[32m✔ Total 70/70");
    expect(first["system-err"]).toContain("warning from student code");
    expect(second["system-out"]).toBeUndefined();
    const quiet = junitReporter.render(sampleResult(), { ...options, showOutput: false });
    expect(quiet).not.toContain("system-out");
    expect(quiet).not.toContain("debug: W shape");
  });

  it("marks checks left out by --only as skipped for that reason", () => {
    const result = sampleResult();
    result.mode = "grade";
    const doc = parse(junitReporter.render(result, options));
    expect(doc.testsuites.testsuite[0].testcase[2].skipped.message).toBe("not selected by --only");
  });

  it("keeps a secret seed out of the file", () => {
    const xml = junitReporter.render(sampleResult(), { ...options, redactSeed: true });
    expect(xml).not.toContain("1234567");
    expect(xml).toContain("--seed &quot;$GRADMARK_SEED&quot;");
  });

  describe("hostile text", () => {
    const result = hostileResult();
    const xml = junitReporter.render(result, options);
    const doc = parse(xml);

    it("is valid XML 1.0: no forbidden character, no markup or CDATA from the text", () => {
      expect(xml).not.toMatch(NOT_XML_10);
      expect(xml).not.toContain("<script");
      expect(xml).not.toContain("]]>");
      expect(xml).not.toContain("<![CDATA[");
      expect(xml).not.toContain("\r");
      // Only our own elements.
      const tags = new Set([...xml.matchAll(/<\/?([A-Za-z?][\w-]*)/g)].map((m) => m[1]));
      expect([...tags].sort()).toEqual(
        [
          "?xml",
          "error",
          "failure",
          "properties",
          "property",
          "skipped",
          "system-err",
          "system-out",
          "testcase",
          "testsuite",
          "testsuites",
        ].sort(),
      );
    });

    it("keeps the structure: the same suites, cases and counts as without the hostile text", () => {
      const plain = parse(junitReporter.render(sampleResult(), options));
      const shape = (d: Node) =>
        d.testsuites.testsuite.map((s: Node) => ({
          counts: [s.tests, s.failures, s.errors, s.skipped],
          cases: s.testcase.map((c: Node) =>
            Object.keys(c)
              .filter((k) => ["failure", "error", "skipped"].includes(k))
              .join(),
          ),
        }));
      expect(shape(doc)).toEqual(shape(plain));
    });

    it("reads back as the text, with controls and non-XML characters made visible", () => {
      const failure = doc.testsuites.testsuite[1].testcase[1].failure;
      for (const text of [failure.message, failure["#text"]]) {
        expect(text).toContain(`a]]>b <script>alert("x")</script> &amp; 'single' "double"`);
        expect(text).toContain("::error::forged");
        expect(text).toContain("##[error]old syntax");
        expect(text).toContain(
          "controls \\x00\\x07\\x08\\x0b\\x0c\\x1b[31mred\\x1b[0m \\x7f\\x85 \\u202eevil",
        );
        expect(text).toContain(
          "lone \\ud800 surrogates \\udc00 and \\ufffe\\uffff, a real pair 😀",
        );
        expect(text).toContain("windows\nline\\x0dbreaks");
      }
      expect(doc.testsuites.testsuite[1].name).toBe(`layers: Layers "<b>" & ]]> ::error::x`);
      expect(doc.testsuites.testsuite[0]["system-out"]).toContain("::error::forged");
    });

    it("holds no GitHub Actions workflow command, even printed in a CI log", () => {
      expect(containsWorkflowCommand(xml)).toBe(false);
      for (const line of xml.split("\n")) {
        expect(line.trimStart().startsWith("::"), line).toBe(false);
        expect(line, line).not.toContain("##[");
      }
    });
  });

  it("escapes text and attributes", () => {
    expect(xmlText(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(xmlText("x\n  ::cmd::y\n##[cmd]")).toBe("x\n  &#58;:cmd::y\n&#35;&#35;[cmd]");
    expect(xmlAttr("a\n\tb")).toBe("a&#10;&#9;b");
  });
});
