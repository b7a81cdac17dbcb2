/**
 * The function of bench row 7, gradmark's side: f(X, W) = <D, softmax(relu(X W))> (softmax
 * along each row), its gradients with an optional planted bug, and its data, drawn the way
 * bench/torch/gradcheck_vs_torch.py draws its own (standard normal X, W, D; one entry of X W
 * put within 1e-7 of ReLU's kink by moving one row of X).
 */
import type { GradientFunction, TensorFunction } from "../checks/index.js";
import { matmul, Rng, Tensor } from "../reference/tensor/index.js";

/** X is batch x inner, W inner x classes. */
export interface NetworkShape {
  batch: number;
  inner: number;
  classes: number;
}

/** Input elements: those of X and of W. */
export function networkSize(shape: NetworkShape): number {
  return shape.batch * shape.inner + shape.inner * shape.classes;
}

/** What is wrong with a gradient: ReLU's backward slope below 0 (0 is right), added constants. */
export interface NetworkBug {
  slopeBelowZero: number;
  /** Added to the gradients of X and W (times the downstream gradient), or null. */
  deltas: [Float64Array, Float64Array] | null;
}

export const NO_BUG: NetworkBug = { slopeBelowZero: 0, deltas: null };

/** The slope a leaky ReLU bug lets through below 0 in the backward. */
export const LEAK = 1e-3;

/** How close to ReLU's kink the near-kink entry of X W is put. */
export const KINK_MARGIN = 1e-7;

export interface NetworkCase {
  x: Tensor;
  w: Tensor;
  d: Tensor;
  /** Where the data came from, for later draws (a planted element). */
  rng: Rng;
}

/** Standard normal X, W, D; with `nearKink`, one entry of X W moved next to ReLU's kink. */
export function drawNetwork(
  shape: NetworkShape,
  seed: number,
  stream: "cases" | "nearKink" | "warmUp",
): NetworkCase {
  const rng = new Rng(`bench torch:${networkSize(shape)}:${seed}:${stream}`);
  const x = rng.randn([shape.batch, shape.inner]);
  const w = rng.randn([shape.inner, shape.classes]);
  const d = rng.randn([shape.batch, shape.classes]);
  if (stream === "nearKink") placeNearKink(x.data, w.data, shape, rng);
  return { x, w, d, rng };
}

/**
 * Moves one row of X the least that gives one entry of X W a random value within the margin
 * of 0: the entry is linear in the row, so one projection onto W's column does it.
 */
function placeNearKink(x: Float64Array, w: Float64Array, shape: NetworkShape, rng: Rng): void {
  const { inner, classes } = shape;
  const row = rng.int(shape.batch);
  const col = rng.int(classes);
  const target = rng.uniform(-KINK_MARGIN, KINK_MARGIN);
  let z = 0;
  let norm = 0;
  for (let j = 0; j < inner; j++) {
    z += x[row * inner + j]! * w[j * classes + col]!;
    norm += w[j * classes + col]! ** 2;
  }
  for (let j = 0; j < inner; j++)
    x[row * inner + j]! -= ((z - target) / norm) * w[j * classes + col]!;
}

/** softmax(relu(Z)) row by row, stable (the row's maximum subtracted first). */
function softmaxOfRelu(z: Tensor): Float64Array {
  const [rows, cols] = z.shape as [number, number];
  const p = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let top = 0;
    for (let k = 0; k < cols; k++) top = Math.max(top, z.data[i * cols + k]!);
    let total = 0;
    for (let k = 0; k < cols; k++) {
      const e = Math.exp(Math.max(z.data[i * cols + k]!, 0) - top);
      p[i * cols + k] = e;
      total += e;
    }
    for (let k = 0; k < cols; k++) p[i * cols + k]! /= total;
  }
  return p;
}

/** f(X, W) = <D, softmax(relu(X W))>, a 0-d tensor. */
export function networkFunction(d: Tensor): TensorFunction {
  return (x, w) => {
    const p = softmaxOfRelu(matmul(x!, w!));
    let total = 0;
    for (let at = 0; at < p.length; at++) total += p[at]! * d.data[at]!;
    return new Tensor(new Float64Array([total]), []);
  };
}

/** The gradients of f for a downstream gradient g, with `bug` planted in them. */
export function networkGradients(d: Tensor, bug: NetworkBug = NO_BUG): GradientFunction {
  return (g, [x, w]) => {
    const z = matmul(x!, w!);
    const p = softmaxOfRelu(z);
    const [rows, cols] = z.shape as [number, number];
    const dz = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      let mean = 0;
      for (let k = 0; k < cols; k++) mean += p[i * cols + k]! * d.data[i * cols + k]!;
      for (let k = 0; k < cols; k++) {
        const at = i * cols + k;
        const slope = z.data[at]! > 0 ? 1 : bug.slopeBelowZero;
        dz[at] = p[at]! * (d.data[at]! - mean) * slope;
      }
    }
    const dZ = new Tensor(dz, [rows, cols]);
    const grads = [matmul(dZ, w!.transpose()), matmul(x!.transpose(), dZ)];
    const scale = g.item();
    return grads.map((grad, i) => {
      const delta = bug.deltas?.[i];
      return new Tensor(
        grad.data.map((v, at) => scale * (v + (delta ? delta[at]! : 0))),
        grad.shape,
      );
    });
  };
}

/** Which element a planted error moves (flat over X's then W's elements) and which way. */
export interface PlantedElement {
  at: number;
  sign: 1 | -1;
}

/** Draws the element (uniform over X's and W's) and the sign from the case's generator. */
export function pickElement(c: NetworkCase): PlantedElement {
  const at = c.rng.int(c.x.size + c.w.size);
  return { at, sign: c.rng.uniform() < 0.5 ? -1 : 1 };
}

/** The element moved by `relative` x the RMS of its input's correct gradient. */
export function plantElement(c: NetworkCase, pick: PlantedElement, relative: number): NetworkBug {
  const correct = networkGradients(c.d)(new Tensor(new Float64Array([1]), []), [c.x, c.w]);
  const [dx, dw] = correct as [Tensor, Tensor];
  const which = pick.at < dx.size ? 0 : 1;
  const grad = which === 0 ? dx : dw;
  let squares = 0;
  for (const v of grad.data) squares += v * v;
  const deltas: [Float64Array, Float64Array] = [
    new Float64Array(dx.size),
    new Float64Array(dw.size),
  ];
  deltas[which][pick.at - which * dx.size] = pick.sign * relative * Math.sqrt(squares / grad.size);
  return { slopeBelowZero: 0, deltas };
}
