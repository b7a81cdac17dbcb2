/**
 * The training driver of problem 6: trains `[Linear, Bias, ReLU, Linear, Bias, SoftMax]` built
 * from a submission's layers on the seeded 3-class data set with mini-batch SGD, using the
 * submission's `forwardLayers`, `backwardLayers` and `sgdStep`, and measures the held-out
 * accuracy both with the submission's `accuracy` and independently.
 *
 * Everything the driver draws (initial weights, mini-batch order) comes from the kit's seeded
 * `Rng`, so a correct submission gives the same numbers on every machine.
 */
import { mul, Rng, Tensor, zeros } from "../tensor/index.js";
import {
  CLASSES,
  type ThreeClassDataset,
  type ThreeClassDatasetOptions,
  threeClassDataset,
} from "./threeClassDataset.js";

/** A layer as the driver uses it (problem 3's `Layer`). */
export interface ClassifierLayer {
  forward(input: Tensor): Tensor;
  backward(downstreamGrad: Tensor): Tensor;
  parameter?: Tensor;
  grad?: Tensor | null;
}

/** What the driver needs from a submission: the layers of problem 3 and problem 6's functions. */
export interface ClassifierImpl {
  Linear: new (W: Tensor) => ClassifierLayer;
  Bias: new (b: Tensor) => ClassifierLayer;
  ReLU: new () => ClassifierLayer;
  SoftMax: new () => ClassifierLayer;
  CrossEntropy: new (labels: Tensor) => ClassifierLayer;
  forwardLayers(layers: readonly ClassifierLayer[], input: Tensor): Tensor;
  backwardLayers(layers: readonly ClassifierLayer[]): void;
  sgdStep(layers: readonly ClassifierLayer[], lr: number): void;
  accuracy(probabilities: Tensor, labels: Tensor): number;
}

export interface TrainClassifierOptions {
  /** Seeds the initial weights and the mini-batch order. */
  seed: number;
  /** Width of the hidden layer (default 32). */
  hidden?: number;
  /** Passes over the training set (default 60). */
  epochs?: number;
  /** Rows per mini-batch; the last batch of an epoch may be smaller (default 20). */
  batchSize?: number;
  /** SGD learning rate (default 0.5). */
  learningRate?: number;
  /** The data set's options; its seed defaults to `seed`. */
  dataset?: Partial<ThreeClassDatasetOptions>;
}

export interface TrainClassifierResult {
  /** Held-out accuracy according to the submission's `accuracy`. */
  accuracy: number;
  /** Held-out accuracy computed by the driver from the SoftMax output (arg-max, first on ties). */
  driverAccuracy: number;
  /** The SoftMax output on the held-out points (so a grader can score it itself). */
  testProbabilities: Tensor;
  /** Mean training loss of every epoch, in order. */
  losses: number[];
  /** Number of SGD steps taken. */
  steps: number;
}

export const TRAIN_DEFAULTS = { hidden: 32, epochs: 60, batchSize: 20, learningRate: 0.5 };

export function trainClassifier(
  impl: ClassifierImpl,
  options: TrainClassifierOptions,
): TrainClassifierResult {
  const o = validate(options);
  const data: ThreeClassDataset = threeClassDataset({ seed: o.seed, ...o.dataset });
  const [trainSize, features] = data.trainX.shape as [number, number];
  const rng = new Rng(`trainClassifier/${o.seed}`);

  // He initialisation for the ReLU layer, 1/sqrt(fan-in) for the output layer, zero biases.
  const model: ClassifierLayer[] = [
    new impl.Linear(mul(rng.randn([features, o.hidden]), Math.sqrt(2 / features))),
    new impl.Bias(zeros([o.hidden])),
    new impl.ReLU(),
    new impl.Linear(mul(rng.randn([o.hidden, CLASSES]), Math.sqrt(1 / o.hidden))),
    new impl.Bias(zeros([CLASSES])),
    new impl.SoftMax(),
  ];

  const order = Array.from({ length: trainSize }, (_, i) => i);
  const losses: number[] = [];
  let steps = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rng);
    let total = 0;
    let batches = 0;
    for (let start = 0; start < trainSize; start += o.batchSize) {
      const rows = order.slice(start, start + o.batchSize);
      const layers = [...model, new impl.CrossEntropy(gather(data.trainY, rows))];
      const loss = impl.forwardLayers(layers, gather(data.trainX, rows));
      total += scalarValue(loss, "forwardLayers on the network with its CrossEntropy loss");
      impl.backwardLayers(layers);
      impl.sgdStep(layers, o.learningRate);
      batches++;
      steps++;
    }
    losses.push(total / batches);
  }

  const probabilities = impl.forwardLayers(model, data.testX);
  checkShape(probabilities, data.testY.shape, "forwardLayers on the network up to SoftMax");
  const reported = impl.accuracy(probabilities, data.testY);
  if (typeof reported !== "number") {
    throw new Error(`trainClassifier: accuracy returned ${typeof reported}, expected a number`);
  }
  return {
    accuracy: reported,
    driverAccuracy: argmaxAccuracy(probabilities, data.testY),
    testProbabilities: probabilities,
    losses,
    steps,
  };
}

