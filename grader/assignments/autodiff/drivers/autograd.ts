import { GRAPH_OPS, GRAPH_SCALE } from "../../../../reference/forward/autograd.js";
import { full, map, mul, type Tensor } from "../../../../reference/tensor/index.js";
import type { Driver } from "../../../sandbox/child/driver.js";

/** The student's Variable and Operation, as the drivers use them. */
interface StudentVariable {
  data: unknown;
  grad: unknown;
  backward(downstreamGrad?: Tensor): unknown;
}
interface StudentOperation {
  forward(...inputs: StudentVariable[]): StudentVariable;
  forwardCall(...inputs: Tensor[]): unknown;
  backwardCall(downstreamGrad: Tensor): unknown;
}
type VariableClass = new (data: Tensor) => StudentVariable;
type OperationClass = abstract new (...args: unknown[]) => StudentOperation;

/** One operation check's run. */
export interface OpPayload {
  /** The export, e.g. "TensorDot". */
  op: string;
  /** The constructor's argument (k, p or labels), if it takes one. */
  arg?: number | Tensor;
  /** "forward": only `forwardCall`; "full": `forwardCall` then `backwardCall` on one instance. */
  mode: "forward" | "full";
  inputs: Tensor[];
  downstream?: Tensor;
  /** Input lists at which to evaluate `forwardCall` of fresh instances (finite differences). */
  probes?: Tensor[][];
}

/** One helper check's run: leaves from `inputs`, z = helper(...leaves, ...extra), z.backward(seed). */
export interface HelperPayload {
  helper: string;
  inputs: Tensor[];
  /** Plain-number arguments after the Variables (p of pow, k of tensordot). */
  extra: number[];
  downstream: Tensor;
}

/** One graph check's run: a graph of driver operations over leaf Variables, then z.backward(seed). */
export interface GraphPayload {
  inputs: Tensor[];
  /** The graph; the last node is z (earlier nodes may be values z never uses). */
  nodes: { op: string; args: number[] }[];
  /** Nodes built after z that z does not use (args index inputs, nodes, then these). */
  after?: { op: string; args: number[] }[];
  downstream: Tensor;
  /** Call z.backward() without a seed (HOMEWORK's default, ones of z's shape). */
  seedless?: boolean;
  /**
   * Build the graph and backpropagate once, set every leaf's grad back to null, then build the
   * graph again with new operations over the same leaf Variables and backpropagate that one
   * (its grads are the result): leaf Variables are reused by a later graph.
   */
  again?: boolean;
  /**
   * Stop once the graph operations' `backwardCall` has run more than this many times in all: the
   * result then says so (`capped`) instead of waiting out an engine that backpropagates once per
   * path (2^n calls on a chain of n steps that each use the previous Variable twice).
   */
  callCap?: number;
}

/** What runGraph returns: z's value, the inputs' grads and how often backwardCall ran. */
export interface GraphResult {
  value: unknown;
  grads: unknown[];
  backwardCalls: number;
  /** backwardCall ran more than the payload's callCap times: the backward was stopped. */
  capped: boolean;
}

/** Thrown from a graph operation's backwardCall past the cap; caught by runGraph only. */
class CallCapReached extends Error {}

function exported<T>(module: Record<string, unknown>, name: string, kind: string): T {
  const value = module[name];
  if (typeof value !== "function") throw new Error(`src/autograd does not export ${kind} ${name}`);
  return value as T;
}

function construct(module: Record<string, unknown>, name: string, arg: unknown): StudentOperation {
  const Class = exported<new (...args: unknown[]) => StudentOperation>(module, name, "a class");
  return arg === undefined ? new Class() : new Class(arg);
}

const runOp: Driver = (modules, payload) => {
  const p = payload as OpPayload;
  const module = modules.autograd!;
  const op = construct(module, p.op, p.arg);
  const output = op.forwardCall(...p.inputs);
  if (p.mode === "forward") return { output };
  const grads = op.backwardCall(p.downstream!);
  const probeOutputs = (p.probes ?? []).map((inputs) =>
    construct(module, p.op, p.arg).forwardCall(...inputs),
  );
  return {
    output,
    grads,
    // The very tensors that were passed in, read back after the calls.
    after: {
      inputs: p.inputs,
      downstream: p.downstream,
      arg: p.arg ?? null,
    },
    probeOutputs,
  };
};

function leaves(module: Record<string, unknown>, inputs: readonly Tensor[]): StudentVariable[] {
  const Variable = exported<VariableClass>(module, "Variable", "a class");
  return inputs.map((t) => new Variable(t));
}

const runHelper: Driver = (modules, payload) => {
  const p = payload as HelperPayload;
  const module = modules.autograd!;
  const vars = leaves(module, p.inputs);
  const helper = exported<(...args: unknown[]) => StudentVariable>(module, p.helper, "a function");
  const z = helper(...vars, ...p.extra);
  if (typeof z?.backward !== "function") {
    return { value: z, grads: [], notVariable: true };
  }
  z.backward(p.downstream);
  return { value: z.data, grads: vars.map((v) => v.grad ?? null), notVariable: false };
};

