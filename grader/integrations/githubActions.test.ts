import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeIO } from "../cli/fakes.js";
import type { GradeResult } from "../model/results.js";
import { junitReporter } from "../reporters/junitReporter.js";
import { markdownReporter } from "../reporters/markdownReporter.js";
import { sampleResult } from "../reporters/sampleResult.js";
import {
  annotationPath,
  annotations,
  containsWorkflowCommand,
  emitGitHubActions,
  escapeData,
  escapeProperty,
  escapeWorkflowCommands,
  exportLine,
  findModuleFile,
  inGitHubActions,
  protectOutput,
  protectReport,
  stepSummary,
  stopToken,
} from "./githubActions.js";

const TOKEN = "gradmark-0123456789abcdef";

/** Lines a submission could print or throw to issue workflow commands. */
const ATTACKS = [
  "::error::forged",
  "::set-output name=score::100",
  "   ::warning file=x.ts::indented",
  "\t::add-mask::secret",
  "\u200b::error::zero width first",
  ":\u200b:error::zero width between",
  "##[error]old syntax",
  "look: ##[set-output name=score;]100",
  "#\u200b#[error]zero width in the old syntax",
  `::${TOKEN}::`,
  `::stop-commands::${TOKEN}`,
];

function hostileResult(): GradeResult {
  const result = sampleResult();
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status === "passed" || check.status === "skipped") continue;
      check.message = `${check.message}\n${ATTACKS.join("\n")}\r\n::error::after CRLF\rlone CR`;
    }
  }
  result.output = { stdout: ATTACKS.join("\n"), stderr: ATTACKS.join("\r") };
  return result;
}

