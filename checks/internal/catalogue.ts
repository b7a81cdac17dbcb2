import {
  add,
  div,
  greater,
  matmul,
  max,
  mul,
  neg,
  Rng,
  sum,
  Tensor,
  zeros,
} from "../../reference/tensor/index.js";
import type { HintKind } from "../diagnose.js";
import type { GradientFunction } from "../gradcheck.js";
import type { TensorFunction } from "./perturb.js";

/**
 * Reference operations with correct gradients, and planted bugs in them, for the checks' own
 * tests: every planted bug must be caught with its hint, no correct gradient ever rejected.
 */
export interface CatalogueCase {
  name: string;
  f: TensorFunction;
  gradients: GradientFunction;
  inputs: Tensor[];
  batchSize: number;
}

export interface PlantedBug extends CatalogueCase {
  hint: HintKind;
  /** Words the hint's message must contain (which factor, which axis). */
  says?: string;
}

const t = (x: Tensor) => x.transpose();

/** Shapes from the seed, with the batch size different from the widths so factors are named. */
function dims(rng: Rng): { b: number; n: number; m: number } {
  const b = 2 + rng.int(4);
  let n = 2 + rng.int(4);
  let m = 1 + rng.int(5);
  if (n === b) n++;
  if (m === b || m === n) m = Math.max(b, n) + 1;
  return { b, n, m };
}

export function correctCases(seed: number): CatalogueCase[] {
  const rng = new Rng(seed);
  const { b, n, m } = dims(rng);
  const X = rng.randn([b, n]);
  const W = rng.randn([n, m]);
  const bias = rng.randn([m]);
  // Values right next to ReLU's kink and near-ties for max: a correct gradient must never fail.
  const nearKink = new Tensor(
    X.data.map((v, i) => (i % 3 === 0 ? (rng.uniform() - 0.5) * 2e-6 : v)),
    X.shape,
  );
  const nearTie = new Tensor(
    X.data.map((v, i) => (i === 1 ? X.data[0]! + (rng.uniform() - 0.5) * 1e-6 : v)),
    X.shape,
  );
  return [
    {
      name: "matmul",
      f: (x, w) => matmul(x!, w!),
      gradients: (g, [x, w]) => [matmul(g, t(w!)), matmul(t(x!), g)],
      inputs: [X, W],
      batchSize: b,
    },
    {
      name: "bias",
      f: (x, c) => add(x!, c!),
      gradients: (g) => [g, sum(g, 0)],
      inputs: [matmul(X, W), bias],
      batchSize: b,
    },
    {
      name: "product",
      f: (x, y) => mul(x!, y!),
      gradients: (g, [x, y]) => [mul(g, y!), mul(g, x!)],
      inputs: [X, rng.randn([b, n])],
      batchSize: b,
    },
    {
      name: "relu near its kink",
      f: (x) => mul(x!, greater(x!, 0)),
      gradients: (g, [x]) => [mul(g, greater(x!, 0))],
      inputs: [nearKink],
      batchSize: b,
    },
    {
      name: "max near a tie",
      f: (x) => max(x!),
      gradients: (g, [x]) => {
        const flat = x!.data;
        let best = 0;
        for (let i = 1; i < flat.length; i++) if (flat[i]! > flat[best]!) best = i;
        const out = zeros(x!.shape);
        out.data[best] = g.item();
        return [out];
      },
      inputs: [nearTie],
      batchSize: b,
    },
  ];
}

export function plantedBugs(seed: number): PlantedBug[] {
  const rng = new Rng(seed);
  const { b, n, m } = dims(rng);
  const X = rng.randn([b, n]);
  const W = rng.randn([n, m]);
  const square = rng.randn([n, n]);
  const Y = rng.randn([b, n]);
  const linear: TensorFunction = (x, w) => matmul(x!, w!);
  const meanLoss: TensorFunction = (x) => div(sum(mul(x!, x!)), x!.shape[0]!);
  return [
    {
      name: "transposed weight gradient (square)",
      hint: "transposed",
      f: linear,
      gradients: (g, [x, w]) => [matmul(g, t(w!)), t(matmul(t(x!), g))],
      inputs: [X, square],
      batchSize: b,
    },
    {
      name: "transposed weight gradient (wrong shape)",
      hint: "transposed",
      f: linear,
      gradients: (g, [x, w]) => [matmul(g, t(w!)), t(matmul(t(x!), g))],
      inputs: [X, W],
      batchSize: b,
    },
    {
      name: "sign flipped",
      hint: "sign",
      f: linear,
      gradients: (g, [x, w]) => [neg(matmul(g, t(w!))), matmul(t(x!), g)],
      inputs: [X, W],
      batchSize: b,
    },
    {
      name: "factor 2",
      hint: "factor",
      says: "twice",
      f: (x) => mul(x!, x!),
      gradients: (g, [x]) => [mul(mul(g, x!), 4)],
      inputs: [X],
      batchSize: b,
    },
    {
      name: "mean taken as a sum (factor B)",
      hint: "factor",
      says: "the batch size",
      f: meanLoss,
      gradients: (g, [x]) => [mul(mul(x!, 2), g)],
      inputs: [X],
      batchSize: b,
    },
    {
      name: "bias gradient not summed over the batch",
      hint: "missing-sum",
      says: "axis 0 (the batch axis)",
      f: (x, c) => add(x!, c!),
      gradients: (g) => [g, g],
      inputs: [matmul(X, W), rng.randn([m])],
      batchSize: b,
    },
    {
      name: "zero gradient",
      hint: "zero",
      f: linear,
      gradients: (g, [, w]) => [matmul(g, t(w!)), zeros(w!.shape)],
      inputs: [X, W],
      batchSize: b,
    },
    {
      name: "wrong shape",
      hint: "wrong-shape",
      f: linear,
      gradients: (g, [x, w]) => [matmul(g, t(w!)).reshape([-1]), matmul(t(x!), g)],
      inputs: [X, W],
      batchSize: b,
    },
    {
      name: "gradient of the wrong input",
      hint: "wrong-input",
      f: (x, y) => mul(x!, y!),
      gradients: (g, [x, y]) => [mul(g, x!), mul(g, y!)],
      inputs: [X, Y],
      batchSize: b,
    },
  ];
}
