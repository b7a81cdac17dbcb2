/** The check/grade flow in a simulated GitHub Actions job. */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { fakeDeps, fakeIO } from "../../testing/cliFakes.js";
import { sampleResult } from "../../testing/sampleResult.js";
import { packagePath } from "../common/packagePath.js";
import type { GradeResult } from "../model/results.js";
import { markdownReporter } from "../reporters/markdownReporter.js";
import { type GradeCommandArgs, runGradeFlow } from "./gradeFlow.js";

/** Characters a lenient reading of a line may skip (see githubActions.ts). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
const IGNORABLE = /[\p{Cf}\p{Mn}\p{Me}\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;

/** The command a runner would read in a line (both syntaxes, leniently), or null. */
function commandIn(line: string): { name: string; data: string } | null {
  const visible = line.replace(IGNORABLE, "").trimStart();
  if (visible.startsWith("::")) {
    const end = visible.indexOf("::", 2);
    if (end > 2) {
      return { name: visible.slice(2, end).split(" ")[0]!, data: visible.slice(end + 2) };
    }
  }
  const v1 = visible.indexOf("##[");
  const close = visible.indexOf("]", v1);
  if (v1 >= 0 && close > v1 + 3) {
    return { name: visible.slice(v1 + 3, close).split(" ")[0]!, data: visible.slice(close + 1) };
  }
  return null;
}

/**
 * What the Actions runner would do with what a step printed: the lines it runs as workflow
 * commands, honouring ::stop-commands::<token> ... ::<token>::.
 */
function runnerRuns(printed: string): string[] {
  const ran: string[] = [];
  let stopped: string | null = null;
  for (const line of printed.split(/\r\n|\r|\n/)) {
    const command = commandIn(line);
    if (command === null) continue;
    if (stopped !== null) {
      if (command.name.toLowerCase() === stopped.toLowerCase()) stopped = null;
    } else if (command.name === "stop-commands") {
      stopped = command.data;
    } else {
      ran.push(line);
    }
  }
  expect(stopped, "commands are resumed at the end").toBeNull();
  return ran;
}

/** What a hostile submission prints and throws. */
const FORGED = [
  "::error::forged",
  "  ::set-output name=score::100",
  "##[error]forged in the old syntax",
  "::notice title=Score::100/100",
].join("\n");

function hostileResult(): GradeResult {
  const result = sampleResult();
  result.mode = "grade";
  for (const problem of result.problems) {
    for (const check of problem.checks) {
      if (check.status !== "passed" && check.status !== "skipped") {
        check.message += `\n${FORGED}`;
      }
    }
  }
  result.output = { stdout: `${FORGED}\n`, stderr: FORGED };
  return result;
}

/** sampleResult's annotations: 6 failing exports (errors), 1 not implemented (a notice). */
const ANNOTATED = 7;

/** A fake io in Actions; the submission `hw/` is the checkout, with contractions.ts and layers.js. */
function actionsIO(env: Record<string, string> = {}) {
  const io = fakeIO();
  io.env = {
    GITHUB_ACTIONS: "true",
    GITHUB_STEP_SUMMARY: join(io.cwd, "summary.md"),
    GITHUB_WORKSPACE: join(io.cwd, "hw"),
    ...env,
  };
  writeFileSync(
    join(io.cwd, "hw", "src", "contractions.ts"),
    "export function batchedMatmul() {}\n",
  );
  writeFileSync(join(io.cwd, "hw", "src", "layers.js"), "export class Linear {}\n");
  return io;
}

const args = (extra: Partial<GradeCommandArgs> = {}): GradeCommandArgs => ({
  dir: "hw",
  format: "terminal",
  ...extra,
});

/** The lines of `text` between the stop-commands line and the line that resumes. */
function framed(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("::stop-commands::"));
  const token = lines[start]!.slice("::stop-commands::".length);
  const end = lines.indexOf(`::${token}::`);
  expect(end).toBeGreaterThan(start);
  return lines.slice(start + 1, end);
}

