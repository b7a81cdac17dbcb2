/**
 * The graphs of problem 4's engine checks: small graphs that reuse a leaf, chains of diamonds,
 * random DAGs and long chains, with values z never uses, one value taken twice by one operation,
 * and leaves reused by a second graph (issue 14).
 */
import fc from "fast-check";
import { dagArb, tensorsArb } from "../../../../../checks/index.js";
import { evaluateGraph, type GraphNode } from "../../../../../reference/forward/autograd.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import { downstreamArb } from "../../../../authoring/builders/internal/caseParts.js";
import { dependencies, type GraphCase } from "./graphCase.js";

/**
 * A value that z never uses: [operation (sin, scale or mul(a, a)), where it goes among the nodes,
 * which earlier value it takes]. HOMEWORK: "Graphs include values that are computed and never
 * used by the output"; a Variable that waits for every use it ever had never hears from these.
 */
type DeadDraw = [number, number, number];

const DEAD_OPS = ["sin", "scale", "mul"] as const;

const deadNode = (kind: number, a: number): GraphNode => {
  const op = DEAD_OPS[kind % DEAD_OPS.length]!;
  return { op, args: op === "mul" ? [a, a] : [a] };
};

/** Dead values: some built among the graph's nodes (before z), some after z. */
export interface DeadBranches {
  before: DeadDraw[];
  after: DeadDraw[];
}

const deadDrawArb = fc.tuple(fc.nat(DEAD_OPS.length - 1), fc.nat(), fc.nat());

/** Dead branches in all but 1 in `freq` cases (null there): 1 or 2 before z, 1 or 2 after. */
const deadBranchesArb = (freq: number) =>
  fc.option(
    fc.record({
      before: fc.array(deadDrawArb, { minLength: 1, maxLength: 2 }),
      after: fc.array(deadDrawArb, { minLength: 1, maxLength: 2 }),
    }),
    { freq },
  );

/**
 * The graph with values that z never uses, each taking a value z does use: `before` ones
 * inserted among the nodes (z stays the last node), `after` ones built after z. The first
 * `after` one takes a value that is neither a leaf nor z when there is one (an intermediate that
 * waits for all its uses then never sends its gradient on).
 */
export function withDeadBranches(
  inputCount: number,
  nodes: readonly GraphNode[],
  dead: DeadBranches,
): { nodes: GraphNode[]; after: GraphNode[] } {
  const needed = dependencies(nodes, inputCount);
  const insertAt = new Map<number, DeadDraw[]>();
  for (const draw of dead.before) {
    const j = draw[1] % nodes.length;
    insertAt.set(j, [...(insertAt.get(j) ?? []), draw]);
  }
  const index = Array.from({ length: inputCount }, (_, i) => i);
  const live = index.filter((i) => needed[i]);
  const out: GraphNode[] = [];
  nodes.forEach((node, j) => {
    for (const [kind, , a] of insertAt.get(j) ?? [])
      out.push(deadNode(kind, live[a % live.length]!));
    const at = inputCount + out.length;
    index.push(at);
    out.push({ op: node.op, args: node.args.map((x) => index[x]!) });
    if (needed[inputCount + j]) live.push(at);
  });
  const z = inputCount + out.length - 1;
  const intermediates = live.filter((v) => v >= inputCount && v !== z);
  const after = dead.after.map(([kind, , a], k) =>
    deadNode(
      kind,
      k === 0 && intermediates.length > 0
        ? intermediates[a % intermediates.length]!
        : live[a % live.length]!,
    ),
  );
  return { nodes: out, after };
}

/** The label's note on what else the graph does. */
const extras = (dead: boolean, again: boolean) =>
  `${dead ? ", with values z never uses" : ""}${again ? ", built a second time over the same leaf Variables" : ""}`;

/** Small graphs in which input 0 (x0) is used more than once. */
const REUSE_GRAPHS: { label: string; nodes: GraphNode[] }[] = [
  {
    label: "z = mul(x0, add(x0, x1))",
    nodes: [
      { op: "add", args: [0, 1] },
      { op: "mul", args: [0, 2] },
    ],
  },
  {
    label: "z = add(mul(x0, x0), x1)",
    nodes: [
      { op: "mul", args: [0, 0] },
      { op: "add", args: [2, 1] },
    ],
  },
  {
    label: "the lecture's z = x0 (x0 + x1)^2 (s = add(x0, x1), z = mul(x0, mul(s, s)))",
    nodes: [
      { op: "add", args: [0, 1] },
      { op: "mul", args: [2, 2] },
      { op: "mul", args: [0, 3] },
    ],
  },
  {
    label: "z = add(x0, x0, x1)",
    nodes: [{ op: "add", args: [0, 0, 1] }],
  },
  {
    label: "z = add(sin(x0), x0, scale(x0), x1)",
    nodes: [
      { op: "sin", args: [0] },
      { op: "scale", args: [0] },
      { op: "add", args: [2, 0, 3, 1] },
    ],
  },
];

const graphInputs = (count: number) =>
  tensorsArb({ count, minRank: 0, maxRank: 2, maxSide: 3, min: -2, max: 2, specialValues: true });

