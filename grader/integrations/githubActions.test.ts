import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeIO } from "../../testing/cliFakes.js";
import { knockOnResult } from "../../testing/knockOnSample.js";
import { sampleResult } from "../../testing/sampleResult.js";
import { toyAssignment } from "../../testing/toy/toyAssignment.js";
import { runCli } from "../cli/cli.js";
import { packagePath } from "../common/packagePath.js";
import { knockOnMessage } from "../model/knockOn.js";
import type { CheckResult, GradeResult } from "../model/results.js";
import { junitReporter } from "../reporters/junitReporter.js";
import { knockOnRoots } from "../reporters/knockOns.js";
import { markdownReporter } from "../reporters/markdownReporter.js";
import { bundleSubmission, messageLocation } from "../sandbox/bundleSubmission.js";
import { readExpectedOutcome } from "../selftest/expectedOutcome.js";
import { materializeSample } from "../selftest/materializeSample.js";
import {
  ANNOTATIONS_PER_KIND,
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

/** sampleResult's: 6 failing exports (errors) and 1 problem with one not implemented (a notice). */
const ANNOTATED = 7;

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

/** The annotations of one kind among printed lines. */
const ofKind = (lines: readonly string[], kind: "error" | "notice") =>
  lines.filter((line) => line.startsWith(`::${kind} `));

/** The properties of a workflow command (`file`, `line`, `col`, `title`), unescaped. */
function propertiesOf(line: string): Record<string, string> {
  const start = line.indexOf(" ");
  const properties = line.slice(start + 1, line.indexOf("::", start));
  const decode = (text: string) => decodeURIComponent(text);
  return Object.fromEntries(
    properties
      .split(",")
      .map((p) => [p.slice(0, p.indexOf("=")), decode(p.slice(p.indexOf("=") + 1))]),
  );
}

/** A check of a made-up result, passed unless told otherwise. */
function made(id: string, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    id,
    title: `title of ${id}`,
    status: "passed",
    score: 1,
    maxScore: 1,
    hidden: false,
    message: "",
    counterexample: null,
    replay: null,
    runs: 1,
    durationMs: 1,
    ...extra,
  };
}

const fails = (id: string, message = `${id} is wrong`) =>
  made(id, { status: "failed", score: 0, message, replay: { seed: 1, only: id } });
const missing = (id: string) =>
  made(id, { status: "not-implemented", score: 0, message: "throws not implemented" });

/** A result of the given problems (module `m<id>` unless named), totals left rough. */
function resultOf(problems: { id: string; module?: string; checks: CheckResult[] }[]): GradeResult {
  const result = sampleResult();
  result.problems = problems.map(({ id, module, checks }) => ({
    id,
    title: `problem ${id}`,
    module: module ?? `m${id}`,
    score: 0,
    maxScore: checks.length,
    checks,
  }));
  return result;
}

