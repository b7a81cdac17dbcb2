/**
 * Public reference forwards of problem 4 (HOMEWORK.md, "Problem 4: computational graph engine"):
 * what every operation's `forwardCall` computes, as plain functions of tensors. The grader
 * compares a submission's operations with these and takes expected gradients from finite
 * differences of them; no backward lives here.
 *
 * Also the forwards of the small operations the grader's engine checks build graphs from
 * (`GRAPH_OPS`): in the sandbox they subclass the submission's `Operation`; here they evaluate the
 * same graphs in the grader.
 */
import {
  exp as kitExp,
  sum as kitSum,
  log,
  map,
  matmul,
  max,
  mul,
  scalar,
  sub,
  type Tensor,
} from "../tensor/index.js";
import { viewAs } from "./internal/viewAs.js";
import { relu as layerRelu } from "./layers.js";

const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((side, i) => side === b[i]);

function checkSameShapes(where: string, inputs: readonly Tensor[]): void {
  if (inputs.length === 0) throw new Error(`${where}: needs at least one input`);
  for (const x of inputs) {
    if (!sameShape(x.shape, inputs[0]!.shape)) {
      throw new Error(`${where}: inputs of shapes ${show(inputs[0]!.shape)} and ${show(x.shape)}`);
    }
  }
}

/** Element-wise fold of n tensors of one shape. */
function fold(
  where: string,
  inputs: readonly Tensor[],
  f: (a: number, b: number) => number,
): Tensor {
  checkSameShapes(where, inputs);
  const out = inputs[0]!.clone();
  for (const x of inputs.slice(1)) {
    for (let i = 0; i < out.size; i++) out.data[i] = f(out.data[i]!, x.data[i]!);
  }
  return out;
}

/** `VariableAdd`: n inputs of one shape -> their sum. */
export function variableAdd(...inputs: Tensor[]): Tensor {
  return fold("variableAdd", inputs, (a, b) => a + b);
}

/** `VariableMultiply`: n inputs of one shape -> their element-wise product. */
export function variableMultiply(...inputs: Tensor[]): Tensor {
  return fold("variableMultiply", inputs, (a, b) => a * b);
}

/** `ScalarMultiply`: (s `[]`, x) -> s * x. */
export function scalarMultiply(s: Tensor, x: Tensor): Tensor {
  if (s.ndim !== 0) throw new Error(`scalarMultiply: s must have shape [], got ${show(s.shape)}`);
  return mul(s, x);
}

/** `MatrixMultiply`: (A `[n, k]`, B `[k, m]`) -> A B. */
export function matrixMultiply(A: Tensor, B: Tensor): Tensor {
  return matmul(A, B);
}

/**
 * `TensorDot(k)`: the contraction of the last k dims of A with the first k dims of B, shape
 * `A.shape[:-k] ++ B.shape[k:]` (k = 0 is the outer product). As a matrix product of A flattened
 * to `[free A, shared]` and B flattened to `[shared, free B]`.
 */
export function tensordot(A: Tensor, B: Tensor, k: number): Tensor {
  if (!Number.isInteger(k) || k < 0 || k > A.ndim || k > B.ndim) {
    throw new Error(
      `tensordot: k = ${k} does not fit shapes ${show(A.shape)} and ${show(B.shape)}`,
    );
  }
  const shared = A.shape.slice(A.ndim - k);
  if (!sameShape(shared, B.shape.slice(0, k))) {
    throw new Error(
      `tensordot: the last ${k} dims of A ${show(A.shape)} differ from the first ${k} dims of B ${show(B.shape)}`,
    );
  }
  const size = (sides: readonly number[]) => sides.reduce((a, b) => a * b, 1);
  const freeA = A.shape.slice(0, A.ndim - k);
  const freeB = B.shape.slice(k);
  const c = size(shared);
  const product = matmul(viewAs(A, [size(freeA), c]), viewAs(B, [c, size(freeB)]));
  return viewAs(product, [...freeA, ...freeB]);
}

