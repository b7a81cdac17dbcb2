import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/autograd";
import { evaluateGraph, type GraphNode } from "../../../../reference/forward/autograd.js";
import * as solution from "../../../../reference/solution/autograd";
import {
  add,
  div,
  exp,
  log,
  map,
  matmul,
  min,
  mul,
  ones,
  scalar,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../../../../reference/tensor/index.js";
import { type InProcessRun, runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import { throughWire } from "../../../../testing/throughWire.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { checkSeed } from "../../../engine/checkSeed.js";
import type { GraphPayload } from "../drivers/autograd.js";
import { drivers } from "../drivers.js";
import {
  autogradProblem,
  LONG_CHAIN_CALLS_PER_STEP,
  usedTwice,
  withDeadBranches,
} from "./autograd.js";

type Module = Record<string, unknown>;

function check(id: string): CheckDefinition {
  const found = autogradProblem.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

function run(id: string, autograd: Module, seed = 1): InProcessRun {
  return runCheckInProcess(check(id), drivers, { autograd }, { seed });
}

/** The planted bug fails `id` on every one of the seeds; returns the first failure's message. */
function failsEverySeed(
  id: string,
  autograd: Module,
  seeds = 5,
  statuses: readonly string[] = ["failed"],
): string {
  let message = "";
  for (let seed = 1; seed <= seeds; seed++) {
    const result = run(id, autograd, seed);
    // "failed" unless said otherwise: a driver crash or a timeout is not the planted bug caught.
    expect(statuses, `${id}, seed ${seed}: ${result.status}: ${result.message}`).toContain(
      result.status,
    );
    if (!message && result.status === "failed") message = result.message;
  }
  return message;
}

const planted = (replacements: Module): Module => ({ ...solution, ...replacements });

/**
 * An engine whose Variables are `V`: the solution's Operation, except that `forward` makes a V.
 * Engine checks build their graphs from the module's Variable and Operation only.
 */
function engineWith(V: typeof solution.Variable): Module {
  abstract class Operation extends solution.Operation {
    override forward(...inputs: solution.Variable[]): solution.Variable {
      this.parents = inputs;
      return new V(this.forwardCall(...inputs.map((v) => v.data)), this);
    }
  }
  return planted({ Variable: V, Operation });
}

/** Gradients along several uses overwrite each other instead of being added. */
class OverwritingVariable extends solution.Variable {
  override receiveGrad(grad: Tensor): void {
    this.grad = grad.clone();
  }
}

/** Correct values, exponential time: every arriving gradient is sent on at once, path by path. */
let recursiveCalls = 0;
class RecursiveVariable extends solution.Variable {
  override backward(g: Tensor = ones(this.data.shape)): void {
    recursiveCalls++;
    this.grad = this.grad === null ? g.clone() : add(this.grad, g);
    const op = this.parent;
    if (!op) return;
    const grads = op.backwardCall(g);
    op.parents.forEach((parent, i) => {
      parent.backward(grads[i]);
    });
  }
}

/** Sends its accumulated gradient on at every arrival: paths are counted more than once. */
class RecountingVariable extends solution.Variable {
  override backward(g: Tensor = ones(this.data.shape)): void {
    this.grad = this.grad === null ? g.clone() : add(this.grad, g);
    const op = this.parent;
    if (!op) return;
    const grads = op.backwardCall(this.grad);
    op.parents.forEach((parent, i) => {
      parent.backward(grads[i]);
    });
  }
}

const OPS = [
  "VariableAdd",
  "VariableMultiply",
  "ScalarMultiply",
  "MatrixMultiply",
  "TensorDot",
  "Power",
  "Exp",
  "ReLU",
  "Maximum",
  "ReduceMax",
  "Sum",
  "SoftmaxCrossEntropy",
];
const HELPERS = [
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "matmul",
  "pow",
  "exp",
  "relu",
  "tensordot",
  "sum",
];

describe("problem 4: the definition", () => {
  it("has id 4, the title of HOMEWORK.md and checks worth 30 points with unique ids", () => {
    expect(autogradProblem.id).toBe("4");
    expect(autogradProblem.title).toBe("Computational graph engine");
    expect(autogradProblem.module).toBe("autograd");
    const total = autogradProblem.checks.reduce((s, c) => s + c.points, 0);
    expect(total).toBeCloseTo(30, 9);
    const ids = autogradProblem.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of autogradProblem.checks) {
      expect(c.id).toMatch(/^4\./);
      expect(drivers).toHaveProperty(c.driver);
      for (const r of c.requires ?? []) expect(ids).toContain(r);
    }
  });

  it("grades forward and backward of every operation, every helper and the engine behaviours", () => {
    for (const op of OPS) {
      for (const part of ["forward", "backward", "consistent", "immutable"]) {
        expect(check(`4.${op}.${part}`).points, `4.${op}.${part}`).toBeGreaterThan(0);
      }
    }
    for (const helper of HELPERS) expect(check(`4.helpers.${helper}`).points).toBeGreaterThan(0);
    for (const engine of ["reuse", "diamond", "dag", "longChain"]) {
      expect(check(`4.engine.${engine}`).points).toBeGreaterThanOrEqual(2);
    }
    const chain = check("4.engine.longChain");
    expect(chain.runs).toBe(1);
    expect(chain.timeoutMs).toBe(3000);
  });

  it("generates contractions with k = 0, 1, 2 and 3 and products with exact zeros", () => {
    const ks = new Set<number>();
    for (let seed = 1; seed <= 4; seed++) {
      for (const c of fcSample(check("4.TensorDot.backward"), seed)) ks.add(c.arg as number);
    }
    expect([...ks].sort()).toEqual([0, 1, 2, 3]);
    const zeros = fcSample(check("4.VariableMultiply.backward"), 1).filter((c) =>
      c.inputs.some((t: Tensor) => t.data.includes(0)),
    );
    expect(zeros.length).toBeGreaterThan(5);
    // mul(a, b) of one shape (VariableMultiply) with an exact zero: over a quarter of the cases.
    const helperZeros = fc
      .sample(check("4.helpers.mul").cases, { seed: 1, numRuns: 300 })
      .filter(
        (c) =>
          c.inputs.every((t: Tensor) => t.ndim > 0) &&
          c.inputs.some((t: Tensor) => t.data.includes(0)),
      );
    expect(helperZeros.length).toBeGreaterThan(80);
    // Contractions with k >= 2 and every side >= 2 (where the pairing order of dims matters).
    const wide = fc
      .sample(check("4.TensorDot.forward").cases, { seed: 1, numRuns: 300 })
      .filter(
        (c) =>
          (c.arg as number) >= 2 && c.inputs.every((t: Tensor) => t.shape.every((n) => n >= 2)),
      );
    expect(wide.length).toBeGreaterThan(60);
  });
});

/** The cases runCheck draws for a check under a grading seed: the check's own seed, its runs. */
// biome-ignore lint/suspicious/noExplicitAny: cases of different checks.
function drawn(c: CheckDefinition, seed: number): any[] {
  const cases: unknown[] = [];
  fc.check(
    fc.property(c.cases, (testCase) => {
      cases.push(testCase);
      return true;
    }),
    { seed: checkSeed(seed, c.id), numRuns: c.runs ?? 25 },
  );
  return cases;
}

const POWER_SEEDS = [...Array.from({ length: 50 }, (_, i) => i + 1), 20261126];

describe("problem 4: power over seeds", () => {
  it("mul and div of one shape draw a factor with an exact zero, for seeds 1-50 and the assignment's", () => {
    for (const id of ["4.helpers.mul", "4.helpers.div", "4.VariableMultiply.backward"]) {
      for (const seed of POWER_SEEDS) {
        const zeroFactor = drawn(check(id), seed).some(
          (c: { inputs: Tensor[] }) =>
            c.inputs.every((t) => t.ndim > 0) && c.inputs[0]!.data.includes(0),
        );
        expect(zeroFactor, `${id} seed ${seed}`).toBe(true);
      }
    }
  });

  it("every contraction check draws a wide outer product and a k >= 2 case with sides >= 2, for seeds 1-50 and the assignment's", () => {
    // As runCheck draws them: the check's own seed, its runs.
    const ids = [
      "4.TensorDot.forward",
      "4.TensorDot.backward",
      "4.TensorDot.consistent",
      "4.helpers.tensordot",
    ];
    const wideOuter = (a: Tensor, b: Tensor, k: number) => k === 0 && a.size >= 2 && b.size >= 2;
    const pairingMatters = (a: Tensor, k: number) =>
      k >= 2 && a.shape.slice(a.ndim - k).every((side) => side >= 2);
    for (const id of ids) {
      const c = check(id);
      for (const seed of [...Array.from({ length: 50 }, (_, i) => i + 1), 20261126]) {
        const cases: { inputs: Tensor[]; arg?: number; extra?: number[] }[] = [];
        fc.check(
          fc.property(c.cases, (testCase) => {
            cases.push(testCase);
            return true;
          }),
          { seed: checkSeed(seed, id), numRuns: c.runs ?? 25 },
        );
        const k = (x: (typeof cases)[number]) => (x.arg ?? x.extra?.[0]) as number;
        expect(
          cases.some((x) => wideOuter(x.inputs[0]!, x.inputs[1]!, k(x))),
          `${id} seed ${seed}`,
        ).toBe(true);
        expect(
          cases.some((x) => pairingMatters(x.inputs[0]!, k(x))),
          `${id} seed ${seed}`,
        ).toBe(true);
      }
    }
  });
});

/** The cases runCheckInProcess draws for a seed. */
// biome-ignore lint/suspicious/noExplicitAny: cases of different checks.
function fcSample(c: CheckDefinition, seed: number): any[] {
  return fc.sample(c.cases, { seed, numRuns: c.runs ?? 25 });
}

describe("problem 4: the staff solution", () => {
  it("passes every check for 30 seeds", () => {
    for (const c of autogradProblem.checks) {
      for (let seed = 1; seed <= 30; seed++) {
        const result = runCheckInProcess(c, drivers, { autograd: solution }, { seed });
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  }, 60_000);
});

describe("problem 4: the starter", () => {
  it("is not implemented in every check", () => {
    for (const c of autogradProblem.checks) {
      const result = runCheckInProcess(c, drivers, { autograd: starter }, { seed: 1 });
      expect(result.status, `${c.id}: ${result.message}`).toBe("not-implemented");
    }
  });
});

describe("problem 4: planted mistakes fail the intended check", () => {
  it("a product gradient that divides by the entry fails 4.VariableMultiply.backward (exact zeros)", () => {
    class VariableMultiply extends solution.VariableMultiply {
      xs: Tensor[] = [];
      product: Tensor | null = null;
      override forwardCall(...xs: Tensor[]): Tensor {
        this.xs = xs;
        this.product = super.forwardCall(...xs);
        return this.product;
      }
      override backwardCall(g: Tensor): Tensor[] {
        return this.xs.map((x) => div(mul(g, this.product!), x));
      }
    }
    const message = failsEverySeed("4.VariableMultiply.backward", planted({ VariableMultiply }));
    expect(message).toMatch(/NaN|division by zero/);
  });

  it("a tensordot backward that is right only for k = 1 fails 4.TensorDot.backward", () => {
    class TensorDot extends solution.TensorDot {
      saved: [Tensor, Tensor] | null = null;
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        this.saved = [A, B];
        return super.forwardCall(A, B);
      }
      override backwardCall(g: Tensor): Tensor[] {
        // The solution's flattening, with the sizes of a contraction over exactly one axis.
        const [A, B] = this.saved!;
        const size = (sides: readonly number[]) => sides.reduce((x, y) => x * y, 1);
        const a = size(A.shape.slice(0, A.ndim - 1));
        const c = size(B.shape.slice(0, 1));
        const b = size(B.shape.slice(1));
        const G = g.reshape([a, b]);
        return [
          matmul(G, B.reshape([c, b]).transpose()).reshape(A.shape),
          matmul(A.reshape([a, c]).transpose(), G).reshape(B.shape),
        ];
      }
    }
    // Mostly a reshape that does not fit (an error), sometimes wrong values.
    for (let seed = 1; seed <= 5; seed++) {
      const result = run("4.TensorDot.backward", planted({ TensorDot }), seed);
      expect(["failed", "error"]).toContain(result.status);
      expect(result.message).not.toBe("");
    }
    for (let seed = 1; seed <= 3; seed++) {
      expect(run("4.TensorDot.forward", planted({ TensorDot }), seed).status).toBe("passed");
    }
  });

  it("a tensordot backward that flattens the contracted axes in reverse order (right for k <= 1) fails 4.TensorDot.backward", () => {
    class TensorDot extends solution.TensorDot {
      saved: [Tensor, Tensor] | null = null;
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        this.saved = [A, B];
        return super.forwardCall(A, B);
      }
      override backwardCall(g: Tensor): Tensor[] {
        const [A, B] = this.saved!;
        const k = this.k;
        const size = (sides: readonly number[]) => sides.reduce((x, y) => x * y, 1);
        const a = size(A.shape.slice(0, A.ndim - k));
        const c = size(B.shape.slice(0, k));
        const b = size(B.shape.slice(k));
        const reversed = [...Array.from({ length: k }, (_, i) => k - 1 - i)];
        const perm = [...reversed, ...Array.from({ length: B.ndim - k }, (_, i) => k + i)];
        const B2 = B.transpose(perm).reshape([c, b]);
        const dA = matmul(g.reshape([a, b]), B2.transpose()).reshape(A.shape);
        return [dA, super.backwardCall(g)[1]!];
      }
    }
    const message = failsEverySeed("4.TensorDot.backward", planted({ TensorDot }), 5);
    expect(message).toMatch(/the gradient of A from TensorDot\.backwardCall/);
  });

  it("a TensorDot.forwardCall that pairs the contracted dims in reverse order fails 4.TensorDot.forward for 50 seeds", () => {
    // The contraction of mistake-1-tensordot-order: right only for k <= 1.
    class TensorDot extends solution.TensorDot {
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        super.forwardCall(A, B);
        const k = this.k;
        const perm = [
          ...Array.from({ length: k }, (_, i) => k - 1 - i),
          ...B.shape.slice(k).map((_, i) => k + i),
        ];
        const shared = A.shape.slice(A.ndim - k).reduce((a, b) => a * b, 1);
        return matmul(A.reshape([-1, shared]), B.transpose(perm).reshape([shared, -1])).reshape([
          ...A.shape.slice(0, A.ndim - k),
          ...B.shape.slice(k),
        ]);
      }
    }
    const message = failsEverySeed("4.TensorDot.forward", planted({ TensorDot }), 50);
    expect(message).toContain("TensorDot.forwardCall");
    // Its (correct) backward does not use the forward: 4.TensorDot.backward passes.
    expect(run("4.TensorDot.backward", planted({ TensorDot })).status).toBe("passed");
  });

  it("a TensorDot.forwardCall with a k = 2 full-rank contraction gets no hint about a batch", () => {
    class TensorDot extends solution.TensorDot {
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        const out = super.forwardCall(A, B);
        return out.ndim === 0 ? out.reshape([1]) : out;
      }
    }
    for (let seed = 1; seed <= 5; seed++) {
      const result = run("4.TensorDot.forward", planted({ TensorDot }), seed);
      expect(result.status).toBe("failed");
      expect(result.message).toMatch(/shape \[1\] but \[\] was expected: an extra axis of size 1/);
      expect(result.message).not.toContain("batch");
    }
  });

  it("a sign error in ScalarMultiply's backward fails 4.ScalarMultiply.backward with a sign hint", () => {
    class ScalarMultiply extends solution.ScalarMultiply {
      override backwardCall(g: Tensor): Tensor[] {
        return super.backwardCall(g).map((t) => mul(t, -1));
      }
    }
    expect(failsEverySeed("4.ScalarMultiply.backward", planted({ ScalarMultiply }))).toMatch(
      /sign/,
    );
    expect(failsEverySeed("4.ScalarMultiply.consistent", planted({ ScalarMultiply }))).toMatch(
      /disagrees with your own forward/,
    );
  });

  it("a Sum backward that ignores its downstream gradient fails 4.Sum.backward", () => {
    class Sum extends solution.Sum {
      override backwardCall(_g: Tensor): Tensor[] {
        return super.backwardCall(scalar(1));
      }
    }
    failsEverySeed("4.Sum.backward", planted({ Sum }));
  });

  it("a softmax cross-entropy not divided by the batch fails 4.SoftmaxCrossEntropy.forward", () => {
    class SoftmaxCrossEntropy extends solution.SoftmaxCrossEntropy {
      override forwardCall(logits: Tensor): Tensor {
        return mul(super.forwardCall(logits), logits.shape[0]!);
      }
    }
    expect(
      failsEverySeed("4.SoftmaxCrossEntropy.forward", planted({ SoftmaxCrossEntropy })),
    ).toMatch(/batch size/);
  });

  it("a softmax cross-entropy shifted by the row minimum (overflows) fails 4.SoftmaxCrossEntropy.forward and .backward", () => {
    class SoftmaxCrossEntropy extends solution.SoftmaxCrossEntropy {
      private P: Tensor | null = null;
      override forwardCall(logits: Tensor): Tensor {
        const shifted = sub(logits, min(logits, 1, true));
        const logP = sub(shifted, log(sum(exp(shifted), 1, true)));
        this.P = exp(logP);
        return scalar(-sum(mul(this.labels, logP)).item() / logits.shape[0]!);
      }
      override backwardCall(g: Tensor): Tensor[] {
        return [mul(sub(this.P!, this.labels), g.item() / this.P!.shape[0]!)];
      }
    }
    failsEverySeed("4.SoftmaxCrossEntropy.forward", planted({ SoftmaxCrossEntropy }));
    failsEverySeed("4.SoftmaxCrossEntropy.backward", planted({ SoftmaxCrossEntropy }));
  });

  it("a softmax cross-entropy without any shift (e^x overflows) fails 4.SoftmaxCrossEntropy.forward", () => {
    class SoftmaxCrossEntropy extends solution.SoftmaxCrossEntropy {
      override forwardCall(logits: Tensor): Tensor {
        super.forwardCall(logits);
        const e = exp(logits);
        const logP = log(div(e, sum(e, 1, true)));
        return scalar(-sum(mul(this.labels, logP)).item() / logits.shape[0]!);
      }
    }
    failsEverySeed("4.SoftmaxCrossEntropy.forward", planted({ SoftmaxCrossEntropy }));
  });

  it("a Maximum that sends the gradient to every input fails 4.Maximum.backward", () => {
    class Maximum extends solution.Maximum {
      override backwardCall(g: Tensor): Tensor[] {
        return super.backwardCall(g).map(() => g.clone());
      }
    }
    failsEverySeed("4.Maximum.backward", planted({ Maximum }));
  });

  it("an operation that writes into its input fails 4.Exp.immutable", () => {
    class Exp extends solution.Exp {
      override forwardCall(x: Tensor): Tensor {
        const out = super.forwardCall(x);
        x.data.fill(0);
        return out;
      }
    }
    expect(failsEverySeed("4.Exp.immutable", planted({ Exp }))).toMatch(/modified/);
  });

  it("sub(a, b) that adds fails 4.helpers.sub", () => {
    const sub = (a: solution.Variable, b: solution.Variable) => solution.add(a, b);
    failsEverySeed("4.helpers.sub", planted({ sub }));
  });

  it("gradients of a reused variable overwritten instead of summed fail the engine checks", () => {
    const engine = engineWith(OverwritingVariable);
    expect(failsEverySeed("4.engine.reuse", engine)).toMatch(
      /added, not overwritten|sum of the gradients/,
    );
    failsEverySeed("4.engine.diamond", engine);
    failsEverySeed("4.engine.dag", engine);
    expect(run("4.engine.longChain", engine).message).toMatch(/grad/);
  });

  it("paths counted more than once fail 4.engine.diamond", () => {
    failsEverySeed("4.engine.diamond", engineWith(RecountingVariable));
  });

  it("an exponential-time backward blows up on a short chain; the long chain stops it by counting calls", () => {
    // Right values, 2^(n+1) - 1 backward calls for a chain of n steps v = add(v, v).
    const steps = 14;
    const payload: GraphPayload = {
      inputs: [tensor([0.5, -1])],
      nodes: Array.from({ length: steps }, (_, i) => ({ op: "add", args: [i, i] })),
      downstream: tensor([1, 2]),
    };
    const call = (module: Module) =>
      throughWire((p) => drivers["autograd.graph"]!({ autograd: module }, p), payload) as {
        grads: Tensor[];
      };
    recursiveCalls = 0;
    const slow = call(engineWith(RecursiveVariable));
    expect(recursiveCalls).toBe(2 ** (steps + 1) - 1);
    expect([...slow.grads[0]!.data]).toEqual([2 ** steps, 2 ** (steps + 1)]);
    expect([...call(solution).grads[0]!.data]).toEqual([2 ** steps, 2 ** (steps + 1)]);

    // The long chain counts backwardCall in the child: the exponential engine is stopped at the
    // cap and fails whatever the machine's load; the solution runs each operation once.
    const chain = check("4.engine.longChain");
    const context = { seed: 1, tolerance: { atol: 1e-6, rtol: 1e-5 }, wallMs: 20 };
    for (const testCase of fcSample(chain, 3)) {
      const steps = (testCase as { nodes: unknown[] }).nodes.length;
      const judged = (module: Module) => {
        const result = throughWire(
          (p) => drivers["autograd.graph"]!({ autograd: module }, p),
          chain.payload(testCase),
        ) as { backwardCalls: number; capped: boolean };
        return { result, verdict: chain.judge(testCase, result, context) };
      };
      const right = judged(solution);
      expect(right.result).toMatchObject({ backwardCalls: steps, capped: false });
      expect(right.verdict).toEqual({ pass: true });
      recursiveCalls = 0;
      const wrong = judged(engineWith(RecursiveVariable));
      expect(wrong.result).toMatchObject({
        backwardCalls: LONG_CHAIN_CALLS_PER_STEP * steps + 1,
        capped: true,
      });
      expect(wrong.verdict.pass).toBe(false);
      expect(wrong.verdict.pass ? "" : wrong.verdict.message).toMatch(
        /ran the operations' backwardCall more than \d+ times for \d+ operations, and was stopped there/,
      );
      // A wall time far past any limit changes nothing: time is no longer judged.
      expect(chain.judge(testCase, right.result, { ...context, wallMs: 60_000 })).toEqual({
        pass: true,
      });
    }
  });
});

