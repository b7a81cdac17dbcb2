import type { HintKind } from "../checks/diagnose.js";
import type { GradientFunction } from "../checks/gradcheck.js";
import type { TensorFunction } from "../checks/internal/perturb.js";
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
} from "../reference/tensor/index.js";

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

/** The sizes of {@link nearKinkNetwork}: X is [rows, inner], W is [inner, cols]. */
export interface NetworkSize {
  rows: number;
  inner: number;
  cols: number;
}

export interface NearKinkNetwork extends CatalogueCase {
  /** How many entries of X W lie within 1e-7 of ReLU's kink at 0. */
  nearKink: number;
}

/**
 * f(X, W) = <D, softmax(relu(X W))> (softmax along each row, D a seeded random [rows, cols]),
 * with its correct gradients, and 1 to 3 entries of X W (the seed decides) moved to within 1e-7
 * of ReLU's kink by shifting their rows of X: the finite-difference step (6e-6) then straddles
 * the kink, and several near-kink entries in one row or column put several kinks inside one
 * step. `bug`, when given, plants an error in one element of W's gradient: `bug(dW)` changes it.
 */
export function nearKinkNetwork(
  seed: number,
  size: NetworkSize,
  bug?: (dW: Float64Array, nearKink: readonly number[]) => void,
): NearKinkNetwork {
  const { rows, inner, cols } = size;
  const rng = new Rng(`near-kink network:${seed}`);
  const X = rng.randn([rows, inner]);
  const W = rng.randn([inner, cols]);
  const D = rng.randn([rows, cols]);
  // Targets per row: an entry of X W and the value to give it, |value| < 1e-7.
  const targets = new Map<number, Map<number, number>>();
  const count = 1 + rng.int(3);
  for (let c = 0; c < count; c++) {
    const i = rng.int(rows);
    const row = targets.get(i) ?? new Map<number, number>();
    targets.set(i, row);
    if (row.size < inner - 1) row.set(rng.int(cols), (rng.uniform() - 0.5) * 2e-7);
  }
  for (const [i, row] of targets) moveRow(X.data, W.data, i, inner, cols, row);
  const Z = matmul(X, W);
  const nearKink: number[] = [];
  Z.data.forEach((z, at) => {
    if (Math.abs(z) < 1e-7) nearKink.push(at);
  });
  const f: TensorFunction = (x, w) => {
    const p = softmaxRows(relu(matmul(x!, w!)));
    let total = 0;
    for (let at = 0; at < p.size; at++) total += p.data[at]! * D.data[at]!;
    return new Tensor(new Float64Array([total]), []);
  };
  const gradients: GradientFunction = (g, [x, w]) => {
    const z = matmul(x!, w!);
    const p = softmaxRows(relu(z));
    const dz = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      let mean = 0;
      for (let k = 0; k < cols; k++) mean += p.data[i * cols + k]! * D.data[i * cols + k]!;
      for (let k = 0; k < cols; k++) {
        const at = i * cols + k;
        dz[at] = z.data[at]! > 0 ? g.item() * p.data[at]! * (D.data[at]! - mean) : 0;
      }
    }
    const dZ = new Tensor(dz, [rows, cols]);
    const dW = matmul(t(x!), dZ);
    bug?.(dW.data, nearKink);
    return [matmul(dZ, t(w!)), dW];
  };
  return {
    name: "softmax(relu(X W)) near its kink",
    f,
    gradients,
    inputs: [X, W],
    batchSize: rows,
    nearKink: nearKink.length,
  };
}

/**
 * Shifts row i of X by the least change that gives the entries of row i of X W the target
 * values (a few sweeps of projections, one target entry at a time: they converge, since fewer
 * targets than inner columns are independent).
 */
function moveRow(
  x: Float64Array,
  w: Float64Array,
  i: number,
  inner: number,
  cols: number,
  row: ReadonlyMap<number, number>,
): void {
  for (let sweep = 0; sweep < 100; sweep++) {
    for (const [k, value] of row) {
      let z = 0;
      let norm = 0;
      for (let j = 0; j < inner; j++) {
        z += x[i * inner + j]! * w[j * cols + k]!;
        norm += w[j * cols + k]! ** 2;
      }
      for (let j = 0; j < inner; j++) x[i * inner + j]! -= ((z - value) / norm) * w[j * cols + k]!;
    }
  }
}

function relu(z: Tensor): Tensor {
  return new Tensor(
    z.data.map((v) => Math.max(v, 0)),
    z.shape,
  );
}

/** Softmax along the last axis of a matrix, stable (the row maximum subtracted first). */
function softmaxRows(z: Tensor): Tensor {
  const [rows, cols] = z.shape as [number, number];
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let top = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < cols; k++) top = Math.max(top, z.data[i * cols + k]!);
    let total = 0;
    for (let k = 0; k < cols; k++) {
      out[i * cols + k] = Math.exp(z.data[i * cols + k]! - top);
      total += out[i * cols + k]!;
    }
    for (let k = 0; k < cols; k++) out[i * cols + k]! /= total;
  }
  return new Tensor(out, [rows, cols]);
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
