import { broadcastData } from "./internal/broadcast.js";
import { type EinsumPlan, parseEinsumSpec, planEinsum } from "./internal/einsumSpec.js";
import { gemm } from "./internal/gemm.js";
import { permuteData } from "./internal/permute.js";
import { describe } from "./internal/shape.js";
import { sum } from "./reduce.js";
import { Tensor } from "./Tensor.js";

/**
 * Einstein summation with numpy's semantics: `einsum('ij,jk->ik', A, B)` is a matrix product,
 * `'ii->i'` a diagonal, `'ij->'` a total, and without `->` the output holds the indices that
 * appear once, in alphabetical order. `...` stands for broadcast dims; spaces are ignored; sides
 * of size 1 broadcast. Contractions run through a blocked matrix-product kernel.
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  const parsed = parseEinsumSpec(spec, operands.length);
  operands.forEach((operand, i) => {
    if (!(operand instanceof Tensor)) {
      throw new Error(`einsum: operand ${i} must be a Tensor, got ${describe(operand)}`);
    }
  });
  const plan = planEinsum(
    parsed,
    operands.map((operand) => operand.shape),
  );
  return runEinsum(plan, operands);
}

/** A tensor whose axes carry einsum labels. */
interface Labeled {
  data: Float64Array;
  labels: number[];
}

function runEinsum(plan: EinsumPlan, operands: readonly Tensor[]): Tensor {
  const { sizes, outputLabels } = plan;
  const outputSet = new Set(outputLabels);
  const prepared = operands.map((operand, i) => {
    let current = diagonal(operand, plan.operandLabels[i]!);
    current = expandOnes(current, operand, plan.operandLabels[i]!, sizes);
    // Indices that no other operand and not the output mention can be summed right away.
    const elsewhere = new Set<number>(outputLabels);
    plan.operandLabels.forEach((labels, j) => {
      if (j !== i) for (const label of labels) elsewhere.add(label);
    });
    return sumAway(current, sizes, (label) => !elsewhere.has(label));
  });

  let current = prepared[0] ?? { data: Float64Array.of(1), labels: [] };
  for (let next = 1; next < prepared.length; next++) {
    const neededLater = new Set<number>(outputLabels);
    for (let later = next + 1; later < prepared.length; later++) {
      for (const label of prepared[later]!.labels) neededLater.add(label);
    }
    current = contractPair(current, prepared[next]!, neededLater, sizes);
  }
  current = sumAway(current, sizes, (label) => !outputSet.has(label));
  const order = outputLabels.map((label) => current.labels.indexOf(label));
  const shape = current.labels.map((label) => sizes.get(label)!);
  return new Tensor(
    permuteData(current.data, shape, order),
    outputLabels.map((label) => sizes.get(label)!),
  );
}

/** Collapses repeated labels of one operand onto their diagonal, keeping first occurrences. */
function diagonal(operand: Tensor, labels: readonly number[]): Labeled {
  const unique = [...new Set(labels)];
  if (unique.length === labels.length) return { data: operand.data, labels: [...labels] };
  const sides = unique.map((label) => operand.shape[labels.indexOf(label)]!);
  const steps = unique.map((label) =>
    labels.reduce((total, l, axis) => (l === label ? total + operand.strides[axis]! : total), 0),
  );
  const size = sides.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  const counter = new Array<number>(unique.length).fill(0);
  let source = 0;
  for (let target = 0; target < size; target++) {
    out[target] = operand.data[source]!;
    for (let axis = unique.length - 1; axis >= 0; axis--) {
      counter[axis]!++;
      source += steps[axis]!;
      if (counter[axis]! < sides[axis]!) break;
      source -= steps[axis]! * sides[axis]!;
      counter[axis] = 0;
    }
  }
  return { data: out, labels: unique };
}

/** Materialises sides of size 1 that broadcast against a larger size of the same label. */
function expandOnes(
  current: Labeled,
  operand: Tensor,
  labels: readonly number[],
  sizes: ReadonlyMap<number, number>,
): Labeled {
  const shape = current.labels.map((label) => operand.shape[labels.indexOf(label)]!);
  const full = current.labels.map((label) => sizes.get(label)!);
  if (shape.every((side, axis) => side === full[axis])) return current;
  return { data: broadcastData(current.data, shape, full), labels: current.labels };
}

function sumAway(
  current: Labeled,
  sizes: ReadonlyMap<number, number>,
  drop: (label: number) => boolean,
): Labeled {
  const axes = current.labels.flatMap((label, axis) => (drop(label) ? [axis] : []));
  if (axes.length === 0) return current;
  const shape = current.labels.map((label) => sizes.get(label)!);
  const reduced = sum(new Tensor(current.data, shape), axes);
  return { data: reduced.data, labels: current.labels.filter((label) => !drop(label)) };
}

/**
 * Contracts two labeled tensors as one batched matrix product:
 * [batch, aOnly, summed] x [batch, summed, bOnly] -> [batch, aOnly, bOnly].
 */
function contractPair(
  a: Labeled,
  b: Labeled,
  neededLater: ReadonlySet<number>,
  sizes: ReadonlyMap<number, number>,
): Labeled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const shared = a.labels.filter((label) => inB.has(label));
  const batch = shared.filter((label) => neededLater.has(label));
  const summed = shared.filter((label) => !neededLater.has(label));
  const aOnly = a.labels.filter((label) => !inB.has(label));
  const bOnly = b.labels.filter((label) => !inA.has(label));
  const sizeOf = (labels: readonly number[]) => labels.reduce((t, l) => t * sizes.get(l)!, 1);
  const arrange = (t: Labeled, order: readonly number[]) =>
    permuteData(
      t.data,
      t.labels.map((label) => sizes.get(label)!),
      order.map((label) => t.labels.indexOf(label)),
    );
  const left = arrange(a, [...batch, ...aOnly, ...summed]);
  const right = arrange(b, [...batch, ...summed, ...bOnly]);
  const batchSize = sizeOf(batch);
  const m = sizeOf(aOnly);
  const k = sizeOf(summed);
  const n = sizeOf(bOnly);
  const out = new Float64Array(batchSize * m * n);
  gemm(batchSize, m, k, n, left, right, out);
  return { data: out, labels: [...batch, ...aOnly, ...bOnly] };
}
