/**
 * runCheck's guard against NaN and Infinity (issue 13), with a stand-in sandbox: the "student"
 * results are given here, sent through the wire as the child would send them, and judged by
 * staff judges that are deliberately careless (they pass everything, or throw).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Tensor, tensor, zeros } from "../../reference/tensor/index.js";
import { defineAssignment } from "../authoring/defineAssignment.js";
import { fail, PASS } from "../authoring/judge.js";
import type { CheckDefinition, Verdict } from "../authoring/types.js";
import { AssignmentError } from "../common/AssignmentError.js";
import { packagePath } from "../common/packagePath.js";
import { toWire } from "../sandbox/child/wireCodec.js";
import { FloatPack } from "../sandbox/protocol/FloatPack.js";
import type { BatchResult, PayloadBatch, Sandbox } from "../sandbox/Sandbox.js";
import { runCheck } from "./runCheck.js";
import { MAX_PATH_CHARS } from "./shortenPath.js";

/** A sandbox whose every run returns `result` (as the child would send it). */
function sandboxReturning(result: () => unknown): Sandbox & { calls: number } {
  const fake = {
    calls: 0,
    run(_driver: string, batch: PayloadBatch): Promise<BatchResult> {
      fake.calls++;
      const pack = new FloatPack();
      const outcomes = batch.payloads.map(() => ({
        kind: "ok" as const,
        value: toWire(result(), 0, pack),
        ms: 0,
      }));
      return Promise.resolve({ kind: "outcomes", outcomes, floats: pack.finish(), wallMs: 1 });
    },
  };
  return fake as unknown as Sandbox & { calls: number };
}

function grade(
  judge: (testCase: number, result: unknown) => Verdict,
  result: () => unknown,
  extra: Partial<CheckDefinition> = {},
) {
  const check: CheckDefinition<number> = {
    id: "1.careless",
    title: "a staff check whose judge is careless",
    points: 1,
    runs: 3,
    cases: fc.integer({ min: 0, max: 9 }),
    driver: "call",
    payload: (n) => ({ n }),
    judge,
    ...extra,
  };
  // The assignment is defined without the check's tolerance, which defineAssignment would
  // refuse when it is not finite (runCheck refuses it too, for assignments made otherwise).
  const assignment = defineAssignment({
    id: "staff",
    title: "Staff",
    seed: 1,
    modules: ["ops"],
    drivers: packagePath("testing/toy/drivers.ts"),
    problems: [
      { id: "1", title: "One", module: "ops", checks: [{ ...check, tolerance: undefined }] },
    ],
  });
  const sandbox = sandboxReturning(result);
  const run = runCheck(check, assignment, sandbox, {
    seed: 1,
    deadline: performance.now() + 60_000,
    srcDir: "/nowhere/src",
  });
  return { run, sandbox };
}

const poisoned = (value: number): Tensor => {
  const t = zeros([2, 3]);
  t.data[3] = value;
  return t;
};

