import fc from "fast-check";
import { Tensor } from "../../reference/tensor/index.js";
import { range } from "./internal/fit.js";
import { sideArb } from "./internal/shapes.js";
import {
  booleanField,
  checkKeys,
  checkOrder,
  integerField,
  numberField,
  rangeField,
  show,
} from "./internal/validate.js";
import {
  type Cell,
  cellsArb,
  type ResolvedValues,
  resolveValues,
  ValueDomain,
  valuesFromCells,
} from "./internal/values.js";

/** An activation layerStackArb may put after a linear layer. */
export type Activation = "relu" | "sigmoid";

/** One layer of a stack, as plain data; the grader builds the student's layer objects from it. */
export type LayerSpec =
  | { kind: "linear"; weights: Tensor }
  | { kind: "bias"; bias: Tensor }
  | { kind: "relu" }
  | { kind: "sigmoid" }
  | { kind: "softmax" }
  | { kind: "crossEntropy"; labels: Tensor };

/** A network to run forward and backward: layers in order and the input batch. */
export interface LayerStackSpec {
  /** Rows of the input. */
  batch: number;
  /** Input width first, then the output width of every linear layer. */
  widths: number[];
  layers: LayerSpec[];
  /** The input batch, shape [batch, widths[0]]. */
  input: Tensor;
}

/** Constraints of layerStackArb. */
export interface LayerStackConstraints {
  /** Fewest linear layers (default 1). */
  minDepth?: number;
  /** Most linear layers (default 3). */
  maxDepth?: number;
  /** Smallest width (default 1). */
  minWidth?: number;
  /** Largest width, at most 64 (default 5). */
  maxWidth?: number;
  /** Rows of the input: a fixed number or { min, max } (default { min: 1, max: 4 }). */
  batch?: number | { min: number; max: number };
  /** Activations to choose from after each hidden linear layer (default both; [] for none). */
  activations?: readonly Activation[];
  /** Also put an activation after the last linear layer (default false). */
  finalActivation?: boolean;
  /** A Bias layer after every Linear layer (default true). */
  withBias?: boolean;
  /** End with SoftMax and CrossEntropy on one-hot labels of the last width (default false). */
  withSoftmaxCrossEntropy?: boolean;
  /** The batch size differs from every width of the stack (default false). */
  batchDiffersFromWidth?: boolean;
  /**
   * Every input of a ReLU is at least this far from 0 (default 0.01 with biases, else 0): the
   * bias before the ReLU is moved to the nearest value that keeps every row's pre-activation
   * that far from 0.
   */
  reluMargin?: number;
  /** Smallest weight, bias and input value (default -1). */
  min?: number;
  /** Largest weight, bias and input value (default 1). */
  max?: number;
  /** Mix exact 0, 1 and -1 into weights, biases and inputs. */
  specialValues?: boolean;
}

const KEYS = [
  "minDepth",
  "maxDepth",
  "minWidth",
  "maxWidth",
  "batch",
  "activations",
  "finalActivation",
  "withBias",
  "withSoftmaxCrossEntropy",
  "batchDiffersFromWidth",
  "reluMargin",
  "min",
  "max",
  "specialValues",
] as const;

const MAX_DEPTH = 16;
const MAX_WIDTH = 64;

/** The constraints after validation. */
interface Settings {
  minDepth: number;
  maxDepth: number;
  minWidth: number;
  maxWidth: number;
  batch: { min: number; max: number };
  activations: Activation[];
  finalActivation: boolean;
  withBias: boolean;
  withSoftmax: boolean;
  batchDiffersFromWidth: boolean;
  reluMargin: number;
  values: ResolvedValues;
}

/** The drawn shape of a stack, before its values. */
interface Structure {
  batch: number;
  widths: number[];
  /** Activation after linear layer i (null for none). */
  activations: (Activation | null)[];
  /** Class of each row, modulo the number of classes (one per possible row). */
  picks: number[];
}

/**
 * Stacks of layers with chained shapes: Linear W [in, out], Bias [out], activations, and
 * optionally SoftMax and CrossEntropy. Generated with fc.chain from the structure (depth, widths,
 * batch, activations) to the values, so shrinking first makes the network smaller (fewer layers,
 * widths and batch of 1) and then simplifies the values.
 */
export function layerStackArb(
  constraints: LayerStackConstraints = {},
): fc.Arbitrary<LayerStackSpec> {
  const settings = resolveConstraints(constraints);
  return structureArb(settings).chain((s) => {
    const depth = s.widths.length - 1;
    const exact = (n: number) => cellsArb(settings.values, n, n);
    return fc
      .tuple(
        exact(s.batch * s.widths[0]!),
        fc.tuple(...range(depth).map((i) => exact(s.widths[i]! * s.widths[i + 1]!))),
        fc.tuple(...range(settings.withBias ? depth : 0).map((i) => exact(s.widths[i + 1]!))),
      )
      .map(([inputCells, weightCells, biasCells]) =>
        buildStack(settings, s, inputCells, weightCells, biasCells),
      );
  });
}