describe("grade flow in GitHub Actions", () => {
  it("writes the job summary, one annotation per failing export, and nothing forgeable", async () => {
    const io = actionsIO();
    const code = await runGradeFlow("grade", args(), io, fakeDeps(hostileResult));
    expect(code).toBe(1);
    expect(io.err).toBe("");

    const markdown = markdownReporter.render(hostileResult(), {
      color: false,
      command: "npx gradmark grade hw",
      showOutput: true,
      redactSeed: false,
    });
    expect(readFileSync(join(io.cwd, "summary.md"), "utf8")).toBe(`\n${markdown}`);

    const ran = runnerRuns(io.out);
    expect(ran).toHaveLength(ANNOTATED);
    expect(
      ran.filter((l) => l.startsWith("::error file=src/contractions.ts,line=1,")),
    ).toHaveLength(1);
    expect(ran.filter((l) => l.startsWith("::error file=src/layers.js,"))).toHaveLength(5);
    expect(ran.filter((l) => l.startsWith("::notice file=src/layers.js,"))).toHaveLength(1);
    for (const line of ran) expect(line).not.toMatch(/[\r\n]/);

    // The report is framed; inside, every forged command is also escaped.
    const inside = framed(io.out);
    expect(inside.some((l) => l.includes("Total"))).toBe(true);
    for (const line of io.out.split("\n")) {
      if (/::error::forged|::set-output|##\[error\]forged|::notice title=Score/.test(line)) {
        const escaped = /\\::|##\\\[|%0A/.test(line) || line.startsWith("│ ");
        expect(inside.includes(line) || /^::(error|notice) file=/.test(line), line).toBe(true);
        expect(escaped, line).toBe(true);
      }
    }
    expect(runnerRuns(inside.join("\n"))).toEqual([]);
  });

  it("does the same for check", async () => {
    const io = actionsIO();
    const code = await runGradeFlow("check", args(), io, fakeDeps(hostileResult));
    expect(code).toBe(1);
    expect(io.out.startsWith("seed: 4242\n::stop-commands::")).toBe(true);
    expect(runnerRuns(io.out)).toHaveLength(ANNOTATED);
    expect(readFileSync(join(io.cwd, "summary.md"), "utf8")).toContain("## gradmark: ");
  });

  it("keeps a JSON report on stdout parseable: annotations go to stderr", async () => {
    const io = actionsIO();
    await runGradeFlow("grade", args({ format: "json" }), io, fakeDeps(hostileResult));
    expect(JSON.parse(io.out)).toEqual(hostileResult());
    expect(runnerRuns(io.out)).toEqual([]);
    expect(runnerRuns(io.err)).toHaveLength(ANNOTATED);
  });

  it("does not append the summary twice with --format markdown --out $GITHUB_STEP_SUMMARY", async () => {
    const io = actionsIO();
    await runGradeFlow(
      "grade",
      args({ format: "markdown", out: "summary.md" }),
      io,
      fakeDeps(hostileResult),
    );
    const summary = readFileSync(join(io.cwd, "summary.md"), "utf8");
    expect(summary.match(/^## gradmark: /gm)).toHaveLength(1);
    expect(io.out.split("\n")[0]).toBe("score 38/65; markdown report written to summary.md");
    expect(runnerRuns(io.out)).toHaveLength(ANNOTATED);
  });

  it("does nothing of the sort outside Actions", async () => {
    const io = actionsIO({ GITHUB_ACTIONS: "" });
    await runGradeFlow("grade", args(), io, fakeDeps(hostileResult));
    expect(io.out).not.toContain("::stop-commands::");
    expect(io.out).not.toContain("::error file=");
    expect(existsSync(join(io.cwd, "summary.md"))).toBe(false);
  });

  it("grades a real submission that prints and throws workflow commands", {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradmark-actions-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(packagePath("fixtures/starter/src"), join(dir, "src"), { recursive: true });
    const file = join(dir, "src", "derivatives.ts");
    const source = readFileSync(file, "utf8");
    const hostile = source.replace(
      /(export function jacobianSquareProd\(x: Tensor\): Tensor \{\n)\s*throw new Error\("not implemented"\);/,
      `$1  throw new Error(${JSON.stringify(`boom\n${FORGED}`)});`,
    );
    expect(hostile).not.toBe(source);
    writeFileSync(file, `${hostile}\nconsole.log(${JSON.stringify(FORGED)});\n`);

    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
      GITHUB_WORKSPACE: dir,
    };
    const json = fakeIO({ env });
    await runGradeFlow("grade", { dir, format: "json", only: "2", seed: "1" }, json);
    const result: GradeResult = JSON.parse(json.out);
    expect(result.output.stdout).toContain("::error::forged");
    const failing = result.problems
      .flatMap((p) => p.checks)
      .filter((c) => c.status !== "passed" && c.status !== "skipped");
    expect(failing.some((c) => c.status === "error" && c.message.includes("::error::forged"))).toBe(
      true,
    );
    expect(runnerRuns(json.out)).toEqual([]);
    // One error for the export that throws, one notice for the problem's others (not implemented).
    const annotations = runnerRuns(json.err);
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toMatch(
      /^::error file=src\/derivatives\.ts,line=\d+,title=2\.jacobianSquareProd%3A /,
    );
    expect(annotations[1]).toMatch(
      /^::notice file=src\/derivatives\.ts,line=\d+,title=problem 2%3A 5 exports not implemented yet/,
    );

    const terminal = fakeIO({ env });
    const code = await runGradeFlow(
      "grade",
      { dir, format: "terminal", only: "2", seed: "1" },
      terminal,
    );
    expect(code).toBe(1);
    expect(runnerRuns(terminal.out)).toEqual(annotations);
    expect(framed(terminal.out).join("\n")).toContain("│ ::error::forged");
    expect(readFileSync(join(dir, "summary.md"), "utf8").match(/^## gradmark: /gm)).toHaveLength(2);
  });
});