describe("runCheck: no NaN or Infinity ever passes a judge", () => {
  it("fails a result holding Infinity although the judge passes it, naming the field and the element", async () => {
    const { run } = grade(
      () => PASS,
      () => ({ output: tensor([1, 2]), grad: poisoned(Number.POSITIVE_INFINITY) }),
    );
    const result = await run;
    expect(result.status).toBe("failed");
    expect(result.message).toContain("returned Infinity at grad[1, 0]");
    expect(result.message).toContain("shape [2, 3]");
  });

  it("does the same for NaN inside arrays and for plain numbers", async () => {
    const nested = await grade(
      () => PASS,
      () => ({ grads: [zeros([2]), poisoned(Number.NaN)] }),
    ).run;
    expect(nested.status).toBe("failed");
    expect(nested.message).toContain("NaN at grads[1][1, 0]");
    const number = await grade(
      () => PASS,
      () => Number.NEGATIVE_INFINITY,
    ).run;
    expect(number.status).toBe("failed");
    expect(number.message).toMatch(/^returned -Infinity/);
  });

  it("keeps a failing judge's message and adds where the non-finite value is", async () => {
    const { run } = grade(
      () => fail("grad: wrong values"),
      () => ({ grad: poisoned(Number.POSITIVE_INFINITY) }),
    );
    const result = await run;
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(
      /^grad: wrong values\n {2}also: returned Infinity at grad\[1, 0\]/,
    );
  });

  it("fails (not 'error') when a judge throws on a non-finite value", async () => {
    const { run } = grade(
      () => {
        throw new Error("cannot handle Infinity");
      },
      () => ({ grad: poisoned(Number.POSITIVE_INFINITY) }),
    );
    const result = await run;
    expect(result.status).toBe("failed");
    expect(result.message).toContain("returned Infinity at grad[1, 0]");
  });

  it("leaves finite results to the judge", async () => {
    expect(
      (
        await grade(
          () => PASS,
          () => ({ grad: zeros([2, 3]) }),
        ).run
      ).status,
    ).toBe("passed");
    const failed = await grade(
      () => fail("nope"),
      () => ({ grad: zeros([2, 3]) }),
    ).run;
    expect(failed).toMatchObject({ status: "failed", message: "nope" });
  });

  it("refuses a check whose tolerance is not finite, without running the submission", async () => {
    const { run, sandbox } = grade(
      () => PASS,
      () => ({ grad: poisoned(Number.POSITIVE_INFINITY) }),
      { tolerance: { atol: Number.POSITIVE_INFINITY } },
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssignmentError);
    expect((error as Error).message).toBe(
      "assignment staff (grader/engine/runCheck.test.ts): check 1.careless: its tolerance atol is Infinity, not a finite number of 0 or more (the assignment's defaults or the check's tolerance)",
    );
    expect(sandbox.calls).toBe(0);
  });
});

describe("runCheck: the staff's own code failing is an AssignmentError, never the student's", () => {
  const staffFault = async (
    judge: (testCase: number, result: unknown) => Verdict,
    extra: Partial<CheckDefinition> = {},
  ): Promise<string> => {
    const error = await grade(judge, () => ({ out: 1 }), extra).run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssignmentError);
    return (error as Error).message;
  };
  const HERE = "grader/engine/runCheck\\.test\\.ts:\\d+:\\d+";

  it("a judge that throws on a finite result", async () => {
    const message = await staffFault(() => {
      throw new TypeError("x is undefined");
    });
    expect(message).toMatch(
      new RegExp(
        `^assignment staff \\(grader/engine/runCheck\\.test\\.ts\\): check 1\\.careless: its judge threw TypeError: x is undefined at ${HERE}$`,
      ),
    );
  });

  it("a judge that throws on a hidden check: its message is withheld, its place is not", async () => {
    const message = await staffFault(
      () => {
        throw new Error("the hidden input was 42");
      },
      { hidden: true },
    );
    expect(message).not.toContain("42");
    expect(message).toMatch(
      new RegExp(`its judge threw Error \\(its message is withheld: a hidden check\\) at ${HERE}$`),
    );
  });

  it("an arbitrary that throws while generating, before the submission runs", async () => {
    const { run, sandbox } = grade(
      () => PASS,
      () => 1,
      {
        cases: fc.integer().map((n) => {
          if (n !== Number.MIN_SAFE_INTEGER) throw new Error("cannot draw");
          return n;
        }),
      },
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssignmentError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `check 1\\.careless: its cases \\(the fast-check arbitrary\\) threw while generating: Error: cannot draw at ${HERE}$`,
      ),
    );
    expect(sandbox.calls).toBe(0);
  });

  it("a payload that throws", async () => {
    const message = await staffFault(() => PASS, {
      payload: () => {
        throw new Error("no payload");
      },
    });
    expect(message).toMatch(/check 1\.careless: its payload threw Error: no payload at /);
  });

  it("a show that throws while printing a counterexample", async () => {
    const message = await staffFault(() => fail("wrong"), {
      show: () => {
        throw new Error("cannot print");
      },
    });
    expect(message).toMatch(/check 1\.careless: its show threw Error: cannot print at /);
  });

  it("a judge that returns no verdict", async () => {
    const message = await staffFault(() => undefined as unknown as Verdict);
    expect(message).toMatch(
      /check 1\.careless: its judge returned undefined, not a verdict \(\{ pass: true \} or \{ pass: false, message \}\)$/,
    );
  });

  it("a judge that throws while the failure shrinks", async () => {
    let calls = 0;
    const message = await staffFault((n) => {
      calls++;
      if (calls > 3) throw new Error("late throw");
      return n >= 0 ? fail("always wrong") : PASS;
    });
    expect(message).toMatch(/check 1\.careless: its judge threw Error: late throw at /);
  });
});

