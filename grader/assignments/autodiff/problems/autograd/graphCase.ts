import type { GraphNode } from "../../../../../reference/forward/autograd.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";

/** One run of an engine check: a graph of driver-supplied operations over leaf Variables. */
export interface GraphCase {
  inputs: Tensor[];
  /** The graph; the last node is z. Earlier nodes may be values z never uses (dead branches). */
  nodes: GraphNode[];
  /** Nodes built after z that z does not use (args index inputs, nodes, then these). */
  after?: GraphNode[];
  downstream: Tensor;
  /** Call z.backward() without a seed (the default seed is ones of z's shape). */
  seedless?: boolean;
  /**
   * The graph is built and backpropagated once, every leaf's grad set back to null, and the graph
   * built again with new operations over the same leaf Variables; the second backward is graded.
   */
  again?: boolean;
  /** Stop the backward once the graph's operations ran backwardCall more often than this. */
  callCap?: number;
  /** What the graph is, for messages. */
  label: string;
}

/** Which values the last node depends on (HOMEWORK: the others are not inspected). */
export function dependencies(nodes: readonly GraphNode[], inputCount: number): boolean[] {
  const needed = new Array<boolean>(inputCount + nodes.length).fill(false);
  needed[needed.length - 1] = true;
  for (let n = nodes.length - 1; n >= 0; n--) {
    if (!needed[inputCount + n]) continue;
    for (const a of nodes[n]!.args) needed[a] = true;
  }
  return needed;
}