describe("annotations", () => {
  it("one per failing export on its module and export line; not implemented is a notice", () => {
    const dir = submission();
    const lines = annotations(sampleResult(), dir, { root: dir, command: "npx gradmark check" });
    expect(lines).toHaveLength(ANNOTATED);
    expect(lines[0]).toBe(
      "::error file=src/contractions.ts,line=3,title=1.batchedMatmul%3A 1 of 1 check did not pass (0/3 pts)::1.batchedMatmul.values failed: batchedMatmul: values%0AY has the wrong shape: expected [1, 3], got [3, 1]%0Ahint: the result looks transposed%0Acounterexample:%0AX = [[1, 0]]  (shape [1, 2])%0AM = [[[1, 2, 3], [0, 1, 0]]]  (shape [1, 2, 3])%0Areplay: npx gradmark check --seed 1234567 --only 1.batchedMatmul.values --path 0:1:0",
    );
    expect(lines[1]).toMatch(
      /^::error file=src\/layers\.js,line=1,title=3\.linear%3A 1 of 2 checks/,
    );
    expect(lines[2]).toMatch(/^::error file=src\/layers\.js,line=4,title=3\.softmax%3A /);
    // Not declared in the file: no line.
    expect(lines[3]).toMatch(/^::error file=src\/layers\.js,title=3\.sigmoid%3A /);
    expect(lines[3]).toContain("3.sigmoid.forward timeout: Sigmoid: forward values");
    expect(ofKind(lines, "error")).toHaveLength(ANNOTATED - 1);
    expect(ofKind(lines, "notice")).toEqual([
      '::notice file=src/layers.js,line=3,title=problem layers%3A 1 export not implemented yet (0/4 pts)::1 export not implemented yet: 3.bias (1 check still throws "not implemented"). Not an error: implement it to earn its points.',
    ]);
    expect(lines.join("\n")).not.toContain("4.reuse");
  });

  it("fold knock-ons into the annotation of the check they wait for", () => {
    const dir = submission();
    const lines = annotations(knockOnResult(), dir, { root: dir, command: "npx gradmark check" });
    const [linear, ...rest] = lines;
    expect(rest).toHaveLength(1);
    expect(linear).toMatch(
      /^::error file=src\/layers\.js,line=1,title=3\.Linear%3A 3 of 4 checks did not pass \(1\/4 pts\)::3\.Linear\.backward failed/,
    );
    expect(linear).toContain(
      "%0Aalso costs 3.Linear.shapes and 3.Linear.immutable: they pass on their own but count only with the failing checks above",
    );
    // 5.einsum.repeated waits for a check not implemented yet: a notice for the export, no error.
    expect(rest[0]).toMatch(
      /^::notice file=src\/einsum\.ts,title=problem 5%3A 1 export not implemented yet/,
    );
  });

  it("at most 10 errors, root causes first, the 10th counting the rest; notices capped too", () => {
    const dir = submission();
    const exportsOf = (p: number) => [
      fails(`${p}.A.values`),
      made(`${p}.A.shape`, {
        status: "failed",
        score: 0,
        message: knockOnMessage([`${p}.A.values`]),
      }),
      fails(`${p}.B`),
      missing(`${p}.C.values`),
    ];
    const problems = Array.from({ length: 12 }, (_, i) => ({
      id: String(i + 1),
      checks: exportsOf(i + 1),
    }));
    problems.splice(7, 0, {
      id: "load",
      checks: ["x", "y"].map((e) =>
        made(`load.${e}`, {
          status: "error",
          score: 0,
          message: "src/mload could not be loaded:\nsrc/mload.ts:3:7: Unexpected end of file",
        }),
      ),
    });
    const lines = annotations(resultOf(problems), dir, { root: dir, moreIn: "the job summary" });
    const errors = ofKind(lines, "error");
    const notices = ofKind(lines, "notice");
    expect(errors).toHaveLength(10);
    // The module that could not be loaded comes first, at the compiler's place.
    expect(propertiesOf(errors[0]!)).toEqual({
      file: "src/mload.ts",
      line: "3",
      col: "7",
      title: "src/mload could not be loaded: problem load not graded (0/2 pts)",
    });
    expect(errors.slice(1, 9).map((l) => propertiesOf(l).title.split(":")[0])).toEqual([
      "1.A",
      "1.B",
      "2.A",
      "2.B",
      "3.A",
      "3.B",
      "4.A",
      "4.B",
    ]);
    // Knock-ons are named under their root, never annotated alone.
    expect(errors[1]).toContain("also costs 1.A.shape");
    expect(errors.some((l) => propertiesOf(l).title.startsWith("1.A.shape"))).toBe(false);
    // 24 failing exports + 1 module: 9 annotated, the 10th names the other 16, on no file.
    const last = errors[9]!;
    expect(propertiesOf(last)).toEqual({ title: "16 more failing exports: see the job summary" });
    expect(last).toContain("so these 16 are not annotated: 5.A, 5.B, 6.A,");
    expect(last).toContain("and 12.B. The job summary lists every failing check");
    // Not implemented: one notice per problem, 12 problems, 9 + one for the other 3.
    expect(notices).toHaveLength(10);
    expect(propertiesOf(notices[0]!).title).toBe(
      "problem 1: 1 export not implemented yet (0/1 pts)",
    );
    expect(propertiesOf(notices[9]!).title).toBe(
      "3 more problems with exports not implemented yet: see the job summary",
    );
    expect(notices[9]).toContain("Not annotated here: problem 10, problem 11 and problem 12.");
  });

  it("point a module that could not be loaded at the compiler's place, one per cause", () => {
    const dir = submission();
    const load = (id: string, module: string, body: string) => ({
      id,
      module,
      checks: [
        made(`${id}.x`, {
          status: "error",
          score: 0,
          message: `src/${module} could not be loaded:\n${body}`,
        }),
      ],
    });
    const autograd = 'src/contractions.ts:2:17: Expected ")" but found "{"';
    const lines = annotations(
      resultOf([
        load("4", "contractions", autograd),
        // Another module that imports the broken one: the same cause, no second annotation.
        load("5", "layers", `${autograd}\nsrc/layers.ts:9:1: more`),
        // No place: the module's file, no line.
        load("6", "training", "src/training.ts is missing (no .ts, .mts, .js or .mjs file)"),
        // A place that leaves src/ is not taken.
        load("7", "escape", "src/../../etc/passwd:1:1: Unexpected"),
      ]),
      dir,
      { root: dir },
    );
    expect(lines.map(propertiesOf)).toEqual([
      {
        file: "src/contractions.ts",
        line: "2",
        col: "17",
        title:
          "src/contractions and src/layers could not be loaded: problems 4 and 5 not graded (0/2 pts)",
      },
      {
        file: "src/training.ts",
        title: "src/training could not be loaded: problem 6 not graded (0/1 pts)",
      },
      {
        file: "src/escape.ts",
        title: "src/escape could not be loaded: problem 7 not graded (0/1 pts)",
      },
    ]);
    expect(lines[0]).toContain(
      '::src/contractions.ts:2:17: Expected ")" but found "{"%0Asrc/layers.ts:9:1: more%0AEvery check of problems 4 and 5 reports this error: fix it first.',
    );
  });

  it("stay one line each whatever the text holds, with controls escaped", () => {
    const dir = submission();
    const result = hostileResult();
    result.problems[0]!.checks[1]!.id = "1.x::y,file=evil.values";
    const lines = annotations(result, dir, { root: dir });
    expect(lines).toHaveLength(ANNOTATED);
    for (const line of lines) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).toMatch(/^::(error|notice) file=src\//);
      // Properties end at the first "::"; nothing from the text got into them.
      const properties = line.slice(2, line.indexOf("::", 2));
      expect(properties.split(",").map((p) => p.split("=")[0]!.replace(/^\w+ /, ""))).toEqual(
        properties.includes("line=") ? ["file", "line", "title"] : ["file", "title"],
      );
    }
    expect(lines[0]).toContain("title=1.x%3A%3Ay%2Cfile=evil%3A 1 of 1 check");
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

  it("read the compiler's place back, its column in characters", async () => {
    const src = mkdtempSync(join(tmpdir(), "gradmark-col-"));
    madeFolders.push(src);
    // Three 2-byte letters and a 4-byte emoji before the error: esbuild counts bytes.
    writeFileSync(join(src, "ops.ts"), 'export const s = "ééé😀"; foo(;\n');
    writeFileSync(join(src, "more.ts"), "export const twice = 2;\n");
    const outDir = mkdtempSync(join(tmpdir(), "gradmark-col-out-"));
    madeFolders.push(outDir);
    const bundle = await bundleSubmission({
      srcDir: src,
      modules: toyAssignment.modules,
      driversFile: toyAssignment.drivers,
      outDir,
    });
    const problem = bundle.problems.find((p) => p.module === "ops")!;
    const column = 'export const s = "ééé😀"; foo('.length + 1;
    expect(problem.message.startsWith(`src/ops.ts:1:${column}: `)).toBe(true);
    expect(messageLocation(problem.message)).toEqual({ file: "src/ops.ts", line: 1, column });
    expect(messageLocation("src/ops.ts is missing")).toBeNull();
    expect(messageLocation("src/a/../../x.ts:1:1: y")).toBeNull();
    expect(messageLocation("../kit/index.ts:1:1: y")).toBeNull();
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
    expect(printed).toHaveLength(2 * ANNOTATED);
    expect(printed.every((line) => /^::(error|notice) file=/.test(line))).toBe(true);
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
    expect(io.err.trimEnd().split("\n")).toHaveLength(ANNOTATED);
  });

  it("reports a summary it cannot write on stderr and goes on", () => {
    const io = fakeIO({ env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: "hw" } });
    emitGitHubActions(sampleResult(), io, submission(), options);
    expect(io.err).toMatch(/^gradmark: cannot append the job summary to hw: [^\n]+\n$/);
    expect(io.out.trimEnd().split("\n")).toHaveLength(ANNOTATED);
  });
});