/** The rows `rows` of a 2-d tensor, in that order. */
function gather(t: Tensor, rows: readonly number[]): Tensor {
  const width = t.shape[1]!;
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, i) => {
    out.set(t.data.subarray(row * width, (row + 1) * width), i * width);
  });
  return new Tensor(out, [rows.length, width]);
}

function shuffle(order: number[], rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}

/** Fraction of rows whose first arg-max matches the label's; reads only `data`. */
export function argmaxAccuracy(probabilities: Tensor, labels: Tensor): number {
  const [rows, width] = labels.shape as [number, number];
  const first = (data: ArrayLike<number>, row: number) => {
    let best = 0;
    for (let c = 1; c < width; c++)
      if (data[row * width + c]! > data[row * width + best]!) best = c;
    return best;
  };
  let hits = 0;
  for (let row = 0; row < rows; row++) {
    if (first(probabilities.data, row) === first(labels.data, row)) hits++;
  }
  return hits / rows;
}

// Submission outputs are checked by their fields only, not with instanceof, so the driver works
// with any copy of the kit the submission was bundled with.
function scalarValue(value: unknown, what: string): number {
  const data = (value as { data?: unknown } | null)?.data;
  if (!(data instanceof Float64Array) || data.length !== 1) {
    throw new Error(
      `trainClassifier: ${what} should return a tensor of shape [], got ${describe(value)}`,
    );
  }
  return data[0]!;
}

function checkShape(value: unknown, shape: readonly number[], what: string): void {
  const actual = (value as { shape?: unknown } | null)?.shape;
  const data = (value as { data?: unknown } | null)?.data;
  const ok =
    Array.isArray(actual) &&
    data instanceof Float64Array &&
    actual.length === shape.length &&
    actual.every((side, i) => side === shape[i]);
  if (!ok) {
    throw new Error(
      `trainClassifier: ${what} should return a tensor of shape [${shape.join(", ")}], got ${describe(value)}`,
    );
  }
}

function describe(value: unknown): string {
  const shape = (value as { shape?: unknown } | null)?.shape;
  if (Array.isArray(shape)) return `a tensor of shape [${shape.join(", ")}]`;
  return value === null ? "null" : typeof value;
}

function validate(options: TrainClassifierOptions): Required<TrainClassifierOptions> {
  const where = "trainClassifier";
  if (typeof options !== "object" || options === null) {
    throw new Error(`${where}: expected an options object such as { seed: 1 }, got ${options}`);
  }
  const known = new Set(["seed", "dataset", ...Object.keys(TRAIN_DEFAULTS)]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new Error(`${where}: unknown option '${key}' (known: ${[...known].join(", ")})`);
    }
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...TRAIN_DEFAULTS, dataset: {}, ...defined } as Required<TrainClassifierOptions>;
  if (typeof o.seed !== "number" || !Number.isFinite(o.seed)) {
    throw new Error(`${where}: seed must be a finite number, got ${String(o.seed)}`);
  }
  for (const name of ["hidden", "epochs", "batchSize"] as const) {
    const value = o[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${where}: ${name} must be an integer >= 1, got ${String(value)}`);
    }
  }
  if (
    typeof o.learningRate !== "number" ||
    !Number.isFinite(o.learningRate) ||
    o.learningRate <= 0
  ) {
    throw new Error(
      `${where}: learningRate must be a finite number > 0, got ${String(o.learningRate)}`,
    );
  }
  if (typeof o.dataset !== "object" || o.dataset === null) {
    throw new Error(`${where}: dataset must be an options object, got ${String(o.dataset)}`);
  }
  return o;
}