/** Validates the constraints and fills in the defaults. */
function resolveConstraints(constraints: LayerStackConstraints): Settings {
  const where = "layerStackArb";
  const c = checkKeys(where, constraints, KEYS);
  const minDepth = integerField(where, "minDepth", c.minDepth, 1, { min: 1, max: MAX_DEPTH });
  const maxDepth = integerField(where, "maxDepth", c.maxDepth, Math.max(3, minDepth), {
    min: 1,
    max: MAX_DEPTH,
  });
  checkOrder(where, "minDepth", minDepth, "maxDepth", maxDepth);
  const minWidth = integerField(where, "minWidth", c.minWidth, 1, { min: 1, max: MAX_WIDTH });
  const maxWidth = integerField(where, "maxWidth", c.maxWidth, Math.max(5, minWidth), {
    min: 1,
    max: MAX_WIDTH,
  });
  checkOrder(where, "minWidth", minWidth, "maxWidth", maxWidth);
  const batch = rangeField(where, "batch", c.batch, { min: 1, max: 4 }, 1);
  if (batch.max > MAX_WIDTH) {
    throw new Error(`${where}: batch (${batch.max}) must be at most ${MAX_WIDTH}`);
  }
  const activations = resolveActivations(where, c.activations);
  const finalActivation = booleanField(where, "finalActivation", c.finalActivation, false);
  const withBias = booleanField(where, "withBias", c.withBias, true);
  const withSoftmax = booleanField(
    where,
    "withSoftmaxCrossEntropy",
    c.withSoftmaxCrossEntropy,
    false,
  );
  const differs = booleanField(where, "batchDiffersFromWidth", c.batchDiffersFromWidth, false);
  if (differs && batch.min === batch.max && minWidth === maxWidth && batch.min === minWidth) {
    throw new Error(
      `${where}: batchDiffersFromWidth is impossible with batch (${batch.min}) and every width ${minWidth}`,
    );
  }
  const values = resolveValues(
    where,
    { min: c.min, max: c.max, specialValues: c.specialValues },
    undefined,
    { min: -1, max: 1 },
  );
  return {
    minDepth,
    maxDepth,
    minWidth,
    maxWidth,
    batch,
    activations,
    finalActivation,
    withBias,
    withSoftmax,
    batchDiffersFromWidth: differs,
    reluMargin: resolveReluMargin(where, c.reluMargin, withBias, batch.max, values),
    values,
  };
}

/** The activations to choose from (default both). */
function resolveActivations(where: string, value: unknown): Activation[] {
  if (value === undefined) return ["relu", "sigmoid"];
  if (!Array.isArray(value)) {
    throw new Error(`${where}: activations (${show(value)}) must be an array`);
  }
  return value.map((a: unknown, i: number) => {
    if (a !== "relu" && a !== "sigmoid") {
      throw new Error(`${where}: activations[${i}] (${show(a)}) must be "relu" or "sigmoid"`);
    }
    return a;
  });
}

/** The margin of ReLU inputs from 0 (default 0.01 with biases, else 0), checked to be possible. */
function resolveReluMargin(
  where: string,
  value: unknown,
  withBias: boolean,
  maxBatch: number,
  r: ResolvedValues,
): number {
  const reluMargin = numberField(where, "reluMargin", value, withBias ? 0.01 : 0);
  if (reluMargin < 0) throw new Error(`${where}: reluMargin (${reluMargin}) must not be negative`);
  if (reluMargin > 0 && !withBias) {
    throw new Error(
      `${where}: reluMargin (${reluMargin}) needs withBias (the bias keeps pre-activations away from 0)`,
    );
  }
  if (4 * reluMargin * maxBatch > r.max - r.min) {
    throw new Error(
      `${where}: reluMargin (${reluMargin}) is too large for ${maxBatch} rows and biases in [${r.min}, ${r.max}]; it must be at most (max - min) / (4 * batch)`,
    );
  }
  return reluMargin;
}

/**
 * The structure: a depth, then widths, batch, activations and label picks drawn for the
 * largest stack and cut down to the depth (so shrinking the depth leaves the rest in place).
 */
function structureArb(settings: Settings): fc.Arbitrary<Structure> {
  const { minDepth, maxDepth, minWidth, maxWidth, batch, activations } = settings;
  return fc
    .tuple(
      fc.integer({ min: minDepth, max: maxDepth }),
      fc.array(sideArb(minWidth, maxWidth), { minLength: maxDepth + 1, maxLength: maxDepth + 1 }),
      fc.integer(batch),
      fc.array(activations.length > 0 ? fc.constantFrom(...activations) : fc.constant(null), {
        minLength: maxDepth,
        maxLength: maxDepth,
      }),
      settings.withSoftmax
        ? fc.array(fc.nat(maxWidth - 1), { minLength: batch.max, maxLength: batch.max })
        : fc.constant([] as number[]),
    )
    .map(([depth, widths, rows, acts, picks]): Structure => {
      const s: Structure = {
        batch: rows,
        widths: widths.slice(0, depth + 1),
        activations: acts
          .slice(0, depth)
          .map((a, i) => (i < depth - 1 || settings.finalActivation ? a : null)),
        picks,
      };
      if (settings.batchDiffersFromWidth) {
        separateBatch(s, batch.min, batch.max, minWidth, maxWidth);
      }
      s.picks = s.picks.slice(0, s.batch);
      return s;
    });
}

