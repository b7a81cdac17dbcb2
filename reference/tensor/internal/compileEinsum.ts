import { sum } from "../reduce.js";
import { Tensor } from "../Tensor.js";
import { broadcastData } from "./broadcast.js";
import type { EinsumPlan } from "./einsumSpec.js";
import { gatherStrided } from "./gatherStrided.js";
import { gemm } from "./gemm.js";
import { isIdentity, permuteData } from "./permute.js";
import { stridesOf } from "./shape.js";

/** One einsum for operands of exactly the shapes it was compiled for (checked beforehand). */
export type EinsumProgram = (operands: readonly Tensor[]) => Tensor;

/** A copy or reduction of one intermediate array; never writes into its input. */
type Step = (data: Float64Array) => Float64Array;

/** One pairwise contraction: [batch, aOnly, summed] x [batch, summed, bOnly]. */
interface Contraction {
  /** Rearranges the left or right operand, or null when it is already in that order. */
  left: Step | null;
  right: Step | null;
  batch: number;
  m: number;
  k: number;
  n: number;
}

/** Labels of an intermediate array, and whether its data is a kit-made copy or an operand's. */
interface Stage {
  labels: number[];
  steps: Step[];
  fresh: boolean;
}

/**
 * Works out once, from the plan, every diagonal, broadcast, early sum, rearrangement and matrix
 * product, so that repeated calls with the same spec and shapes only move numbers. Arrays that
 * are already in the order a step needs are passed through instead of copied.
 */
export function compileEinsum(
  plan: EinsumPlan,
  shapes: readonly (readonly number[])[],
): EinsumProgram {
  const { sizes, outputLabels, operandLabels } = plan;
  const sideOf = (label: number) => sizes.get(label)!;
  const prepared = operandLabels.map((labels, i) => {
    // Indices that no other operand and not the output mention can be summed right away.
    const elsewhere = new Set<number>(outputLabels);
    operandLabels.forEach((other, j) => {
      if (j !== i) for (const label of other) elsewhere.add(label);
    });
    return prepareOperand(labels, shapes[i]!, sideOf, (label) => !elsewhere.has(label));
  });

  // What the operands' own steps and the contractions leave: its labels, and no steps yet.
  let current: Stage = { labels: prepared[0]!.labels, steps: [], fresh: prepared[0]!.fresh };
  const contractions: Contraction[] = [];
  for (let next = 1; next < prepared.length; next++) {
    const neededLater = new Set<number>(outputLabels);
    for (let later = next + 1; later < prepared.length; later++) {
      for (const label of prepared[later]!.labels) neededLater.add(label);
    }
    const { contraction, labels } = planContraction(
      current.labels,
      prepared[next]!.labels,
      neededLater,
      sideOf,
    );
    contractions.push(contraction);
    current = { labels, steps: [], fresh: true };
  }
  const outputSet = new Set(outputLabels);
  current = sumAway(current, sideOf, (label) => !outputSet.has(label));
  const order = outputLabels.map((label) => current.labels.indexOf(label));
  if (!isIdentity(order) || !current.fresh) {
    // Also copies an operand passed through untouched: a result never shares an input's data.
    const shape = current.labels.map(sideOf);
    current.steps.push((data) => permuteData(data, shape, order));
  }
  const finalSteps = current.steps;
  const operandSteps = prepared.map((stage) => stage.steps);
  const outputShape = Object.freeze(outputLabels.map(sideOf));

  return (operands) => {
    let data = runSteps(operandSteps[0]!, operands[0]!.data);
    for (let c = 0; c < contractions.length; c++) {
      const right = runSteps(operandSteps[c + 1]!, operands[c + 1]!.data);
      data = contract(contractions[c]!, data, right);
    }
    return new Tensor(runSteps(finalSteps, data), outputShape);
  };
}

function runSteps(steps: readonly Step[], data: Float64Array): Float64Array {
  let current = data;
  for (let i = 0; i < steps.length; i++) current = steps[i]!(current);
  return current;
}

function contract(c: Contraction, a: Float64Array, b: Float64Array): Float64Array {
  const left = c.left === null ? a : c.left(a);
  const right = c.right === null ? b : c.right(b);
  const out = new Float64Array(c.batch * c.m * c.n);
  gemm(c.batch, c.m, c.k, c.n, left, right, out);
  return out;
}

/** Diagonal of repeated labels, then sides of 1 broadcast to full size, then early sums. */
function prepareOperand(
  labels: readonly number[],
  shape: readonly number[],
  sideOf: (label: number) => number,
  drop: (label: number) => boolean,
): Stage {
  const unique = [...new Set(labels)];
  const steps: Step[] = [];
  let sides = [...shape];
  if (unique.length !== labels.length) {
    // A repeated label walks all its axes at once: its step is the sum of their strides.
    const strides = stridesOf(shape);
    sides = unique.map((label) => shape[labels.indexOf(label)]!);
    const diagonalSteps = unique.map((label) =>
      labels.reduce((total, l, axis) => (l === label ? total + strides[axis]! : total), 0),
    );
    const diagonalSides = sides;
    steps.push((data) => gatherStrided(data, diagonalSides, diagonalSteps));
  }
  const full = unique.map(sideOf);
  if (!sides.every((side, axis) => side === full[axis])) {
    const from = sides;
    steps.push((data) => broadcastData(data, from, full));
  }
  return sumAway({ labels: unique, steps, fresh: steps.length > 0 }, sideOf, drop);
}

function sumAway(
  stage: Stage,
  sideOf: (label: number) => number,
  drop: (label: number) => boolean,
): Stage {
  const axes = stage.labels.flatMap((label, axis) => (drop(label) ? [axis] : []));
  if (axes.length === 0) return stage;
  const shape = stage.labels.map(sideOf);
  return {
    labels: stage.labels.filter((label) => !drop(label)),
    steps: [...stage.steps, (data) => sum(new Tensor(data, shape), axes).data],
    fresh: true,
  };
}

/**
 * Contracts two labeled arrays as one batched matrix product:
 * [batch, aOnly, summed] x [batch, summed, bOnly] -> [batch, aOnly, bOnly].
 */
function planContraction(
  a: readonly number[],
  b: readonly number[],
  neededLater: ReadonlySet<number>,
  sideOf: (label: number) => number,
): { contraction: Contraction; labels: number[] } {
  const inB = new Set(b);
  const inA = new Set(a);
  const shared = a.filter((label) => inB.has(label));
  const batch = shared.filter((label) => neededLater.has(label));
  const summed = shared.filter((label) => !neededLater.has(label));
  const aOnly = a.filter((label) => !inB.has(label));
  const bOnly = b.filter((label) => !inA.has(label));
  const sizeOf = (labels: readonly number[]) => labels.reduce((t, l) => t * sideOf(l), 1);
  const arrange = (labels: readonly number[], wanted: readonly number[]): Step | null => {
    const order = wanted.map((label) => labels.indexOf(label));
    if (isIdentity(order)) return null;
    const shape = labels.map(sideOf);
    return (data) => permuteData(data, shape, order);
  };
  return {
    contraction: {
      left: arrange(a, [...batch, ...aOnly, ...summed]),
      right: arrange(b, [...batch, ...summed, ...bOnly]),
      batch: sizeOf(batch),
      m: sizeOf(aOnly),
      k: sizeOf(summed),
      n: sizeOf(bOnly),
    },
    labels: [...batch, ...aOnly, ...bOnly],
  };
}
