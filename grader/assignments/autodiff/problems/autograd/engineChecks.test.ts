// The engine checks catch planted mistakes in Variable and Operation: gradients overwritten or
// counted per path, exponential time, waiting for uses that do not lead to z, state kept between
// backward calls (issue 14).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GraphNode } from "../../../../../reference/forward/autograd.js";
import * as solution from "../../../../../reference/solution/autograd";
import { add, mul, ones, type Tensor, tensor } from "../../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { throughWire } from "../../../../../testing/throughWire.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import type { GraphPayload } from "../../drivers/autograd.js";
import { drivers } from "../../drivers.js";
import { autogradProblem } from "../autograd.js";
import { LONG_CHAIN_CALLS_PER_STEP, withDeadBranches } from "./graphCases.js";

type Module = Record<string, unknown>;

const { check, run, failsEverySeed, planted } = problemHarness(
  autogradProblem,
  "autograd",
  solution,
);

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

/** The cases runCheckInProcess draws for a seed. */
// biome-ignore lint/suspicious/noExplicitAny: cases of different checks.
function fcSample(c: CheckDefinition, seed: number): any[] {
  return fc.sample(c.cases, { seed, numRuns: c.runs ?? 25 });
}

describe("problem 4: planted mistakes fail the intended check", () => {
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

describe("problem 4: graphs with values z never uses, one value used twice, leaves reused (issue 14)", () => {
  const graph: GraphNode[] = [
    { op: "add", args: [0, 1] },
    { op: "mul", args: [0, 2] },
    { op: "sin", args: [3] },
  ];
  const inputs = [tensor([0.3, -0.2]), tensor([0.5, 0.7])];

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
});
