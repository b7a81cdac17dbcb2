/**
 * Problem 3: layers, the simplified graph (staff solution).
 *
 * Each layer keeps what its backward needs from the latest forward (named in a field), and every
 * backward returns a gradient of exactly the shape of the input it differentiates.
 */
import {
  add,
  div,
  exp,
  map,
  matmul,
  max,
  mul,
  scalar,
  sub,
  sum,
  type Tensor,
  tensor,
} from "gradmark/tensor";

/** What every layer provides; `forwardLayers`, `backwardLayers` and `sgdStep` only use this. */
export interface Layer {
  forward(input: Tensor): Tensor;
  backward(downstreamGrad: Tensor): Tensor;
  /** The trainable tensor (`Linear`, `Bias`); `sgdStep` replaces it. */
  parameter?: Tensor;
  /** D_parameter[Z] after the latest `backward`; `null` before the first one. */
  grad?: Tensor | null;
}

const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

function saved<T>(value: T | null, layer: string): T {
  if (value === null) throw new Error(`${layer}.backward called before forward`);
  return value;
}

/** X `[B, N]` -> X W `[B, M]`. */
export class Linear implements Layer {
  parameter: Tensor;
  grad: Tensor | null = null;
  /** Saved for backward: the input X (D_W[Z] = X^T dZ). */
  private input: Tensor | null = null;

  constructor(W: Tensor) {
    this.parameter = W;
  }

  forward(input: Tensor): Tensor {
    this.input = input;
    return matmul(input, this.parameter);
  }

  backward(downstreamGrad: Tensor): Tensor {
    const X = saved(this.input, "Linear");
    this.grad = matmul(X.transpose(), downstreamGrad);
    return matmul(downstreamGrad, this.parameter.transpose());
  }
}

/** X `[B, M]` -> X + b, b `[M]` added to every row. */
export class Bias implements Layer {
  parameter: Tensor;
  grad: Tensor | null = null;

  constructor(b: Tensor) {
    this.parameter = b;
  }

  forward(input: Tensor): Tensor {
    const b = this.parameter;
    if (input.ndim !== 2 || b.ndim !== 1 || input.shape[1] !== b.shape[0]) {
      throw new Error(
        `Bias.forward: expected X [B, M] and b [M], got ${show(input.shape)} and ${show(b.shape)}`,
      );
    }
    return add(input, b);
  }

  backward(downstreamGrad: Tensor): Tensor {
    // b is reused by every row, so its gradient sums the rows' gradients.
    this.grad = sum(downstreamGrad, 0);
    return downstreamGrad.clone();
  }
}

/** max(x, 0) element-wise, any shape. */
export class ReLU implements Layer {
  /** Saved for backward: 1 where the input was positive, else 0. */
  private mask: Tensor | null = null;

  forward(input: Tensor): Tensor {
    this.mask = map(input, (x) => (x > 0 ? 1 : 0));
    return map(input, (x) => Math.max(x, 0));
  }

  backward(downstreamGrad: Tensor): Tensor {
    return mul(downstreamGrad, saved(this.mask, "ReLU"));
  }
}

/** 1 / (1 + e^-x) element-wise, any shape. */
export class Sigmoid implements Layer {
  /** Saved for backward: the output s (ds/dx = s (1 - s)). */
  private output: Tensor | null = null;

  forward(input: Tensor): Tensor {
    // Two forms so that e^(-x) never overflows for very negative x.
    this.output = map(input, (x) => {
      if (x >= 0) return 1 / (1 + Math.exp(-x));
      const e = Math.exp(x);
      return e / (1 + e);
    });
    return this.output;
  }

  backward(downstreamGrad: Tensor): Tensor {
    const s = saved(this.output, "Sigmoid");
    return mul(downstreamGrad, mul(s, sub(1, s)));
  }
}

/** X `[B, C]` -> row-wise softmax P `[B, C]`. */
export class SoftMax implements Layer {
  /** Saved for backward: the output P. */
  private output: Tensor | null = null;

  forward(input: Tensor): Tensor {
    if (input.ndim !== 2) {
      throw new Error(`SoftMax.forward: expected [B, C], got ${show(input.shape)}`);
    }
    // Subtracting the row max leaves softmax unchanged and keeps exp from overflowing.
    const e = exp(sub(input, max(input, 1, true)));
    this.output = div(e, sum(e, 1, true));
    return this.output;
  }

  backward(downstreamGrad: Tensor): Tensor {
    // Per row, dX = dP J with J = diag(p) - p p^T, i.e. p * (dP - <dP, p>).
    const P = saved(this.output, "SoftMax");
    return mul(P, sub(downstreamGrad, sum(mul(downstreamGrad, P), 1, true)));
  }
}

/** P `[B, C]` -> mean over rows of -log P[b, y_b] (shape `[]`), labels one-hot `[B, C]`. */
export class CrossEntropy implements Layer {
  readonly labels: Tensor;
  /** Saved for backward: the input P (dZ/dP[b, y_b] = -1 / (B P[b, y_b])). */
  private input: Tensor | null = null;

  constructor(labels: Tensor) {
    this.labels = labels;
  }

  forward(input: Tensor): Tensor {
    const Y = this.labels;
    if (input.ndim !== 2 || input.shape[0] !== Y.shape[0] || input.shape[1] !== Y.shape[1]) {
      throw new Error(
        `CrossEntropy.forward: expected P of the labels' shape ${show(Y.shape)}, got ${show(input.shape)}`,
      );
    }
    this.input = input;
    const rows = input.shape[0]!;
    let total = 0;
    // Only the labelled entries enter the loss: 0 * log(0) elsewhere would be NaN.
    for (let i = 0; i < input.size; i++) {
      const y = Y.data[i]!;
      if (y !== 0) total -= y * Math.log(input.data[i]!);
    }
    return scalar(total / rows);
  }

  backward(downstreamGrad: Tensor): Tensor {
    const P = saved(this.input, "CrossEntropy");
    const Y = this.labels;
    const scale = downstreamGrad.item() / P.shape[0]!;
    const out = new Float64Array(P.size);
    for (let i = 0; i < P.size; i++) {
      const y = Y.data[i]!;
      if (y !== 0) out[i] = (-scale * y) / P.data[i]!;
    }
    return tensor(out, P.shape);
  }
}

/** Runs the layers in order and returns the last output. */
export function forwardLayers(layers: readonly Layer[], input: Tensor): Tensor {
  return layers.reduce((x, layer) => layer.forward(x), input);
}

/** Backward through the layers in reverse, seeded with the scalar 1 (shape `[]`). */
export function backwardLayers(layers: readonly Layer[]): void {
  let grad = scalar(1);
  for (let i = layers.length - 1; i >= 0; i--) grad = layers[i]!.backward(grad);
}