function finishGraph(
  label: string,
  nodes: GraphNode[],
  inputs: Tensor[],
  seedless = false,
  more: { dead?: DeadBranches | null; again?: boolean } = {},
): fc.Arbitrary<GraphCase> {
  const shape = evaluateGraph(nodes, inputs).shape;
  const graph = more.dead
    ? withDeadBranches(inputs.length, nodes, more.dead)
    : { nodes, after: [] as GraphNode[] };
  return downstreamArb(shape).map((downstream) => ({
    inputs,
    nodes: graph.nodes,
    ...(graph.after.length > 0 ? { after: graph.after } : {}),
    downstream: seedless
      ? new Tensor(new Float64Array(downstream.size).fill(1), shape)
      : downstream,
    seedless,
    ...(more.again ? { again: true } : {}),
    label: label + extras(graph.after.length > 0, more.again === true),
  }));
}

/** Leaves reused by a second graph in 1 of 3 cases. */
const againArb = fc.constantFrom(false, false, true);

/** The small graphs that use x0 more than once, with dead values and reused leaves. */
export const reuseCases = fc
  .tuple(fc.nat(REUSE_GRAPHS.length - 1), graphInputs(2), deadBranchesArb(3), againArb)
  .chain(([which, inputs, dead, again]) => {
    const graph = REUSE_GRAPHS[which]!;
    return finishGraph(graph.label, graph.nodes, inputs, false, { dead, again });
  });

/** 1 to 4 diamonds in a row: v -> (sin(v), scale(v)) -> mul, or add(sin(v), scale(v), v). */
export const diamondCases = fc
  .tuple(
    fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    graphInputs(1),
    fc.boolean(),
    deadBranchesArb(3),
  )
  .chain(([kinds, inputs, seedless, dead]) => {
    const nodes: GraphNode[] = [];
    let previous = 0;
    for (const withAdd of kinds) {
      const start = 1 + nodes.length;
      nodes.push({ op: "sin", args: [previous] }, { op: "scale", args: [previous] });
      nodes.push(
        withAdd
          ? { op: "add", args: [start, start + 1, previous] }
          : { op: "mul", args: [start, start + 1] },
      );
      previous = start + 2;
    }
    return finishGraph(
      `${kinds.length} diamond${kinds.length === 1 ? "" : "s"} in a row`,
      nodes,
      inputs,
      seedless,
      { dead },
    );
  });

/**
 * The graph with one node of 2 or more arguments made to take one value twice (HOMEWORK: "inputs
 * used twice by one operation"): the value it takes from the previous node in a second argument
 * slot, or (`other`, with 3 arguments) one of its other arguments in the third slot too. The
 * node (`which`, among those with 2 or more arguments) keeps the previous node as an argument,
 * so the graph stays connected. dagArb gives every argument of a node one shape.
 */
export function usedTwice(
  nodes: readonly GraphNode[],
  inputCount: number,
  which: number,
  other: boolean,
): GraphNode[] {
  const wide = nodes.flatMap((node, n) => (node.args.length >= 2 ? [n] : []));
  if (wide.length === 0) return [...nodes];
  const n = wide[which % wide.length]!;
  const args = [...nodes[n]!.args];
  const spine = Math.max(0, args.indexOf(inputCount + n - 1));
  const others = args.flatMap((_, p) => (p === spine ? [] : [p]));
  if (other && others.length >= 2) args[others[1]!] = args[others[0]!]!;
  else args[others[0]!] = args[spine]!;
  return nodes.map((node, m) => (m === n ? { op: node.op, args } : node));
}

/**
 * Random graphs whose values all stay in [-1, 1] (inputs in [-1, 1]; mean, mul, sin, scale and
 * meanAll never leave it), so derivatives are moderate and finite differences accurate.
 */
export const dagCases = dagArb({
  ops: {
    mean: { arity: "variadic", minArity: 2, maxArity: 3 },
    mul: { arity: 2 },
    sin: { arity: 1 },
    scale: { arity: 1 },
    meanAll: { arity: 1, output: "scalar" },
  },
  maxInputs: 3,
  maxNodes: 8,
  min: -1,
  max: 1,
  specialValues: true,
}).chain((dag) =>
  fc
    .tuple(fc.option(fc.tuple(fc.nat(), fc.boolean()), { freq: 3 }), deadBranchesArb(3), againArb)
    .chain(([twice, dead, again]) => {
      const nodes = twice ? usedTwice(dag.nodes, dag.inputs.length, ...twice) : dag.nodes;
      const label = `a random graph of ${nodes.length} operations`;
      return finishGraph(label, nodes, dag.inputs, false, { dead, again });
    }),
);

/**
 * A linear backward runs each operation's backwardCall once per backward: the chain's limit is
 * this many calls per step (generous), counted in the child, so the verdict does not depend on
 * how busy the machine is. An engine that backpropagates once per path is stopped there.
 */
export const LONG_CHAIN_CALLS_PER_STEP = 4;

/** Chains of 100 to 200 steps v_{i+1} = add(v_i, v_i): exponential in time unless each Variable waits for all its uses. */
export const longChainCases = fc
  .tuple(fc.integer({ min: 100, max: 200 }), graphInputs(1))
  .chain(([length, inputs]) => {
    const nodes: GraphNode[] = Array.from({ length }, (_, i) => ({ op: "add", args: [i, i] }));
    return finishGraph(`a chain of ${length} steps v = add(v, v)`, nodes, inputs).map((c) => ({
      ...c,
      callCap: LONG_CHAIN_CALLS_PER_STEP * length,
    }));
  });