/** A sample of fixtures/submissions as a whole submission (removed after the tests). */
function sample(name: string): string {
  const dir = packagePath(`fixtures/submissions/${name}`);
  const made = materializeSample(dir, readExpectedOutcome(dir));
  madeFolders.push(made.dir);
  return made.dir;
}

/** `gradmark check <dir> --seed 1 --format json` in a GitHub Actions job. */
async function checkInActions(dir: string) {
  const io = fakeIO({ env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: "summary.md" } });
  const code = await runCli(["check", dir, "--seed", "1", "--format", "json"], io);
  const printed = io.err.split("\n");
  return {
    code,
    result: JSON.parse(io.out) as GradeResult,
    errors: ofKind(printed, "error"),
    notices: ofKind(printed, "notice"),
    summary: readFileSync(join(io.cwd, "summary.md"), "utf8"),
  };
}

const notPassed = (result: GradeResult) =>
  result.problems.flatMap((p) => p.checks).filter((c) => !["passed", "skipped"].includes(c.status));

describe("annotations of real gradings", { timeout: 120_000 }, () => {
  it("the starter: no error, one notice per problem, every check in the summary", async () => {
    const { code, result, errors, notices, summary } = await checkInActions(
      packagePath("fixtures/starter"),
    );
    expect(code).toBe(1);
    expect(errors).toEqual([]);
    expect(notices.length).toBeLessThanOrEqual(ANNOTATIONS_PER_KIND);
    expect(notices.map((l) => propertiesOf(l).file)).toEqual(
      result.problems.map((p) => `src/${p.module}.ts`),
    );
    expect(notices[0]).toMatch(/title=problem 1%3A 3 exports not implemented yet \(0\/10 pts\)::/);
    const missing = notPassed(result);
    expect(missing.length).toBeGreaterThan(100);
    expect(missing.every((c) => c.status === "not-implemented")).toBe(true);
    expect(summary).toContain(`🚧 ${missing.length} not implemented`);
    for (const check of missing) expect(summary).toContain(`<code>${check.id}</code>`);
  });

  it("a syntax error: one error, at the error's own line and column", async () => {
    const dir = sample("broken-syntax-einsum");
    const { result, errors, notices, summary } = await checkInActions(dir);
    expect(notices).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(propertiesOf(errors[0]!)).toEqual({
      file: "src/einsum.ts",
      line: "84",
      col: "94",
      title: "src/einsum could not be loaded: problem 5 not graded (0/10 pts)",
    });
    // There, the sample has a ";" where the ")" it is missing belongs.
    const line = readFileSync(join(dir, "src", "einsum.ts"), "utf8").split("\n")[83]!;
    expect(line[93]).toBe(";");
    expect(errors[0]).toContain('::src/einsum.ts:84:94: Expected ")" but found ";"%0A');
    expect(notPassed(result).length).toBeGreaterThan(1);
    for (const check of notPassed(result)) expect(summary).toContain(`<code>${check.id}</code>`);
  });

  it("five mistakes: one error per failing export, root causes only, at most 10", async () => {
    const planted = {
      "mistake-1-batched-shared": "1.batchedMatmul",
      "mistake-2-softmax-diagonal": "2.softmaxRowJacobians",
      "mistake-3-linear-transposed": "3.Linear",
      "mistake-4-multiply-divides": "4.VariableMultiply",
      "mistake-5-einsum-diagonal": "5.einsum",
    };
    const [first, ...others] = Object.keys(planted);
    const dir = sample(first!);
    for (const name of others) {
      const src = packagePath(`fixtures/submissions/${name}/src`);
      for (const file of readdirSync(src)) cpSync(join(src, file), join(dir, "src", file));
    }
    const { result, errors, notices, summary } = await checkInActions(dir);
    expect(notices).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(ANNOTATIONS_PER_KIND);
    const annotated = errors.map((l) => propertiesOf(l).title.split(":")[0]!);
    // The exports with a failing check that is neither a knock-on nor not implemented.
    const failing = notPassed(result)
      .filter((c) => c.status !== "not-implemented" && knockOnRoots(c) === null)
      .map((c) => c.id.split(".").slice(0, 2).join("."));
    expect(annotated).toEqual([...new Set(failing)]);
    expect(annotated.filter((key) => Object.values(planted).includes(key))).toEqual(
      Object.values(planted),
    );
    // Knock-ons are named in the annotation of what they wait for.
    const knockOns = notPassed(result).filter((c) => knockOnRoots(c) !== null);
    expect(knockOns.length).toBeGreaterThan(0);
    for (const check of knockOns) {
      expect(annotated).not.toContain(check.id);
      expect(errors.join("\n")).toContain(check.id);
    }
    for (const check of notPassed(result)) expect(summary).toContain(`<code>${check.id}</code>`);
  });
});