/**
 * The graph operations as subclasses of the student's `Operation`: only `forwardCall` and
 * `backwardCall` are given here (forwards from reference/forward/autograd.ts), so the student's
 * `forward`, `backward` and `Variable.backward` do all the graph work.
 */
function graphOperations(
  Operation: OperationClass,
  calls: { count: number; cap: number },
): Record<string, () => StudentOperation> {
  /** Every graph operation's backwardCall starts here: counts the call, and stops past the cap. */
  const counted = () => {
    calls.count++;
    if (calls.count > calls.cap) throw new CallCapReached();
  };
  /** n inputs, each gradient `factor` times the downstream gradient (add: 1, mean: 1 / n). */
  class Sum extends Operation {
    count = 0;
    constructor(readonly op: "add" | "mean") {
      super();
    }
    override forwardCall(...inputs: Tensor[]): Tensor {
      this.count = inputs.length;
      return GRAPH_OPS[this.op]!(...inputs);
    }
    override backwardCall(g: Tensor): Tensor[] {
      counted();
      const factor = this.op === "mean" ? 1 / this.count : 1;
      return Array.from({ length: this.count }, () => mul(g, factor));
    }
  }
  class Mul extends Operation {
    saved: Tensor[] = [];
    override forwardCall(a: Tensor, b: Tensor): Tensor {
      this.saved = [a, b];
      return GRAPH_OPS.mul!(a, b);
    }
    override backwardCall(g: Tensor): Tensor[] {
      counted();
      const [a, b] = this.saved;
      return [mul(g, b!), mul(g, a!)];
    }
  }
  class Sin extends Operation {
    saved: Tensor | null = null;
    override forwardCall(x: Tensor): Tensor {
      this.saved = x;
      return GRAPH_OPS.sin!(x);
    }
    override backwardCall(g: Tensor): Tensor[] {
      counted();
      return [mul(g, map(this.saved!, Math.cos))];
    }
  }
  class Scale extends Operation {
    override forwardCall(x: Tensor): Tensor {
      return GRAPH_OPS.scale!(x);
    }
    override backwardCall(g: Tensor): Tensor[] {
      counted();
      return [mul(g, GRAPH_SCALE)];
    }
  }
  /** All entries to shape []: sum, or meanAll (each entry's gradient divided by their number). */
  class Reduce extends Operation {
    shape: readonly number[] = [];
    constructor(readonly op: "sum" | "meanAll") {
      super();
    }
    override forwardCall(x: Tensor): Tensor {
      this.shape = x.shape;
      return GRAPH_OPS[this.op]!(x);
    }
    override backwardCall(g: Tensor): Tensor[] {
      counted();
      const size = this.shape.reduce((a, b) => a * b, 1);
      return [full(this.shape, this.op === "meanAll" ? g.data[0]! / size : g.data[0]!)];
    }
  }
  return {
    add: () => new Sum("add"),
    mean: () => new Sum("mean"),
    mul: () => new Mul(),
    sin: () => new Sin(),
    scale: () => new Scale(),
    sum: () => new Reduce("sum"),
    meanAll: () => new Reduce("meanAll"),
  };
}

const runGraph: Driver = (modules, payload) => {
  const p = payload as GraphPayload;
  const module = modules.autograd!;
  const calls = { count: 0, cap: p.callCap ?? Number.POSITIVE_INFINITY };
  const ops = graphOperations(exported<OperationClass>(module, "Operation", "a class"), calls);
  const inputs = leaves(module, p.inputs);
  const build = (): StudentVariable => {
    const values: StudentVariable[] = [...inputs];
    const add = (node: { op: string; args: number[] }) => {
      const make = ops[node.op];
      if (!make) throw new Error(`graph driver: unknown operation ${node.op}`);
      values.push(make().forward(...node.args.map((a) => values[a]!)));
    };
    p.nodes.forEach(add);
    const z = values[values.length - 1]!;
    (p.after ?? []).forEach(add);
    return z;
  };
  const backward = (z: StudentVariable) => {
    if (p.seedless) z.backward();
    else z.backward(p.downstream);
  };
  if (p.again) {
    backward(build());
    for (const v of inputs) v.grad = null;
  }
  const z = build();
  calls.count = 0;
  try {
    backward(z);
  } catch (error) {
    if (!(error instanceof CallCapReached)) throw error;
    return { value: z.data, grads: [], backwardCalls: calls.count, capped: true } as GraphResult;
  }
  const grads = inputs.map((v) => v.grad ?? null);
  return { value: z.data, grads, backwardCalls: calls.count, capped: false } as GraphResult;
};

/** Drivers of problem checks on src/autograd (run inside the sandboxed child; import only the kit). */
export const autogradDrivers: Record<string, Driver> = {
  "autograd.op": runOp,
  "autograd.helper": runHelper,
  "autograd.graph": runGraph,
};