describe("problem 4: NaN and Infinity never pass a judge (issue 13)", () => {
  type OpClass = new (
    ...args: never[]
  ) => { forwardCall(...inputs: Tensor[]): Tensor; backwardCall(g: Tensor): Tensor[] };
  /** Every operation of HOMEWORK.md, by export name. */
  const OP_CLASSES = {
    VariableAdd: solution.VariableAdd,
    VariableMultiply: solution.VariableMultiply,
    ScalarMultiply: solution.ScalarMultiply,
    MatrixMultiply: solution.MatrixMultiply,
    TensorDot: solution.TensorDot,
    Power: solution.Power,
    Exp: solution.Exp,
    ReLU: solution.ReLU,
    Maximum: solution.Maximum,
    ReduceMax: solution.ReduceMax,
    Sum: solution.Sum,
    SoftmaxCrossEntropy: solution.SoftmaxCrossEntropy,
  } as Record<string, unknown> as Record<string, OpClass>;
  const OP_NAMES = Object.keys(OP_CLASSES);

  /** Zeros of `like`'s shape with `value` at the middle element (the attack of issue 13). */
  const plantedIn = (like: Tensor, value: number): Tensor => {
    const data = new Float64Array(like.size);
    data[Math.floor(like.size / 2)] = value;
    return tensor(data, like.shape);
  };

  function poisonedBackward(name: string, value: number): Module {
    const Base = OP_CLASSES[name]!;
    class Poisoned extends Base {
      override backwardCall(g: Tensor): Tensor[] {
        return super.backwardCall(g).map((grad) => plantedIn(grad, value));
      }
    }
    return planted({ [name]: Poisoned });
  }

  it("right-shaped zeros with one Infinity or NaN fail every operation's .consistent and .backward (Infinity passed .consistent)", () => {
    for (const name of OP_NAMES) {
      for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
        const message = failsEverySeed(`4.${name}.consistent`, poisonedBackward(name, value), 3);
        expect(message, `${name}, ${value}`).toContain(String(value));
        failsEverySeed(`4.${name}.backward`, poisonedBackward(name, value), 2);
      }
    }
  }, 30_000);

  it("a finite but huge gradient entry (1e200) fails .consistent", () => {
    for (const name of OP_NAMES)
      failsEverySeed(`4.${name}.consistent`, poisonedBackward(name, 1e200), 3);
  });

  it("a forwardCall that returns Infinity at a probe point fails .consistent", () => {
    for (const name of OP_NAMES) {
      const Base = OP_CLASSES[name]!;
      let poisonNext = false;
      class Poisoned extends Base {
        override forwardCall(...inputs: Tensor[]): Tensor {
          const out = super.forwardCall(...inputs);
          if (!poisonNext) return out;
          poisonNext = false;
          const data = out.data.slice();
          data[0] = Number.POSITIVE_INFINITY;
          return tensor(data, out.shape);
        }
        override backwardCall(g: Tensor): Tensor[] {
          poisonNext = true;
          return super.backwardCall(g);
        }
      }
      const message = failsEverySeed(`4.${name}.consistent`, planted({ [name]: Poisoned }), 3);
      expect(message, name).toMatch(/not finite|Infinity|NaN/);
    }
  });
});

