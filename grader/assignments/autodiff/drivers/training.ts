import {
  type ClassifierImpl,
  trainClassifier,
} from "../../../../reference/forward/trainClassifier.js";
import type { Tensor } from "../../../../reference/tensor/index.js";
import type { Driver } from "../../../sandbox/child/driver.js";

/** sgdStep on plain layer objects: `{ parameter, grad }`, `{ parameter, grad: null }` or `{}`. */
export interface SgdPayload {
  layers: { parameter?: Tensor; grad?: Tensor | null }[];
  lr: number;
}

export interface AccuracyPayload {
  probabilities: Tensor;
  labels: Tensor;
}

export interface TrainPayload {
  seed: number;
}

function exported<T>(module: Record<string, unknown>, name: string): T {
  const value = module[name];
  if (typeof value !== "function") throw new Error(`src/training does not export ${name}`);
  return value as T;
}

const runSgdStep: Driver = (modules, payload) => {
  const p = payload as SgdPayload;
  const sgdStep = exported<(layers: unknown[], lr: number) => unknown>(
    modules.training!,
    "sgdStep",
  );
  // Plain objects with exactly the fields of HOMEWORK's Layer that sgdStep may use.
  const layers = p.layers.map((l) => ({ ...l }));
  sgdStep(layers, p.lr);
  return {
    parameters: layers.map((l) => l.parameter ?? null),
    // The very tensors that were passed in, read back after the call.
    before: p.layers.map((l) => ({ parameter: l.parameter ?? null, grad: l.grad ?? null })),
    kept: layers.map((l, i) => l.parameter === p.layers[i]!.parameter),
  };
};

const runAccuracy: Driver = (modules, payload) => {
  const p = payload as AccuracyPayload;
  const accuracy = exported<(p: Tensor, l: Tensor) => unknown>(modules.training!, "accuracy");
  return accuracy(p.probabilities, p.labels);
};

const runTraining: Driver = (modules, payload) => {
  const p = payload as TrainPayload;
  const impl = { ...modules.layers, ...modules.training } as unknown as ClassifierImpl;
  const result = trainClassifier(impl, { seed: p.seed });
  return {
    accuracy: result.accuracy,
    driverAccuracy: result.driverAccuracy,
    testProbabilities: result.testProbabilities,
    finalLoss: result.losses[result.losses.length - 1] ?? null,
    firstLoss: result.losses[0] ?? null,
    steps: result.steps,
  };
};

/** Drivers of problem checks on src/training (run inside the sandboxed child; import only the kit). */
export const trainingDrivers: Record<string, Driver> = {
  "training.sgdStep": runSgdStep,
  "training.accuracy": runAccuracy,
  "training.train": runTraining,
};
