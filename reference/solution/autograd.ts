/**
 * Problem 4: the computational graph engine (staff solution).
 *
 * The engine is split the way the lecture draws it: `Variable.backward` walks the graph (a
 * topological order, so each Variable's gradient is complete before it is sent on), and
 * `Operation.backward` is local (it turns its output's gradient into its inputs' gradients and
 * hands them over). Operations only need `forwardCall`, `backwardCall` and `parents`, so any
 * subclass works with the engine.
 */
import type { Tensor } from "gradmark/tensor";
import * as T from "gradmark/tensor";
import { contract } from "./contractions";

const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((side, i) => side === b[i]);

/** A value in the graph, the operation that produced it (if any), and later its gradient. */
export class Variable {
  data: Tensor;
  /** D_this[z] contracted with the seed of the latest `z.backward`; null until one arrives. */
  grad: Tensor | null = null;
  parent: Operation | null;

  constructor(data: Tensor, parent?: Operation) {
    this.data = data;
    this.parent = parent ?? null;
  }

  /**
   * Backpropagates from this Variable, in time linear in the size of the graph above it.
   * Source Variables (no parent) accumulate gradients over several calls, like parameters in
   * other frameworks; intermediate Variables hold the gradient of the latest call only.
   */
  backward(downstreamGrad: Tensor = T.ones(this.data.shape)): void {
    if (!sameShape(downstreamGrad.shape, this.data.shape)) {
      throw new Error(
        `Variable.backward: the seed has shape ${show(downstreamGrad.shape)} but the Variable has shape ${show(this.data.shape)}`,
      );
    }
    const order = topologicalOrder(this);
    for (const v of order) if (v.parent !== null) v.grad = null;
    this.receiveGrad(downstreamGrad);
    // Reverse topological order: every consumer of v has sent its contribution before v is
    // processed, so v's gradient is the sum over all paths and each path is counted once.
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i]!;
      if (v.parent !== null && v.grad !== null) v.parent.backward(v.grad);
    }
  }

  /** Adds the gradient that arrives along one use of this Variable. */
  receiveGrad(grad: Tensor): void {
    // Clone the first arrival: the same tensor may be handed to several Variables (or be the
    // caller's seed), and a Variable's grad should be its own.
    this.grad = this.grad === null ? grad.clone() : T.add(this.grad, grad);
  }
}

/**
 * The Variables that `root` depends on, each after all of its inputs (root last). Iterative DFS,
 * so a chain of any length cannot overflow the call stack.
 */
