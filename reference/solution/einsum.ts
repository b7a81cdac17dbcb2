/**
 * Problem 5: differentiable einsum (staff solution).
 *
 * The gradient of operand i is itself an einsum: the downstream gradient (subscripts of the
 * output) times every other operand, kept over operand i's distinct indices. Two details remain:
 * an index of operand i that nothing else mentions was summed in the forward, so its gradient is
 * the same along it (broadcast); and an index repeated inside operand i reads a diagonal, so the
 * gradient lands on that diagonal and is 0 elsewhere (scatter).
 */
import { broadcastTo, einsum, sum, type Tensor, tensor } from "gradmark/tensor";
import { Operation } from "./autograd";

interface ParsedSpec {
  inputs: string[];
  output: string;
}

/** Splits a spec into its operands' and output's subscripts (spaces ignored, no `...`). */
function parseSpec(spec: string): ParsedSpec {
  const compact = spec.replace(/\s+/g, "");
  if (!/^[a-zA-Z]*(,[a-zA-Z]*)*(->[a-zA-Z]*)?$/.test(compact)) {
    throw new Error(
      `EinSum: cannot parse spec '${spec}': expected letters, ',' and one '->' (no '...')`,
    );
  }
  const [left, right] = compact.split("->") as [string, string | undefined];
  const inputs = left.split(",");
  const all = inputs.join("");
  // Without '->', numpy's rule: the indices that appear once, in alphabetical order.
  const output =
    right ??
    [...new Set(all)]
      .filter((l) => all.indexOf(l) === all.lastIndexOf(l))
      .sort()
      .join("");
  for (const letter of output) {
    if (output.indexOf(letter) !== output.lastIndexOf(letter)) {
      throw new Error(`EinSum: spec '${spec}' names output index '${letter}' twice`);
    }
    if (!all.includes(letter)) {
      throw new Error(`EinSum: output index '${letter}' of spec '${spec}' is in no operand`);
    }
  }
  return { inputs, output };
}

export class EinSum extends Operation {
  readonly spec: string;
  private readonly parsed: ParsedSpec;
  /** Saved for backward: the operands, and the size of every index. */
  private operands: Tensor[] | null = null;
  private sizes = new Map<string, number>();

  constructor(spec: string) {
    super();
    this.spec = spec;
    this.parsed = parseSpec(spec);
  }

  override forwardCall(...operands: Tensor[]): Tensor {
    const { inputs } = this.parsed;
    if (operands.length !== inputs.length) {
      throw new Error(
        `EinSum('${this.spec}'): expected ${inputs.length} operands, got ${operands.length}`,
      );
    }
    const value = einsum(this.spec, ...operands); // also checks ranks and sizes
    // An index's size is the one of its non-1 sides (the kit broadcasts sides of 1).
    const sizes = new Map<string, number>();
    inputs.forEach((labels, i) => {
      [...labels].forEach((label, axis) => {
        const side = operands[i]!.shape[axis]!;
        if (sizes.get(label) === undefined || sizes.get(label) === 1) sizes.set(label, side);
      });
    });
    this.sizes = sizes;
    this.operands = operands;
    return value;
  }

  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const operands = this.operands;
    if (operands === null) throw new Error("EinSum.backwardCall called before forwardCall");
    return operands.map((operand, i) => this.gradientOf(i, operand, operands, downstreamGrad));
  }

  private gradientOf(i: number, operand: Tensor, operands: Tensor[], grad: Tensor): Tensor {
    const { inputs, output } = this.parsed;
    const labels = inputs[i]!;
    const distinct = [...new Set(labels)];
    const size = (label: string) => this.sizes.get(label)!;

    // dZ times all other operands, kept over the indices of operand i that they mention.
    const otherTerms = [output, ...inputs.filter((_, j) => j !== i)];
    const otherOperands = [grad, ...operands.filter((_, j) => j !== i)];
    const mentioned = distinct.filter((label) => otherTerms.some((term) => term.includes(label)));
    let G = einsum(`${otherTerms.join(",")}->${mentioned.join("")}`, ...otherOperands);

    // G has each index's side as the other operands give it: missing for the indices only
    // operand i has (the forward summed them), 1 where the others only have a side of 1 that
    // the kit broadcast against operand i's larger side. The gradient is the same along both,
    // so G broadcasts to every index's full size.
    const sidesOfG = distinct.map((label) =>
      mentioned.includes(label) ? G.shape[mentioned.indexOf(label)]! : 1,
    );
    G = broadcastTo(G.reshape(sidesOfG), distinct.map(size));
    // Sides of 1 that the forward broadcast: the gradient sums over the copies.
    const side = (label: string) => operand.shape[labels.indexOf(label)]!;
    const broadcastAxes = distinct.flatMap((label, axis) =>
      side(label) === 1 && size(label) !== 1 ? [axis] : [],
    );
    if (broadcastAxes.length > 0) G = sum(G, broadcastAxes, true);

    return distinct.length === labels.length ? G : scatterDiagonal(G, labels, operand.shape);
  }
}

/**
 * Places G (axes: the distinct labels, in order of first appearance) on the diagonal of a zero
 * tensor of `shape` whose axes carry `labels`, where axes sharing a label share an index.
 */
function scatterDiagonal(G: Tensor, labels: string, shape: readonly number[]): Tensor {
  const distinct = [...new Set(labels)];
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  // Moving one step along a distinct label moves along every axis that carries it at once.
  const steps = distinct.map((label) =>
    [...labels].reduce((total, l, axis) => (l === label ? total + strides[axis]! : total), 0),
  );
  const sides = G.shape;
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const counter = new Array<number>(sides.length).fill(0);
  let target = 0;
  for (let source = 0; source < G.size; source++) {
    out[target] = G.data[source]!;
    for (let axis = sides.length - 1; axis >= 0; axis--) {
      counter[axis]!++;
      target += steps[axis]!;
      if (counter[axis]! < sides[axis]!) break;
      target -= steps[axis]! * sides[axis]!;
      counter[axis] = 0;
    }
  }
  return tensor(out, shape);
}