const madeFolders: string[] = [];
afterAll(() => {
  for (const dir of madeFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A submission folder: src/contractions.ts declares batchedMatmul on line 3; layers is JS. */
function submission(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradmark-gha-"));
  madeFolders.push(dir);
  mkdirSync(join(dir, "src"));
  writeFileSync(
    join(dir, "src", "contractions.ts"),
    "// contractions\nexport function contract() {}\nexport function batchedMatmul() {}\n",
  );
  writeFileSync(
    join(dir, "src", "layers.js"),
    "export class Linear {}\n\nexport class Bias {}\nexport const SoftMax = 1;\n",
  );
  return dir;
}

const FAILING = 7; // failed x2, not-implemented, error, timeout, crashed, memory-limit

describe("workflow-command escaping", () => {
  it("escapes data and properties as the runner unescapes them", () => {
    expect(escapeData("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext: a,b");
    expect(escapeProperty("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext%3A a%2Cb");
  });

  it("finds commands where the runner looks for them", () => {
    for (const attack of ATTACKS) expect(containsWorkflowCommand(attack), attack).toBe(true);
    expect(containsWorkflowCommand("ok\r::error::after a lone CR")).toBe(true);
    for (const safe of [
      "│ ::error::framed",
      "a :: b",
      "# heading [x]",
      "\\::error::x",
      "##\\[x]",
    ]) {
      expect(containsWorkflowCommand(safe), safe).toBe(false);
    }
  });

  it("defuses exactly the lines that hold a command, visibly", () => {
    expect(escapeWorkflowCommands("  ::error::x\nfine\nsee ##[error]y")).toBe(
      "  \\::error::x\nfine\nsee ##\\[error]y",
    );
    for (const attack of ATTACKS) {
      const escaped = escapeWorkflowCommands(attack);
      expect(containsWorkflowCommand(escaped), escaped).toBe(false);
    }
    const text = "plain\r\nwindows\rold mac\n";
    expect(escapeWorkflowCommands(text)).toBe(text);
  });

  it("frames output with stop-commands and a random token, escaped inside", () => {
    const framed = protectOutput(ATTACKS.join("\n"), TOKEN);
    const lines = framed.split("\n");
    expect(lines[0]).toBe(`::stop-commands::${TOKEN}`);
    expect(lines.at(-2)).toBe(`::${TOKEN}::`);
    expect(lines.at(-1)).toBe("");
    // Even a line that knows the token cannot resume commands early.
    expect(containsWorkflowCommand(lines.slice(1, -2).join("\n"))).toBe(false);
    expect(protectOutput("", TOKEN)).toBe(`::stop-commands::${TOKEN}\n::${TOKEN}::\n`);
    expect(() => protectOutput("x", "short")).toThrow(/token/);
    expect(stopToken()).toMatch(/^gradmark-[0-9a-f]{32}$/);
    expect(stopToken()).not.toBe(stopToken());
  });

  it("frames reports for people, keeps JSON and JUnit byte-exact and inert", () => {
    const result = hostileResult();
    expect(protectReport("report\n::error::x\n", "terminal", TOKEN)).toEqual({
      text: `::stop-commands::${TOKEN}\nreport\n\\::error::x\n::${TOKEN}::\n`,
      framed: true,
    });

    const json = `${JSON.stringify(result, null, 2)}\n`;
    const fromJson = protectReport(json, "json", TOKEN);
    expect(fromJson.framed).toBe(false);
    expect(JSON.parse(fromJson.text)).toEqual(result);
    expect(containsWorkflowCommand(fromJson.text)).toBe(false);

    const plain = '{\n  "title": "problem #1"\n}\n';
    expect(protectReport(plain, "json", TOKEN)).toEqual({ text: plain, framed: false });

    const xml = junitReporter.render(result, { color: false, command: "npx gradmark grade" });
    expect(protectReport(xml, "junit", TOKEN)).toEqual({ text: xml, framed: false });

    // Anything else that holds a command is framed but left as it is inside.
    expect(protectReport("a\n##[error]b\n", "other", TOKEN).text).toBe(
      `::stop-commands::${TOKEN}\na\n##[error]b\n::${TOKEN}::\n`,
    );
  });

  it("knows Actions by GITHUB_ACTIONS=true", () => {
    expect(inGitHubActions({ GITHUB_ACTIONS: "true" })).toBe(true);
    expect(inGitHubActions({ GITHUB_ACTIONS: "1" })).toBe(false);
    expect(inGitHubActions({})).toBe(false);
  });
});

describe("annotations", () => {
  it("one ::error per failing check, on the module's file and export line", () => {
    const dir = submission();
    const lines = annotations(sampleResult(), dir, { root: dir, command: "npx gradmark check" });
    expect(lines).toHaveLength(FAILING);
    expect(lines[0]).toBe(
      "::error file=src/contractions.ts,line=3,title=1.batchedMatmul.values%3A failed (0/3 pts)::batchedMatmul: values%0AY has the wrong shape: expected [1, 3], got [3, 1]%0Ahint: the result looks transposed%0Acounterexample:%0AX = [[1, 0]]  (shape [1, 2])%0AM = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])%0Areplay: npx gradmark check --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
    );
    expect(lines[1]).toMatch(/^::error file=src\/layers\.js,line=1,title=3\.linear\.backward%3A/);
    expect(lines[2]).toBe(
      '::error file=src/layers.js,line=3,title=3.bias.backward%3A not implemented (0/4 pts)::Bias: gradients%0ABias.backward throws "not implemented"',
    );
    expect(lines[3]).toMatch(
      /^::error file=src\/layers\.js,line=4,title=3\.softmax\.backward%3A error/,
    );
    // Not declared in the file: no line.
    expect(lines[4]).toMatch(/^::error file=src\/layers\.js,title=3\.sigmoid\.forward%3A timeout/);
    expect(lines.join("\n")).not.toContain("4.reuse");
  });

  it("stay one line each whatever the text holds, with controls escaped", () => {
    const dir = submission();
    const result = hostileResult();
    result.problems[0]!.checks[1]!.id = "1.batchedMatmul.values,file=evil.ts,title=x::y";
    const lines = annotations(result, dir, { root: dir });
    expect(lines).toHaveLength(FAILING);
    for (const line of lines) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(line.startsWith("::error file=src/")).toBe(true);
      // Properties end at the first "::"; nothing from the text got into them.
      const properties = line.slice(2, line.indexOf("::", 2));
      expect(properties.split(",").map((p) => p.split("=")[0])).toEqual(
        properties.includes("line=") ? ["error file", "line", "title"] : ["error file", "title"],
      );
    }
    expect(lines[0]).toContain("title=1.batchedMatmul.values%2Cfile=evil.ts%2Ctitle=x%3A%3Ay%3A");
    expect(lines[0]).toContain("%0A::error::forged%0A");
    expect(lines[1]).toContain("%0A::error::after CRLF\\x0dlone CR");
  });

  it("name paths from the repository root and fall back to src/<module>.ts", () => {
    const root = mkdtempSync(join(tmpdir(), "gradmark-root-"));
    madeFolders.push(root);
    mkdirSync(join(root, "hw", "src"), { recursive: true });
    writeFileSync(join(root, "hw", "src", "layers.mjs"), "export class Linear {}\n");
    const dir = join(root, "hw");
    expect(annotationPath(findModuleFile(dir, "layers"), dir, root)).toBe("hw/src/layers.mjs");
    expect(annotationPath(findModuleFile(dir, "nope"), dir, root)).toBe("hw/src/nope.ts");
    // A submission outside the checkout: relative to the submission.
    expect(annotationPath(findModuleFile(dir, "layers"), dir, join(tmpdir(), "elsewhere"))).toBe(
      "src/layers.mjs",
    );
    // A folder that holds its modules itself (like the staff solution).
    writeFileSync(join(root, "autograd.ts"), "export class Variable {}\n");
    expect(findModuleFile(root, "autograd")).toBe(join(root, "autograd.ts"));
  });

  it("find the line that declares an export", () => {
    const dir = submission();
    const file = join(dir, "src", "contractions.ts");
    expect(exportLine(file, "batchedMatmul")).toBe(3);
    expect(exportLine(file, "BatchedMatmul")).toBe(3);
    expect(exportLine(file, "batched")).toBeUndefined();
    expect(exportLine(file, "a(b")).toBeUndefined();
    expect(exportLine(join(dir, "missing.ts"), "x")).toBeUndefined();
    expect(exportLine(join(dir, "src"), "x")).toBeUndefined(); // not a plain file
  });
});

describe("emitGitHubActions", () => {
  const options = { command: "npx gradmark grade", redactSeed: false };

  it("appends the Markdown report to GITHUB_STEP_SUMMARY and prints the annotations", () => {
    const io = fakeIO({ env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: "summary.md" } });
    const dir = submission();
    writeFileSync(join(io.cwd, "summary.md"), "# earlier step\n");
    emitGitHubActions(sampleResult(), io, dir, options);
    emitGitHubActions(sampleResult(), io, dir, options);
    const markdown = markdownReporter.render(sampleResult(), { color: false, ...options });
    expect(stepSummary(sampleResult(), options)).toBe(markdown);
    expect(readFileSync(join(io.cwd, "summary.md"), "utf8")).toBe(
      `# earlier step\n\n${markdown}\n${markdown}`,
    );
    const printed = io.out.trimEnd().split("\n");
    expect(printed).toHaveLength(2 * FAILING);
    expect(printed.every((line) => line.startsWith("::error file="))).toBe(true);
    expect(io.err).toBe("");
  });

  it("does not append the report twice when --out wrote it to the summary", () => {
    const io = fakeIO({ env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: "s.md" } });
    writeFileSync(join(io.cwd, "s.md"), "written by --out\n");
    emitGitHubActions(sampleResult(), io, submission(), {
      ...options,
      reportFile: join(io.cwd, "s.md"),
      annotationsTo: "stderr",
    });
    expect(readFileSync(join(io.cwd, "s.md"), "utf8")).toBe("written by --out\n");
    expect(io.out).toBe("");
    expect(io.err.trimEnd().split("\n")).toHaveLength(FAILING);
  });

  it("reports a summary it cannot write on stderr and goes on", () => {
    const io = fakeIO({ env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: "hw" } });
    emitGitHubActions(sampleResult(), io, submission(), options);
    expect(io.err).toMatch(/^gradmark: cannot append the job summary to hw: [^\n]+\n$/);
    expect(io.out.trimEnd().split("\n")).toHaveLength(FAILING);
  });
});