/** `Power(p)`: x^p element-wise. */
export function power(x: Tensor, p: number): Tensor {
  return map(x, (v) => v ** p);
}

/** `Exp`: e^x element-wise. */
export function exp(x: Tensor): Tensor {
  return kitExp(x);
}

/** `ReLU`: max(x, 0) element-wise. */
export function relu(x: Tensor): Tensor {
  return layerRelu(x);
}

/** `Maximum`: n inputs of one shape -> element-wise maximum. */
export function maximum(...inputs: Tensor[]): Tensor {
  return fold("maximum", inputs, Math.max);
}

/** `ReduceMax`: x -> the largest entry, shape `[]`. */
export function reduceMax(x: Tensor): Tensor {
  return max(x);
}

/** `Sum`: x -> the sum of all entries, shape `[]`. */
export function sum(x: Tensor): Tensor {
  return kitSum(x);
}

/**
 * `SoftmaxCrossEntropy(labels)`: logits `[B, C]` -> mean over the rows of
 * -log softmax(logits)[b, y_b], shape `[]` (log-softmax with the row maximum subtracted).
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (logits.ndim !== 2 || !sameShape(logits.shape, labels.shape)) {
    throw new Error(
      `softmaxCrossEntropy: expected logits and labels of one shape [B, C], got ${show(logits.shape)} and ${show(labels.shape)}`,
    );
  }
  const shifted = sub(logits, max(logits, 1, true));
  const logP = sub(shifted, log(kitSum(kitExp(shifted), 1, true)));
  let total = 0;
  for (let i = 0; i < logP.size; i++) {
    const y = labels.data[i]!;
    if (y !== 0) total -= y * logP.data[i]!;
  }
  return scalar(total / logits.shape[0]!);
}

/**
 * The operations of the grader's generated graphs (reuse, diamonds, random DAGs, long chains),
 * by name: `add` and `mean` of n inputs of one shape, `mul` of two, `sin` and `scale` (times
 * 0.75) element-wise, `sum` and `meanAll` of all entries (shape `[]`). With inputs in [-1, 1],
 * `mean`, `mul`, `sin`, `scale` and `meanAll` keep every value in [-1, 1], so random graphs of them
 * have moderate derivatives and finite differences stay accurate.
 */
export const GRAPH_OPS: Readonly<Record<string, (...inputs: Tensor[]) => Tensor>> = {
  add: (...xs) => variableAdd(...xs),
  mean: (...xs) => mul(variableAdd(...xs), 1 / xs.length),
  mul: (a, b) => variableMultiply(a!, b!),
  sin: (x) => map(x!, Math.sin),
  scale: (x) => mul(x!, GRAPH_SCALE),
  sum: (x) => kitSum(x!),
  meanAll: (x) => mul(kitSum(x!), 1 / x!.size),
};

/** The constant of the `scale` graph operation. */
export const GRAPH_SCALE = 0.75;

/** A graph as plain data: values are the inputs, then one per node, in order. */
export interface GraphNode {
  op: string;
  /** Indices into the values (inputs first). */
  args: number[];
}

/**
 * The value of the last node of a graph of `GRAPH_OPS`. `argument(node, position, value)` may
 * replace what one argument slot receives (used to tell the uses of a reused value apart).
 */
export function evaluateGraph(
  nodes: readonly GraphNode[],
  inputs: readonly Tensor[],
  argument?: (node: number, position: number, value: Tensor) => Tensor,
): Tensor {
  const values: Tensor[] = [...inputs];
  nodes.forEach((node, n) => {
    const op = GRAPH_OPS[node.op];
    if (!op) throw new Error(`evaluateGraph: unknown operation ${node.op}`);
    const args = node.args.map((a, position) => {
      const value = values[a];
      if (!value) throw new Error(`evaluateGraph: node ${n} reads value ${a}, which comes later`);
      return argument ? argument(n, position, value) : value;
    });
    values.push(op(...args));
  });
  if (nodes.length === 0) throw new Error("evaluateGraph: the graph has no nodes");
  return values[values.length - 1]!;
}
