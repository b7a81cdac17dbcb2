/**
 * The seeded 3-class data set of the training problem: three interleaved noisy spiral arms in
 * the plane (optionally padded with pure-noise features). A linear classifier cannot separate
 * the arms; a small ReLU network can. Generated with the kit's `Rng`, so the same options give
 * the same numbers on every machine.
 */
import { Rng, Tensor } from "../tensor/index.js";

export interface ThreeClassDatasetOptions {
  /** Seed of the generator (any finite number). */
  seed: number;
  /** Training points, a positive integer (default 300). */
  trainSize?: number;
  /** Held-out points, a positive integer (default 300). */
  testSize?: number;
  /** Features per point, an integer >= 2: the spiral's two coordinates, then noise (default 2). */
  features?: number;
  /** Standard deviation of the angular noise in radians, >= 0 (default 0.2). */
  noise?: number;
  /** How far each arm winds, in turns, > 0 (default 0.75). */
  turns?: number;
}

export interface ThreeClassDataset {
  /** `[trainSize, features]` */
  trainX: Tensor;
  /** One-hot `[trainSize, 3]` */
  trainY: Tensor;
  /** `[testSize, features]` */
  testX: Tensor;
  /** One-hot `[testSize, 3]` */
  testY: Tensor;
}

export const CLASSES = 3;

const DEFAULTS = { trainSize: 300, testSize: 300, features: 2, noise: 0.2, turns: 0.75 };
const KNOWN = new Set(["seed", ...Object.keys(DEFAULTS)]);

export function threeClassDataset(options: ThreeClassDatasetOptions): ThreeClassDataset {
  const o = validate(options);
  // Separate streams for the two splits, so the held-out set does not depend on trainSize.
  const [trainX, trainY] = sample(new Rng(`threeClassDataset/${o.seed}/train`), o.trainSize, o);
  const [testX, testY] = sample(new Rng(`threeClassDataset/${o.seed}/test`), o.testSize, o);
  return { trainX, trainY, testX, testY };
}

type Resolved = Required<ThreeClassDatasetOptions>;

function sample(rng: Rng, count: number, o: Resolved): [Tensor, Tensor] {
  // Balanced classes (count mod 3 extra points go to the first classes), in shuffled order.
  const classes = Array.from({ length: count }, (_, i) => i % CLASSES);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [classes[i], classes[j]] = [classes[j]!, classes[i]!];
  }
  const x = new Float64Array(count * o.features);
  const y = new Float64Array(count * CLASSES);
  classes.forEach((c, i) => {
    const t = rng.uniform();
    const radius = 0.15 + 0.85 * t;
    const angle = (2 * Math.PI * c) / CLASSES + 2 * Math.PI * o.turns * t + o.noise * rng.normal();
    const row = i * o.features;
    x[row] = radius * Math.cos(angle);
    x[row + 1] = radius * Math.sin(angle);
    for (let f = 2; f < o.features; f++) x[row + f] = 0.5 * rng.normal();
    y[i * CLASSES + c] = 1;
  });
  return [new Tensor(x, [count, o.features]), new Tensor(y, [count, CLASSES])];
}

function validate(options: ThreeClassDatasetOptions): Resolved {
  const where = "threeClassDataset";
  if (typeof options !== "object" || options === null) {
    throw new Error(`${where}: expected an options object such as { seed: 1 }, got ${options}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new Error(`${where}: unknown option '${key}' (known: ${[...KNOWN].join(", ")})`);
    }
  }
  const o = { ...DEFAULTS, ...stripUndefined(options) } as Resolved;
  if (typeof o.seed !== "number" || !Number.isFinite(o.seed)) {
    throw new Error(`${where}: seed must be a finite number, got ${String(o.seed)}`);
  }
  const integer = (name: "trainSize" | "testSize" | "features", min: number) => {
    const value = o[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw new Error(`${where}: ${name} must be an integer >= ${min}, got ${String(value)}`);
    }
  };
  integer("trainSize", 1);
  integer("testSize", 1);
  integer("features", 2);
  if (typeof o.noise !== "number" || !Number.isFinite(o.noise) || o.noise < 0) {
    throw new Error(`${where}: noise must be a finite number >= 0, got ${String(o.noise)}`);
  }
  if (typeof o.turns !== "number" || !Number.isFinite(o.turns) || o.turns <= 0) {
    throw new Error(`${where}: turns must be a finite number > 0, got ${String(o.turns)}`);
  }
  return o;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
