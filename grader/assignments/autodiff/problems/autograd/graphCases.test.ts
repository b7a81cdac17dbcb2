import { describe, expect, it } from "vitest";
import { evaluateGraph, type GraphNode } from "../../../../../reference/forward/autograd.js";
import { type Tensor, tensor } from "../../../../../reference/tensor/index.js";
import { drawnCases } from "../../../../../testing/drawnCases.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import { autogradProblem } from "../autograd.js";
import { usedTwice, withDeadBranches } from "./graphCases.js";

function check(id: string): CheckDefinition {
  const found = autogradProblem.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

const POWER_SEEDS = [...Array.from({ length: 50 }, (_, i) => i + 1), 20261126];

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
        const cases = drawnCases(check(id), seed) as DrawnGraph[];
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
});