describe("runCheck: replay paths stay short (issue 14)", () => {
  // Fails when at least four of eight numbers are 1000 or more: fast-check shrinks every number
  // towards 0 or 1000 one step at a time, through about a hundred steps, so its full path is
  // about 200 characters long.
  const atLeastFourBig = (values: number[]) => values.filter((x) => x >= 1000).length >= 4;
  const check: CheckDefinition<number[]> = {
    id: "1.long-shrink",
    title: "a check whose failure shrinks through many steps",
    points: 1,
    runs: 20,
    cases: fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 8, maxLength: 8 }),
    driver: "call",
    payload: (values) => ({ values }),
    judge: (values) => (atLeastFourBig(values) ? fail(`bad case ${JSON.stringify(values)}`) : PASS),
  };
  const assignment = defineAssignment({
    id: "staff",
    title: "Staff",
    seed: 1,
    modules: ["ops"],
    drivers: packagePath("testing/toy/drivers.ts"),
    problems: [{ id: "1", title: "One", module: "ops", checks: [check] }],
  });
  const run = (seed: number, path?: string) =>
    runCheck(
      check,
      assignment,
      sandboxReturning(() => 0),
      {
        seed,
        deadline: performance.now() + 60_000,
        srcDir: "/nowhere/src",
        ...(path === undefined ? {} : { path }),
      },
    );

  it("the unshortened path would be long: fast-check's own path for this property", () => {
    const result = fc.check(
      fc.property(check.cases, (v) => !atLeastFourBig(v)),
      {
        seed: 3,
        numRuns: 20,
      },
    );
    expect(result.counterexamplePath!.length).toBeGreaterThan(MAX_PATH_CHARS);
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`prints a path of at most ${MAX_PATH_CHARS} characters that replays the case shown (seed ${seed})`, async () => {
      const result = await run(seed);
      expect(result.status).toBe("failed");
      expect(result.path).not.toBeNull();
      expect(result.path!.length).toBeLessThanOrEqual(MAX_PATH_CHARS);
      // Still shrunk a good deal, not just the first failing case.
      expect(result.path!.split(":").length).toBeGreaterThan(20);
      const replayed = await run(seed, result.path!);
      expect(replayed.status).toBe("failed");
      expect(replayed.message).toBe(result.message);
      expect(replayed.counterexample).toBe(result.counterexample);
      expect(replayed.path).toBe(result.path);
    });
  }

  it("keeps a short path as fast-check gives it (fully shrunk)", async () => {
    const small: CheckDefinition<number> = {
      ...(check as unknown as CheckDefinition<number>),
      cases: fc.integer({ min: 0, max: 100 }),
      judge: (n) => (n >= 10 ? fail(`bad ${n}`) : PASS),
    };
    const result = await runCheck(
      small,
      assignment,
      sandboxReturning(() => 0),
      {
        seed: 1,
        deadline: performance.now() + 60_000,
        srcDir: "/nowhere/src",
      },
    );
    expect(result).toMatchObject({ status: "failed", message: "bad 10" });
    expect(result.path!.length).toBeLessThanOrEqual(MAX_PATH_CHARS);
  });
});
