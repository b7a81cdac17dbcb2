import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tensorArb } from "../../checks/index.js";
import { add, mul, sub, type Tensor } from "../../reference/tensor/index.js";
import { toyAssignment } from "../../testing/toy/toyAssignment.js";
import { defineAssignment } from "../authoring/defineAssignment.js";
import { allOf, expectTensor } from "../authoring/judge.js";
import type { CheckDefinition } from "../authoring/types.js";
import { packagePath } from "../common/packagePath.js";
import { annotations, stepSummary } from "../integrations/githubActions.js";
import type { CheckResult, GradeResult } from "../model/results.js";
import { reporters } from "../reporters/index.js";
import type { ReportOptions } from "../reporters/Reporter.js";
import { Sandbox } from "../sandbox/Sandbox.js";
import { type GradeOptions, gradeSubmission } from "./gradeSubmission.js";

/*
 * Hidden means hidden: with a secret seed (GRADMARK_SEED) fixed across resubmissions, anything
 * a student sees of a hidden check's inputs can be hard-coded. The submission in
 * testing/toy/leaky prints the arguments of every call (at once, from a timer, and from
 * the next call), and throws them in an error.
 */

type Pair = { a: Tensor; b: Tensor };
const pairs = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) => fc.record({ a: tensorArb({ shape }), b: tensorArb({ shape }) }));

function elementwise(
  id: string,
  name: string,
  reference: (a: Tensor, b: Tensor) => Tensor,
  hidden: boolean,
): CheckDefinition<Pair> {
  return {
    id,
    title: `${name}(a, b)`,
    points: 5,
    hidden,
    cases: pairs,
    driver: "call",
    payload: ({ a, b }) => ({ module: "ops", name, args: [a, b] }),
    judge: ({ a, b }, result, context) =>
      allOf(() =>
        expectTensor((result as { out: unknown }).out, reference(a, b), {
          name: `${name}(a, b)`,
          tolerance: context.tolerance,
        }),
      ),
  };
}

/** The secret seed, as GRADMARK_SEED would give it: it must appear in no student-visible report. */
const SECRET_SEED = 918273645;

/** Problem 1 has a hidden check before and after its visible one; problem 2 has none. */
const leakAssignment = defineAssignment({
  id: "leak",
  title: "Leak",
  seed: 7,
  modules: ["ops", "more"],
  drivers: packagePath("testing/toy/drivers.ts"),
  defaults: { runs: 10, timeoutMs: 2000, budgetMs: 60_000 },
  limits: { heapMb: 128, rssMb: 512 },
  problems: [
    {
      id: "1",
      title: "Element-wise",
      module: "ops",
      checks: [
        elementwise("1.mul.values", "mul", mul, true),
        elementwise("1.add.values", "add", add, false),
        elementwise("1.sub.values", "sub", sub, true),
      ],
    },
    {
      id: "2",
      title: "More",
      module: "more",
      checks: [
        {
          id: "2.twice.values",
          title: "twice(a)",
          points: 10,
          cases: pairs,
          driver: "call",
          payload: ({ a }: Pair) => ({ module: "more", name: "twice", args: [a] }),
          judge: ({ a }: Pair, result, context) =>
            expectTensor((result as { out: unknown }).out, add(a, a), {
              name: "twice(a)",
              tolerance: context.tolerance,
            }),
        },
      ],
    },
  ],
});

const gradeLeaky = (extra: Partial<GradeOptions> = {}) =>
  gradeSubmission({
    dir: "testing/toy/leaky",
    assignment: leakAssignment,
    seed: SECRET_SEED,
    ...extra,
  });
const checkOf = (result: GradeResult, id: string): CheckResult =>
  result.problems.flatMap((p) => p.checks).find((c) => c.id === id)!;

/** Every format a student may see, rendered as `grade` does with a seed from GRADMARK_SEED. */
function studentVisible(result: GradeResult): Record<string, string> {
  const options: ReportOptions = {
    color: false,
    command: "npx gradmark grade",
    showOutput: true,
    redactSeed: true,
  };
  const texts: Record<string, string> = {};
  for (const [name, reporter] of Object.entries(reporters)) {
    if (name !== "json") texts[name] = reporter.render(result, options);
  }
  texts["github step summary"] = stepSummary(result, options);
  texts["github annotations"] = annotations(result, "testing/toy/leaky", options).join("\n");
  return texts;
}

/** Numbers with several decimals: the random values of the cases, as printed or shown. */
const values = (text: string) => text.match(/-?\d+\.\d{4,}(?:e[-+]?\d+)?/g) ?? [];