/**
 * The stack of structure `s` with values from the cells: the input, then per linear layer its
 * weights, its bias (fitted to keep a following ReLU's inputs away from 0) and its activation,
 * run forward on the input to know where the ReLU inputs are.
 */
function buildStack(
  settings: Settings,
  s: Structure,
  inputCells: Cell[],
  weightCells: Cell[][],
  biasCells: Cell[][],
): LayerStackSpec {
  const r = settings.values;
  const { batch: rows, widths } = s;
  const input = new Tensor(valuesFromCells(r, inputCells, rows * widths[0]!), [rows, widths[0]!]);
  const layers: LayerSpec[] = [];
  let h = input.data;
  for (let i = 0; i + 1 < widths.length; i++) {
    const n = widths[i]!;
    const m = widths[i + 1]!;
    const w = valuesFromCells(r, weightCells[i]!, n * m);
    layers.push({ kind: "linear", weights: new Tensor(w, [n, m]) });
    const z = times(h, w, rows, n, m);
    const activation = s.activations[i] ?? null;
    if (settings.withBias) {
      const b = valuesFromCells(r, biasCells[i]!, m);
      if (activation === "relu" && settings.reluMargin > 0) {
        keepReluInputsFromKink(b, z, rows, settings.reluMargin, r);
      }
      layers.push({ kind: "bias", bias: new Tensor(b, [m]) });
      for (let row = 0; row < rows; row++) {
        for (let j = 0; j < m; j++) z[row * m + j]! += b[j]!;
      }
    }
    h = activate(layers, z, activation);
  }
  if (settings.withSoftmax) {
    const classes = widths[widths.length - 1]!;
    layers.push({ kind: "softmax" });
    layers.push({ kind: "crossEntropy", labels: oneHot(s.picks, rows, classes) });
  }
  return { batch: rows, widths: [...widths], layers, input };
}

/** The product of h [rows, n] and w [n, m], row-major. */
function times(h: Float64Array, w: Float64Array, rows: number, n: number, m: number): Float64Array {
  const z = new Float64Array(rows * m);
  for (let row = 0; row < rows; row++) {
    for (let k = 0; k < n; k++) {
      const x = h[row * n + k]!;
      for (let j = 0; j < m; j++) z[row * m + j]! += x * w[k * m + j]!;
    }
  }
  return z;
}

/**
 * Moves each bias b_j (in place) to the nearest value in range that keeps every row's
 * pre-activation z[row, j] + b_j at least `margin` from ReLU's kink at 0.
 */
function keepReluInputsFromKink(
  b: Float64Array,
  z: Float64Array,
  rows: number,
  margin: number,
  r: ResolvedValues,
): void {
  const m = b.length;
  for (let j = 0; j < m; j++) {
    const kinks = range(rows).map((row) => -z[row * m + j]!);
    b[j] = new ValueDomain(r.min, r.max, kinks, margin, false).nearest(b[j]!);
  }
}

/** Appends the activation layer (if any) and returns its output on `z`. */
function activate(
  layers: LayerSpec[],
  z: Float64Array,
  activation: Activation | null,
): Float64Array {
  if (activation === "relu") {
    layers.push({ kind: "relu" });
    return z.map((v) => Math.max(v, 0));
  }
  if (activation === "sigmoid") {
    layers.push({ kind: "sigmoid" });
    return z.map((v) => 1 / (1 + Math.exp(-v)));
  }
  return z;
}

/** One-hot labels [rows, classes]: row i is class picks[i] mod classes. */
function oneHot(picks: readonly number[], rows: number, classes: number): Tensor {
  const labels = new Float64Array(rows * classes);
  picks.forEach((pick, row) => {
    labels[row * classes + (pick % classes)] = 1;
  });
  return new Tensor(labels, [rows, classes]);
}

/**
 * Makes the batch differ from every width: the nearest other batch size in range (smaller
 * first), or else the widths equal to the batch move to a neighbouring width.
 */
function separateBatch(
  s: Structure,
  minBatch: number,
  maxBatch: number,
  minWidth: number,
  maxWidth: number,
): void {
  if (!s.widths.includes(s.batch)) return;
  for (let d = 1; d <= maxBatch - minBatch; d++) {
    for (const candidate of [s.batch - d, s.batch + d]) {
      if (candidate >= minBatch && candidate <= maxBatch && !s.widths.includes(candidate)) {
        s.batch = candidate;
        return;
      }
    }
  }
  const other = s.batch - 1 >= minWidth ? s.batch - 1 : s.batch + 1;
  if (other > maxWidth) throw new Error("layerStackArb: internal error: cannot separate batch");
  s.widths = s.widths.map((width) => (width === s.batch ? other : width));
}