/** Which values the last node uses (directly or not), inputs first. */
function usedByZ(nodes: readonly GraphNode[], inputCount: number): boolean[] {
  const needed = new Array<boolean>(inputCount + nodes.length).fill(false);
  needed[needed.length - 1] = true;
  for (let n = nodes.length - 1; n >= 0; n--) {
    if (needed[inputCount + n]) for (const a of nodes[n]!.args) needed[a] = true;
  }
  return needed;
}

interface DrawnGraph {
  inputs: Tensor[];
  nodes: GraphNode[];
  after?: GraphNode[];
  again?: boolean;
}
const hasDead = (c: DrawnGraph) =>
  (c.after ?? []).length > 0 || usedByZ(c.nodes, c.inputs.length).includes(false);
const takesOneValueTwice = (c: DrawnGraph) => {
  const used = usedByZ(c.nodes, c.inputs.length);
  return c.nodes.some(
    (node, n) => used[c.inputs.length + n] && new Set(node.args).size < node.args.length,
  );
};

describe("problem 4: graphs with values z never uses, one value used twice, leaves reused (issue 14)", () => {
  const graph: GraphNode[] = [
    { op: "add", args: [0, 1] },
    { op: "mul", args: [0, 2] },
    { op: "sin", args: [3] },
  ];
  const inputs = [tensor([0.3, -0.2]), tensor([0.5, 0.7])];

  it("withDeadBranches keeps z (the last node) and its value, and adds only values z does not use", () => {
    const dead = {
      before: [
        [2, 1, 5],
        [0, 2, 1],
      ] as [number, number, number][],
      after: [[1, 0, 3]] as [number, number, number][],
    };
    const { nodes, after } = withDeadBranches(2, graph, dead);
    expect(nodes).toHaveLength(graph.length + 2);
    expect([...evaluateGraph(nodes, inputs).data]).toEqual([...evaluateGraph(graph, inputs).data]);
    const used = usedByZ(nodes, 2);
    expect(used.filter((u) => !u)).toHaveLength(2);
    // Every dead value takes a value z uses (so a Variable that waits for all uses waits forever).
    for (const [n, node] of nodes.entries()) {
      if (!used[2 + n]) expect(node.args.every((a) => used[a])).toBe(true);
    }
    // The first value built after z takes an intermediate: neither a leaf nor z.
    expect(after).toHaveLength(1);
    const z = 2 + nodes.length - 1;
    expect(after[0]!.args[0]).toBeGreaterThanOrEqual(2);
    expect(after[0]!.args[0]).toBeLessThan(z);
    expect(used[after[0]!.args[0]!]).toBe(true);
  });

  it("usedTwice makes one node take one value twice and keeps the previous node as an argument", () => {
    const nodes: GraphNode[] = [
      { op: "mean", args: [1, 0, 1] },
      { op: "mul", args: [2, 0] },
    ];
    const twice = usedTwice(nodes, 2, 1, false);
    expect(twice[1]!.args).toEqual([2, 2]);
    expect(twice[0]).toEqual(nodes[0]);
    const other = usedTwice(nodes, 2, 0, true);
    expect(other[0]!.args).toContain(1);
    expect(new Set(other[0]!.args).size).toBeLessThan(3);
  });

  it("reuse, diamond and dag draw dead values, dag a value used twice by one node, reuse and dag reused leaves, for seeds 1-50 and the assignment's", () => {
    for (const seed of POWER_SEEDS) {
      for (const id of ["4.engine.reuse", "4.engine.diamond", "4.engine.dag"]) {
        const cases = drawn(check(id), seed) as DrawnGraph[];
        expect(cases.some(hasDead), `${id} seed ${seed}: dead values`).toBe(true);
        // A value z uses with a consumer z does not use that is not a leaf.
        const deadOnIntermediate = cases.some((c) => {
          const used = usedByZ(c.nodes, c.inputs.length);
          const z = c.inputs.length + c.nodes.length - 1;
          const consumers = [
            ...c.nodes.filter((_, n) => !used[c.inputs.length + n]),
            ...(c.after ?? []),
          ];
          return consumers.some((node) =>
            node.args.some((a) => a >= c.inputs.length && a !== z && used[a]),
          );
        });
        expect(deadOnIntermediate, `${id} seed ${seed}: dead use of an intermediate`).toBe(true);
        if (id !== "4.engine.diamond") {
          expect(
            cases.some((c) => c.again === true),
            `${id} seed ${seed}: again`,
          ).toBe(true);
          expect(cases.some(takesOneValueTwice), `${id} seed ${seed}: twice`).toBe(true);
        }
      }
    }
  });

  it("the staff solution passes graphs with dead values and reused leaves (the driver's second graph)", () => {
    const payload: GraphPayload = {
      inputs,
      nodes: withDeadBranches(2, graph, { before: [[0, 1, 0]], after: [[2, 0, 0]] }).nodes,
      after: [{ op: "sin", args: [2] }],
      downstream: tensor([1, -2]),
      again: true,
    };
    const result = throughWire(
      (p) => drivers["autograd.graph"]!({ autograd: solution }, p),
      payload,
    ) as { grads: Tensor[] };
    const once = throughWire((p) => drivers["autograd.graph"]!({ autograd: solution }, p), {
      ...payload,
      again: false,
    }) as { grads: Tensor[] };
    expect([...result.grads[0]!.data]).toEqual([...once.grads[0]!.data]);
    expect([...result.grads[1]!.data]).toEqual([...once.grads[1]!.data]);
  });

  /** Counts every use a Variable ever had (in forward), and waits for all of them. */
  class CountingVariable extends solution.Variable {
    uses = 0;
    arrived = 0;
    pending: Tensor | null = null;
    override backward(g: Tensor = ones(this.data.shape)): void {
      this.complete(g);
    }
    override receiveGrad(grad: Tensor): void {
      this.pending = this.pending === null ? grad : add(this.pending, grad);
      if (++this.arrived === this.uses) this.complete(this.pending);
    }
    complete(grad: Tensor): void {
      this.grad = grad;
      this.arrived = 0;
      this.pending = null;
      this.parent?.backward(grad);
    }
  }
  function countingEngine(): Module {
    abstract class Operation extends solution.Operation {
      override forward(...inputs: solution.Variable[]): solution.Variable {
        this.parents = inputs;
        for (const v of inputs) (v as CountingVariable).uses++;
        return new CountingVariable(this.forwardCall(...inputs.map((v) => v.data)), this);
      }
    }
    return planted({ Variable: CountingVariable, Operation });
  }

  it("an engine that waits for every use a Variable ever had fails reuse, diamond and dag", () => {
    for (const id of ["4.engine.reuse", "4.engine.diamond", "4.engine.dag"]) {
      const message = failsEverySeed(id, countingEngine());
      expect(message, id).toMatch(/z never uses|earlier graph/);
    }
  });

  it("an Operation.backward that hands a parent listed twice one gradient fails reuse and dag", () => {
    abstract class Operation extends solution.Operation {
      override backward(g: Tensor): void {
        const grads = this.backwardCall(g);
        const done = new Set<solution.Variable>();
        this.parents.forEach((parent, i) => {
          if (!done.has(parent)) parent.receiveGrad(grads[i]!);
          done.add(parent);
        });
      }
    }
    const module = planted({ Operation });
    failsEverySeed("4.engine.reuse", module);
    failsEverySeed("4.engine.dag", module);
  });

  it("a visited set kept between backward calls fails reuse and dag (leaves reused by a second graph)", () => {
    const visited = new Set<solution.Variable>();
    class ForgetfulVariable extends solution.Variable {
      override backward(g: Tensor = ones(this.data.shape)): void {
        const order: solution.Variable[] = [];
        const visit = (v: solution.Variable) => {
          if (visited.has(v)) return;
          visited.add(v);
          for (const p of v.parent?.parents ?? []) visit(p);
          order.push(v);
        };
        visit(this);
        for (const v of order) v.grad = mul(v.data, 0);
        this.grad = g.clone();
        for (const v of order.reverse()) v.parent?.backward(v.grad!);
      }
      override receiveGrad(grad: Tensor): void {
        this.grad = add(this.grad as Tensor, grad);
      }
    }
    const module = engineWith(ForgetfulVariable);
    failsEverySeed("4.engine.reuse", module, 5, ["failed", "error"]);
    failsEverySeed("4.engine.dag", module, 5, ["failed", "error"]);
  });

  it("every .consistent check earns its points only with its .forward (a constant forward and a zero backward agree)", () => {
    for (const op of OPS) {
      expect(check(`4.${op}.consistent`).requires, op).toEqual([`4.${op}.forward`]);
    }
    // The stub the requirement is for: consistent on its own, wrong forward.
    class Exp extends solution.Exp {
      shape: readonly number[] = [];
      override forwardCall(x: Tensor): Tensor {
        this.shape = x.shape;
        return ones(x.shape);
      }
      override backwardCall(_g: Tensor): Tensor[] {
        return [mul(ones(this.shape), 0)];
      }
    }
    expect(run("4.Exp.consistent", planted({ Exp })).status).toBe("passed");
    expect(run("4.Exp.forward", planted({ Exp })).status).toBe("failed");
  });
});

