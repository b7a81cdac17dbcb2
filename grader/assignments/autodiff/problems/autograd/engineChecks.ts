/**
 * Problem 4's engine checks: z.backward on generated graphs of driver-supplied operations that
 * subclass the submission's `Operation` (reuse, diamonds, random DAGs, long chains), every leaf's
 * grad against finite differences of the reference graph, with hints that name what is special
 * about a graph when a gradient is wrong.
 */
import { numericalVjp, type Tolerance } from "../../../../../checks/index.js";
import { evaluateGraph, type GraphNode } from "../../../../../reference/forward/autograd.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import { closeTo } from "../../../../authoring/builders/internal/closeTo.js";
import { field } from "../../../../authoring/builders/internal/field.js";
import { expectTensor, fail, PASS, showValue } from "../../../../authoring/judge.js";
import type { CheckDefinition, Verdict } from "../../../../authoring/types.js";
import type { GraphPayload } from "../../drivers/autograd.js";
import { dependencies, type GraphCase } from "./graphCase.js";
import {
  dagCases,
  diamondCases,
  LONG_CHAIN_CALLS_PER_STEP,
  longChainCases,
  reuseCases,
} from "./graphCases.js";

/** The graph's value as a function of its inputs (the reference operations of GRAPH_OPS). */
const graphFunction =
  (nodes: readonly GraphNode[]) =>
  (...inputs: Tensor[]): Tensor =>
    evaluateGraph(nodes, inputs);

/** Where value `index` is used on the way to z: (node, argument position) pairs. */
function usesOf(
  nodes: readonly GraphNode[],
  index: number,
  inputCount: number,
): [number, number][] {
  const needed = dependencies(nodes, inputCount);
  return nodes.flatMap((node, n) =>
    needed[inputCount + n]
      ? node.args.flatMap((a, position): [number, number][] => (a === index ? [[n, position]] : []))
      : [],
  );
}

/** Explains a wrong leaf gradient of a reused leaf: is it the gradient along one use only? */
function reuseHint(c: GraphCase, leaf: number, actual: unknown, tolerance: Tolerance): string {
  const uses = usesOf(c.nodes, leaf, c.inputs.length);
  if (uses.length < 2 || !(actual instanceof Tensor)) return "";
  for (const [node, position] of uses) {
    const alongOne = numericalVjp(
      (x: Tensor) =>
        evaluateGraph(c.nodes, c.inputs, (n, p, value) =>
          n === node && p === position ? x : value,
        ),
      [c.inputs[leaf]!],
      c.downstream,
    );
    if (closeTo(actual, alongOne, tolerance)) {
      return `\n  hint: x${leaf} is used ${uses.length} times, and its grad is the gradient along one of those uses only (argument ${position} of v${node}); the gradients arriving along all uses must be added, not overwritten`;
    }
  }
  return `\n  hint: x${leaf} is used ${uses.length} times; its grad must be the sum of the gradients along all of its uses, each path counted once`;
}

function judgeGraph(c: GraphCase, result: unknown, tolerance: Tolerance): Verdict {
  const f = graphFunction(c.nodes);
  const value = expectTensor(field(result, "value"), f(...c.inputs), {
    name: `the value of ${c.label}`,
    tolerance,
  });
  if (!value.pass) return value;
  const grads = field(result, "grads");
  const list = Array.isArray(grads) ? grads : [];
  const needed = dependencies(c.nodes, c.inputs.length);
  for (let i = 0; i < c.inputs.length; i++) {
    if (!needed[i]) continue;
    const expected = numericalVjp(f, c.inputs, c.downstream, i);
    const verdict = expectTensor(list[i], expected, {
      name: `x${i}.grad after z.backward(${c.seedless ? "" : "seed"}) on ${c.label}`,
      tolerance,
    });
    if (!verdict.pass) {
      return fail(verdict.message + reuseHint(c, i, list[i], tolerance) + graphHint(c, list[i]));
    }
  }
  return PASS;
}

/** Whether the case has values that z never uses. */
function hasDeadValues(c: GraphCase): boolean {
  return (c.after ?? []).length > 0 || dependencies(c.nodes, c.inputs.length).includes(false);
}