function topologicalOrder(root: Variable): Variable[] {
  const order: Variable[] = [];
  const visited = new Set<Variable>([root]);
  const stack: { variable: Variable; next: number }[] = [{ variable: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.variable.parent?.parents ?? [];
    if (top.next < inputs.length) {
      const input = inputs[top.next++]!;
      if (!visited.has(input)) {
        visited.add(input);
        stack.push({ variable: input, next: 0 });
      }
    } else {
      stack.pop();
      order.push(top.variable);
    }
  }
  return order;
}

/**
 * A function node. Subclasses implement `forwardCall` and `backwardCall` on tensors and keep what
 * the backward needs in their own fields; an instance is used for one `forward` only.
 */
export abstract class Operation {
  parents: Variable[] = [];

  forward(...inputs: Variable[]): Variable {
    this.parents = inputs;
    return new Variable(this.forwardCall(...inputs.map((v) => v.data)), this);
  }

  /** Turns the output's gradient into one gradient per parent and hands each to its parent. */
  backward(downstreamGrad: Tensor): void {
    const name = this.constructor.name;
    const grads = this.backwardCall(downstreamGrad);
    if (!Array.isArray(grads) || grads.length !== this.parents.length) {
      throw new Error(
        `${name}.backwardCall must return one gradient per input (${this.parents.length}), got ${Array.isArray(grads) ? grads.length : typeof grads}`,
      );
    }
    this.parents.forEach((parent, i) => {
      const grad = grads[i]!;
      if (!sameShape(grad.shape, parent.data.shape)) {
        throw new Error(
          `${name}.backwardCall returned a gradient of shape ${show(grad.shape)} for input ${i} of shape ${show(parent.data.shape)}`,
        );
      }
      parent.receiveGrad(grad);
    });
  }

  abstract forwardCall(...inputs: Tensor[]): Tensor;
  abstract backwardCall(downstreamGrad: Tensor): Tensor[];
}

function checkSameShapes(where: string, inputs: readonly Tensor[]): readonly number[] {
  if (inputs.length === 0) throw new Error(`${where}: needs at least one input`);
  const shape = inputs[0]!.shape;
  inputs.forEach((x, i) => {
    if (!sameShape(x.shape, shape)) {
      throw new Error(
        `${where}: all inputs must have one shape; input 0 is ${show(shape)}, input ${i} is ${show(x.shape)}`,
      );
    }
  });
  return shape;
}

function saved<V>(value: V | null, where: string): V {
  if (value === null) throw new Error(`${where}.backwardCall called before forwardCall`);
  return value;
}

/** n inputs of one shape -> their sum. */
export class VariableAdd extends Operation {
  /** Saved for backward: how many inputs there were (each gets the downstream gradient). */
  private count = 0;

  override forwardCall(...inputs: Tensor[]): Tensor {
    checkSameShapes("VariableAdd", inputs);
    this.count = inputs.length;
    return inputs.slice(1).reduce((total, x) => T.add(total, x), inputs[0]!.clone());
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    return Array.from({ length: this.count }, () => downstreamGrad.clone());
  }
}

/** n inputs of one shape -> their element-wise product. */
export class VariableMultiply extends Operation {
  /** Saved for backward: the inputs. */
  private inputs: Tensor[] | null = null;

  override forwardCall(...inputs: Tensor[]): Tensor {
    checkSameShapes("VariableMultiply", inputs);
    this.inputs = inputs;
    return inputs.slice(1).reduce((total, x) => T.mul(total, x), inputs[0]!.clone());
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const inputs = saved(this.inputs, "VariableMultiply");
    // The product of the others, from prefix and suffix products: dividing the full product by
    // x_i would be wrong (0/0) wherever x_i is 0.
    const n = inputs.length;
    const prefix: Tensor[] = [downstreamGrad];
    for (let i = 1; i < n; i++) prefix.push(T.mul(prefix[i - 1]!, inputs[i - 1]!));
    const grads = new Array<Tensor>(n);
    let suffix: Tensor | null = null;
    for (let i = n - 1; i >= 0; i--) {
      grads[i] = suffix === null ? prefix[i]!.clone() : T.mul(prefix[i]!, suffix);
      suffix = suffix === null ? inputs[i]! : T.mul(suffix, inputs[i]!);
    }
    return grads;
  }
}

/** (s `[]`, x) -> s * x. */
export class ScalarMultiply extends Operation {
  /** Saved for backward: s and x (each one's gradient needs the other). */
  private inputs: [Tensor, Tensor] | null = null;

  override forwardCall(s: Tensor, x: Tensor): Tensor {
    if (s.ndim !== 0) {
      throw new Error(`ScalarMultiply: the first input must have shape [], got ${show(s.shape)}`);
    }
    this.inputs = [s, x];
    return T.mul(s, x);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const [s, x] = saved(this.inputs, "ScalarMultiply");
    // s is used by every entry of the output, so its gradient sums over them.
    return [T.sum(T.mul(downstreamGrad, x)), T.mul(downstreamGrad, s)];
  }
}

/** (A `[n, k]`, B `[k, m]`) -> A B. */
export class MatrixMultiply extends Operation {
  /** Saved for backward: A and B. */
  private inputs: [Tensor, Tensor] | null = null;

  override forwardCall(A: Tensor, B: Tensor): Tensor {
    this.inputs = [A, B];
    return T.matmul(A, B);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const [A, B] = saved(this.inputs, "MatrixMultiply");
    return [T.matmul(downstreamGrad, B.transpose()), T.matmul(A.transpose(), downstreamGrad)];
  }
}

/** (A, B) -> contract(A, B, k). */
export class TensorDot extends Operation {
  readonly k: number;
  /** Saved for backward: A and B. */
  private inputs: [Tensor, Tensor] | null = null;

  constructor(k: number) {
    super();
    this.k = k;
  }

  override forwardCall(A: Tensor, B: Tensor): Tensor {
    this.inputs = [A, B];
    return contract(A, B, this.k);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const [A, B] = saved(this.inputs, "TensorDot");
    // Flattened, the contraction is a matrix product [a, c] x [c, b] -> [a, b], whose
    // gradients are G B^T and A^T G; reshaping back gives the tensors' own shapes.
    const size = (sides: readonly number[]) => sides.reduce((x, y) => x * y, 1);
    const a = size(A.shape.slice(0, A.ndim - this.k));
    const c = size(B.shape.slice(0, this.k));
    const b = size(B.shape.slice(this.k));
    const A2 = A.reshape([a, c]);
    const B2 = B.reshape([c, b]);
    const G = downstreamGrad.reshape([a, b]);
    return [
      T.matmul(G, B2.transpose()).reshape(A.shape),
      T.matmul(A2.transpose(), G).reshape(B.shape),
    ];
  }
}

/** x -> x^p element-wise. */
export class Power extends Operation {
  readonly p: number;
  /** Saved for backward: x (d x^p / dx = p x^(p-1)). */
  private input: Tensor | null = null;

  constructor(p: number) {
    super();
    this.p = p;
  }

  override forwardCall(x: Tensor): Tensor {
    this.input = x;
    return T.pow(x, this.p);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const x = saved(this.input, "Power");
    if (this.p === 0) return [T.zeros(x.shape)]; // constant, even where x^-1 is infinite
    return [T.mul(downstreamGrad, T.mul(this.p, T.pow(x, this.p - 1)))];
  }
}

/** x -> e^x element-wise. */
export class Exp extends Operation {
  /** Saved for backward: the output (d e^x / dx = e^x). */
  private output: Tensor | null = null;

  override forwardCall(x: Tensor): Tensor {
    this.output = T.exp(x);
    return this.output;
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    return [T.mul(downstreamGrad, saved(this.output, "Exp"))];
  }
}

/** x -> max(x, 0) element-wise. */
export class ReLU extends Operation {
  /** Saved for backward: 1 where x > 0, else 0. */
  private mask: Tensor | null = null;

  override forwardCall(x: Tensor): Tensor {
    this.mask = T.map(x, (v) => (v > 0 ? 1 : 0));
    return T.map(x, (v) => Math.max(v, 0));
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    return [T.mul(downstreamGrad, saved(this.mask, "ReLU"))];
  }
}

/** n inputs of one shape -> element-wise maximum; the gradient goes to the (first) winner. */
export class Maximum extends Operation {
  /** Saved for backward: for every entry, the index of the input that holds the maximum. */
  private winners: Int32Array | null = null;
  private count = 0;

  override forwardCall(...inputs: Tensor[]): Tensor {
    const shape = checkSameShapes("Maximum", inputs);
    const size = inputs[0]!.size;
    const winners = new Int32Array(size);
    const out = new Float64Array(size);
    for (let e = 0; e < size; e++) {
      let best = 0;
      for (let i = 1; i < inputs.length; i++) {
        if (inputs[i]!.data[e]! > inputs[best]!.data[e]!) best = i;
      }
      winners[e] = best;
      out[e] = inputs[best]!.data[e]!;
    }
    this.winners = winners;
    this.count = inputs.length;
    return T.tensor(out, shape);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const winners = saved(this.winners, "Maximum");
    const grads = Array.from({ length: this.count }, () => new Float64Array(winners.length));
    for (let e = 0; e < winners.length; e++) grads[winners[e]!]![e] = downstreamGrad.data[e]!;
    return grads.map((g) => T.tensor(g, downstreamGrad.shape));
  }
}

/** x -> the largest entry, shape `[]`; the gradient goes to the (first) arg-max. */
export class ReduceMax extends Operation {
  /** Saved for backward: x's shape and the flat index of its (first) maximum. */
  private winner: { shape: readonly number[]; index: number } | null = null;

  override forwardCall(x: Tensor): Tensor {
    if (x.size === 0) throw new Error("ReduceMax: the input has no entries");
    const index = T.argmax(x).item();
    this.winner = { shape: x.shape, index };
    return T.scalar(x.data[index]!);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const { shape, index } = saved(this.winner, "ReduceMax");
    const grad = T.zeros(shape);
    grad.data[index] = downstreamGrad.item(); // our own fresh tensor
    return [grad];
  }
}

/** x -> the sum of its entries, shape `[]`. */
export class Sum extends Operation {
  /** Saved for backward: x's shape (every entry gets the downstream gradient). */
  private shape: readonly number[] | null = null;

  override forwardCall(x: Tensor): Tensor {
    this.shape = x.shape;
    return T.sum(x);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    return [T.full(saved(this.shape, "Sum"), downstreamGrad.item())];
  }
}

/** logits `[B, C]` -> mean over rows of -log softmax(logits)[b, y_b], shape `[]`. */
export class SoftmaxCrossEntropy extends Operation {
  readonly labels: Tensor;
  /** Saved for backward: the softmax probabilities P (dZ/dlogits = (P - Y) / B). */
  private probabilities: Tensor | null = null;

  constructor(labels: Tensor) {
    super();
    this.labels = labels;
  }

  override forwardCall(logits: Tensor): Tensor {
    const Y = this.labels;
    if (logits.ndim !== 2 || !sameShape(logits.shape, Y.shape)) {
      throw new Error(
        `SoftmaxCrossEntropy: logits must have the labels' shape ${show(Y.shape)}, got ${show(logits.shape)}`,
      );
    }
    // log softmax = shifted - log(sum(exp(shifted))), with the row max subtracted first so
    // nothing overflows and no log(0) appears.
    const shifted = T.sub(logits, T.max(logits, 1, true));
    const logP = T.sub(shifted, T.log(T.sum(T.exp(shifted), 1, true)));
    this.probabilities = T.exp(logP);
    return T.div(T.neg(T.sum(T.mul(Y, logP))), logits.shape[0]!);
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const P = saved(this.probabilities, "SoftmaxCrossEntropy");
    const Y = this.labels;
    // (P * sum_c Y - Y) / B, which is (P - Y) / B for one-hot rows.
    const grad = T.sub(T.mul(P, T.sum(Y, 1, true)), Y);
    return [T.mul(grad, downstreamGrad.item() / P.shape[0]!)];
  }
}

// Helpers: each builds the graph with a fresh operation.

export function add(a: Variable, b: Variable): Variable {
  return new VariableAdd().forward(a, b);
}

export function sub(a: Variable, b: Variable): Variable {
  return add(a, neg(b));
}

/** ScalarMultiply (scalar first) when either side has shape `[]`, else element-wise. */
export function mul(a: Variable, b: Variable): Variable {
  if (a.data.ndim === 0) return new ScalarMultiply().forward(a, b);
  if (b.data.ndim === 0) return new ScalarMultiply().forward(b, a);
  return new VariableMultiply().forward(a, b);
}

export function div(a: Variable, b: Variable): Variable {
  return mul(a, pow(b, -1));
}

export function neg(a: Variable): Variable {
  return new ScalarMultiply().forward(new Variable(T.scalar(-1)), a);
}

export function matmul(a: Variable, b: Variable): Variable {
  return new MatrixMultiply().forward(a, b);
}

export function pow(a: Variable, p: number): Variable {
  return new Power(p).forward(a);
}

export function exp(a: Variable): Variable {
  return new Exp().forward(a);
}

export function relu(a: Variable): Variable {
  return new ReLU().forward(a);
}

export function tensordot(a: Variable, b: Variable, k: number): Variable {
  return new TensorDot(k).forward(a, b);
}

export function sum(a: Variable): Variable {
  return new Sum().forward(a);
}