describe("hidden checks", () => {
  it("show none of their inputs or output in any student-visible report", async () => {
    const result = await gradeLeaky();
    // What staff see when they regrade with the details revealed: the attack is real.
    const revealed = await gradeLeaky({ revealHidden: true });
    expect(revealed.output.stdout).toContain("SECRET mul");
    expect(revealed.output.stdout).toContain("LATER SECRET mul");
    expect(revealed.output.stderr).toContain("SECRET mul");
    expect(checkOf(revealed, "1.sub.values").message).toContain("SECRET sub");
    expect(checkOf(revealed, "1.mul.values").counterexample).not.toBeNull();
    expect(checkOf(revealed, "1.mul.values").replay).toMatchObject({ only: "1.mul.values" });
    const secrets = [
      ...revealed.output.stdout.split("\n").filter((line) => line.includes("SECRET")),
      ...["1.mul.values", "1.sub.values"].flatMap((id) => {
        const c = checkOf(revealed, id);
        return [c.message, c.counterexample ?? ""];
      }),
    ].flatMap(values);
    expect(secrets.length).toBeGreaterThan(10);

    // Same statuses and scores either way, checks in the assignment's order.
    const outcome = (r: GradeResult) =>
      r.problems.flatMap((p) => p.checks.map((c) => [c.id, c.status, c.score]));
    expect(outcome(result)).toEqual(outcome(revealed));
    expect(outcome(result)).toEqual([
      ["1.mul.values", "failed", 0],
      ["1.add.values", "passed", 5],
      ["1.sub.values", "error", 0],
      ["2.twice.values", "passed", 10],
    ]);

    // The model keeps nothing of them: a generic message, no counterexample, no replay.
    for (const id of ["1.mul.values", "1.sub.values"]) {
      const c = checkOf(result, id);
      expect(c.message).toMatch(
        /^(failed|error \(the code threw\)) \(hidden check: its inputs, output and details are not shown; course staff can see them by regrading locally\)$/,
      );
      expect(c.counterexample).toBeNull();
      expect(c.replay).toBeNull();
    }
    // Nothing printed while hidden checks ran is kept, only how many bytes were withheld.
    expect(result.output.withheldBytes).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain("SECRET");
    for (const secret of secrets) expect(JSON.stringify(result)).not.toContain(secret);

    const texts = studentVisible(result);
    for (const [format, text] of Object.entries(texts)) {
      expect(text, format).not.toContain("SECRET");
      expect(text, format).not.toContain(String(SECRET_SEED));
      expect(text, format).not.toContain("--path");
      // The size of the withheld output is a channel too: never shown to students.
      expect(text, format).not.toContain(String(result.output.withheldBytes));
      for (const secret of secrets) expect(text, `${format}: ${secret}`).not.toContain(secret);
    }
    // The visible checks' output is still shown, from a child that never ran a hidden check.
    for (const format of ["terminal", "gradescope", "markdown", "junit", "github step summary"]) {
      expect(texts[format], format).toContain("VISIBLE add");
      expect(texts[format], format).toContain("seen before: nothing");
      expect(texts[format], format).toContain("VISIBLE twice");
      expect(texts[format], format).toContain("leaky: ops loaded");
      expect(texts[format], format).toMatch(/printed while hidden checks ran is not shown/);
    }
    // Visible failures keep their replay commands; hidden ones have none.
    expect(texts.terminal).not.toMatch(/replay:.*1\.(mul|sub)\.values/);
    expect(texts.classroom).not.toMatch(/replay:.*1\.(mul|sub)\.values/);
  });

  it("say so only where hidden checks ran, and keep staff JSON free of their output", async () => {
    const visibleOnly = await gradeLeaky({ only: ["add", "2"] });
    expect(visibleOnly.output.withheldBytes).toBeUndefined();
    expect(reporters.terminal!.render(visibleOnly, { color: false, command: "x" })).not.toMatch(
      /hidden checks ran/,
    );
    const json = JSON.parse(
      reporters.json!.render(await gradeLeaky({ only: ["1"] }), { color: false, command: "x" }),
    ) as GradeResult;
    expect(json.output.withheldBytes).toBeGreaterThan(0);
    expect(json.output.stdout).toContain("VISIBLE add");
    expect(JSON.stringify(json)).not.toContain("SECRET");
  });
});

describe("children per problem", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const childrenStarted = async (options: GradeOptions) => {
    const restart = vi.spyOn(Sandbox.prototype, "restart");
    await gradeSubmission(options);
    const started = restart.mock.calls.filter(([o]) => o?.startNow).length;
    restart.mockRestore();
    return started;
  };
  const good = { dir: "testing/toy/good", assignment: toyAssignment };

  it("a problem without hidden checks to run gets one child, one with them two", async () => {
    expect(await childrenStarted({ ...good, only: ["2"] })).toBe(1);
    // In check mode problem 1's hidden check does not run: no extra child.
    expect(await childrenStarted({ ...good, mode: "check" })).toBe(2);
    expect(await childrenStarted({ ...good, only: ["1.mul.values"] })).toBe(1);
    expect(await childrenStarted({ ...good })).toBe(3);
  });
});