/** Explains a wrong leaf gradient by what is special about the graph: dead values, a reused leaf. */
function graphHint(c: GraphCase, actual: unknown): string {
  const hints: string[] = [];
  if ((actual === null || actual === undefined) && hasDeadValues(c)) {
    hints.push(
      "\n  hint: this graph also computes values that z never uses (marked below); a Variable must not wait for gradients from uses that do not lead to z: count uses only on the way from z (e.g. a topological order of what z depends on), not every operation that ever took the Variable",
    );
  }
  if (c.again) {
    hints.push(
      "\n  hint: the leaf Variables were used by an earlier graph (built and backpropagated first, then every leaf's grad set back to null); nothing left over from the earlier backward (visited flags, counters, caches) may change the new graph's gradients",
    );
  }
  return hints.join("");
}

function showGraph(c: GraphCase): string {
  const nInputs = c.inputs.length;
  const name = (i: number) => (i < nInputs ? `x${i}` : `v${i - nInputs}`);
  const needed = dependencies(c.nodes, nInputs);
  const line = (node: GraphNode, n: number, note: string) =>
    `  ${name(nInputs + n)} = ${node.op}(${node.args.map(name).join(", ")})${note}`;
  const lines = c.nodes.map((node, n) =>
    line(node, n, needed[nInputs + n] ? "" : "   (z does not use it)"),
  );
  const shown = lines.length > 12 ? [...lines.slice(0, 6), "  ...", ...lines.slice(-3)] : lines;
  const after = (c.after ?? []).map((node, k) =>
    line(node, c.nodes.length + k, "   (built after z, z does not use it)"),
  );
  const parts: Record<string, unknown> = {};
  c.inputs.forEach((t, i) => {
    parts[`x${i}`] = t;
  });
  if (!c.seedless) parts.seed = c.downstream;
  const z = name(nInputs + c.nodes.length - 1);
  const again = c.again
    ? "\nThe graph was built and backpropagated once, every leaf's grad set back to null, then the graph built again with new operations over the same leaf Variables; this is the second backward."
    : "";
  return `${c.label}:\n${[...shown, ...after].join("\n")}\nz = ${z}; z.backward(${c.seedless ? "" : "seed"}), with\n${showValue(parts)}${again}`;
}

function graphPayload(c: GraphCase): GraphPayload {
  return {
    inputs: c.inputs,
    nodes: c.nodes,
    after: c.after,
    downstream: c.downstream,
    seedless: c.seedless,
    again: c.again,
    callCap: c.callCap,
  };
}

/** The long chain's judge: the gradients, then how often backwardCall ran. */
function judgeLongChain(c: GraphCase, result: unknown, tolerance: Tolerance): Verdict {
  const steps = c.nodes.length;
  const calls = field(result, "backwardCalls");
  if (field(result, "capped") === true) {
    return fail(
      `backpropagating ${c.label} ran the operations' backwardCall more than ${c.callCap} times for ${steps} operations, and was stopped there: the backward pass must run each operation's backwardCall once (let every Variable collect the gradients of all its uses before passing its own on, e.g. in reverse topological order), not once per path`,
    );
  }
  const verdict = judgeGraph(c, result, tolerance);
  if (!verdict.pass) return verdict;
  if (typeof calls === "number" && calls < steps) {
    return fail(
      `backpropagating ${c.label} ran the operations' backwardCall ${calls} times for ${steps} operations: each operation on the way to z must run once`,
    );
  }
  return PASS;
}

/** The engine's checks, in grading order. */
export const engineChecks: CheckDefinition<GraphCase>[] = [
  {
    id: "4.engine.reuse",
    title: "a Variable used several times gets the sum of the gradients of all its uses",
    points: 2,
    cases: reuseCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeGraph(c, result, ctx.tolerance),
    show: showGraph,
  },
  {
    id: "4.engine.diamond",
    title: "diamonds: every path counted exactly once (seed given, or the default seed)",
    points: 2,
    cases: diamondCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeGraph(c, result, ctx.tolerance),
    show: showGraph,
  },
  {
    id: "4.engine.dag",
    title: "random graphs of operations subclassing your Operation: gradients of every input",
    points: 3,
    cases: dagCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeGraph(c, result, ctx.tolerance),
    show: showGraph,
  },
  {
    id: "4.engine.longChain",
    title: `a chain of 100 to 200 steps, each using the previous Variable twice: right, with each operation's backwardCall run once (at most ${LONG_CHAIN_CALLS_PER_STEP} calls per step)`,
    points: 2.5,
    runs: 1,
    // Only a fence now: the calls are counted, so a slow machine cannot fail a linear engine.
    timeoutMs: 3000,
    timeoutHint:
      "backward must take time linear in the graph: sum each Variable's gradient over all its uses before passing it on, instead of backpropagating once per path",
    cases: longChainCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeLongChain(c, result, ctx.tolerance),
    show: showGraph,
  },
];
