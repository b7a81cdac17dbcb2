import { describe, expect, it } from "vitest";
import { add, div, exp, matmul, scalar, sum, type Tensor, tensor, zeros } from "../tensor/index.js";
import { threeClassDataset } from "./threeClassDataset.js";
import {
  type ClassifierImpl,
  type ClassifierLayer,
  type TrainClassifierOptions,
  trainClassifier,
} from "./trainClassifier.js";

/**
 * A stand-in submission that records what the driver does: real forwards, zero gradients, and an
 * sgdStep that only logs. The driver's own logic is what is under test here (the staff solution
 * is trained in reference/solution/training.test.ts).
 */
function recordingImpl() {
  const log: string[] = [];
  const initial: Tensor[] = [];
  class Param implements ClassifierLayer {
    grad: Tensor | null = null;
    constructor(
      public parameter: Tensor,
      private readonly kind: string,
    ) {
      initial.push(parameter);
    }
    forward(x: Tensor): Tensor {
      return this.kind === "Linear" ? matmul(x, this.parameter) : add(x, this.parameter);
    }
    backward(g: Tensor): Tensor {
      this.grad = zeros(this.parameter.shape);
      return g;
    }
  }
  const passThrough = (name: string, f: (x: Tensor) => Tensor) =>
    class implements ClassifierLayer {
      readonly name = name;
      forward(x: Tensor): Tensor {
        return f(x);
      }
      backward(g: Tensor): Tensor {
        return g;
      }
    };
  const impl: ClassifierImpl = {
    Linear: class extends Param {
      constructor(W: Tensor) {
        super(W, "Linear");
      }
    },
    Bias: class extends Param {
      constructor(b: Tensor) {
        super(b, "Bias");
      }
    },
    ReLU: passThrough("ReLU", (x) => x),
    SoftMax: passThrough("SoftMax", (x) => div(exp(x), sum(exp(x), 1, true))),
    CrossEntropy: class implements ClassifierLayer {
      constructor(readonly labels: Tensor) {
        log.push(`CrossEntropy [${labels.shape.join(", ")}]`);
      }
      forward(): Tensor {
        return scalar(0.5);
      }
      backward(): Tensor {
        return zeros(this.labels.shape);
      }
    },
    forwardLayers: (layers, input) => {
      log.push(`forwardLayers ${layers.length} [${input.shape.join(", ")}]`);
      return layers.reduce((x, layer) => layer.forward(x), input);
    },
    backwardLayers: (layers) => {
      log.push(`backwardLayers ${layers.length}`);
      let g: Tensor = scalar(1);
      for (let i = layers.length - 1; i >= 0; i--) g = layers[i]!.backward(g);
    },
    sgdStep: (layers, lr) => {
      log.push(`sgdStep ${layers.length} ${lr}`);
    },
    accuracy: () => 0.125,
  };
  return { impl, log, initial };
}

describe("trainClassifier", () => {
  const options: TrainClassifierOptions = {
    seed: 4,
    hidden: 6,
    epochs: 2,
    batchSize: 4,
    learningRate: 0.3,
    dataset: { trainSize: 10, testSize: 7 },
  };

  it("runs forwardLayers (with a new CrossEntropy per batch), backwardLayers and sgdStep per mini-batch", () => {
    const { impl, log } = recordingImpl();
    const result = trainClassifier(impl, options);
    const batch = (rows: number) => [
      `CrossEntropy [${rows}, 3]`,
      `forwardLayers 7 [${rows}, 2]`,
      "backwardLayers 7",
      "sgdStep 7 0.3",
    ];
    const epoch = [...batch(4), ...batch(4), ...batch(2)];
    expect(log).toEqual([...epoch, ...epoch, "forwardLayers 6 [7, 2]"]);
    expect(result.steps).toBe(6);
    expect(result.losses).toEqual([0.5, 0.5]);
  });

  it("returns the submission's accuracy and, independently, its own", () => {
    const { impl, initial } = recordingImpl();
    const result = trainClassifier(impl, options);
    expect(result.accuracy).toBe(0.125);
    // The stand-in never updates its weights (and its ReLU is the identity), so the driver's
    // figure must be the arg-max accuracy of this network on the held-out set.
    const [W1, b1, W2, b2] = initial as [Tensor, Tensor, Tensor, Tensor];
    const { testX, testY } = threeClassDataset({ seed: 4, trainSize: 10, testSize: 7 });
    const logits = add(matmul(add(matmul(testX, W1), b1), W2), b2);
    let hits = 0;
    for (let row = 0; row < 7; row++) {
      const scores = Array.from(logits.data.slice(row * 3, row * 3 + 3));
      const predicted = scores.indexOf(Math.max(...scores));
      if (testY.get(row, predicted) === 1) hits++;
    }
    expect(result.driverAccuracy).toBe(hits / 7);
  });

  it("draws the initial weights from the seed: [F, H], [H], [H, 3], [3], zero biases", () => {
    const a = recordingImpl();
    const b = recordingImpl();
    const c = recordingImpl();
    trainClassifier(a.impl, options);
    trainClassifier(b.impl, options);
    trainClassifier(c.impl, { ...options, seed: 5 });
    expect(a.initial.map((t) => t.shape)).toEqual([[2, 6], [6], [6, 3], [3]]);
    expect(Array.from(a.initial[1]!.data)).toEqual(new Array(6).fill(0));
    expect(Array.from(a.initial[0]!.data)).toEqual(Array.from(b.initial[0]!.data));
    expect(Array.from(a.initial[0]!.data)).not.toEqual(Array.from(c.initial[0]!.data));
  });

  it("explains a forwardLayers that does not return a scalar loss", () => {
    const { impl } = recordingImpl();
    const broken: ClassifierImpl = { ...impl, forwardLayers: () => tensor([1, 2]) };
    expect(() => trainClassifier(broken, options)).toThrow(
      /should return a tensor of shape \[\], got a tensor of shape \[2\]/,
    );
  });

  it("rejects bad options with a message naming the option", () => {
    const { impl } = recordingImpl();
    const bad = (o: unknown) => () => trainClassifier(impl, o as TrainClassifierOptions);
    expect(bad(null)).toThrow(/expected an options object/);
    expect(bad({ seed: "x" })).toThrow(/seed must be a finite number/);
    expect(bad({ seed: 1, hidden: 0 })).toThrow(/hidden must be an integer >= 1/);
    expect(bad({ seed: 1, epochs: 1.5 })).toThrow(/epochs must be an integer >= 1/);
    expect(bad({ seed: 1, batchSize: -2 })).toThrow(/batchSize must be an integer >= 1/);
    expect(bad({ seed: 1, learningRate: 0 })).toThrow(/learningRate must be a finite number > 0/);
    expect(bad({ seed: 1, lr: 0.1 })).toThrow(/unknown option 'lr'/);
    expect(bad({ seed: 1, dataset: { features: 1 } })).toThrow(/features must be an integer >= 2/);
  });
});