describe("problem 4: Exp near e^700 (issue 14)", () => {
  /** An Exp whose backward multiplies by `slope(x)` instead of e^x. */
  const expWithSlope = (slope: (v: number) => number) =>
    class extends solution.Operation {
      private input: Tensor | null = null;
      override forwardCall(x: Tensor): Tensor {
        this.input = x;
        return exp(x);
      }
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        return [mul(downstreamGrad, map(this.input!, slope))];
      }
    };

  it("a slope capped at e^30 fails .backward and .consistent on every one of 10 seeds", () => {
    const Exp = expWithSlope((v) => Math.exp(Math.min(v, 30)));
    for (let seed = 1; seed <= 10; seed++) {
      expect(run("4.Exp.backward", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
      expect(run("4.Exp.consistent", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
    }
  });

  it("a slope kept in float32 (Infinity above 88.7) fails .backward on every one of 10 seeds", () => {
    const Exp = expWithSlope((v) => Math.fround(Math.exp(v)));
    for (let seed = 1; seed <= 10; seed++) {
      expect(run("4.Exp.backward", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
    }
  });

  it("an input clamped at 50 fails .forward on every one of 10 seeds", () => {
    class Exp extends solution.Operation {
      override forwardCall(x: Tensor): Tensor {
        return map(x, (v) => Math.exp(Math.min(v, 50)));
      }
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        return [downstreamGrad];
      }
    }
    for (let seed = 1; seed <= 10; seed++) {
      expect(run("4.Exp.forward", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
    }
  });

  it("e^x as Math.E ** x, and the exact slope from the input, pass every Exp check for 20 seeds", () => {
    class Exp extends solution.Operation {
      private input: Tensor | null = null;
      override forwardCall(x: Tensor): Tensor {
        this.input = x;
        return map(x, (v) => Math.E ** v);
      }
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        return [mul(downstreamGrad, exp(this.input!))];
      }
    }
    for (let seed = 1; seed <= 20; seed++) {
      for (const id of ["4.Exp.forward", "4.Exp.backward", "4.Exp.consistent", "4.Exp.immutable"]) {
        const result = run(id, planted({ Exp }), seed);
        expect(result.status, `${id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });
});
