import { Tensor, tensor } from "../reference/tensor/index.js";
import { type CompareOptions, compareTensors } from "./compareTensors.js";
import { type GradcheckOptions, type GradientFunction, gradcheck } from "./gradcheck.js";
import type { TensorFunction } from "./internal/perturb.js";

/** What `toPassGradcheck` accepts: an operation, a layer, or a function with its gradients. */
export type Gradcheckable =
  | { forwardCall(...inputs: Tensor[]): Tensor; backwardCall(downstreamGrad: Tensor): Tensor[] }
  | {
      forward(input: Tensor): Tensor;
      backward(downstreamGrad: Tensor): Tensor;
      parameter?: Tensor;
      grad?: Tensor | null;
    }
  | { f: TensorFunction; gradients: GradientFunction };

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The subject as a function plus its gradients, with names for the report. */
export function asCheckable(subject: unknown): {
  f: TensorFunction;
  gradients: GradientFunction;
  names?: string[];
  withParameter: boolean;
} {
  const s = subject as Record<string, unknown>;
  if (s && typeof s.f === "function" && typeof s.gradients === "function") {
    return {
      f: s.f as TensorFunction,
      gradients: s.gradients as GradientFunction,
      withParameter: false,
    };
  }
  if (s && typeof s.forwardCall === "function" && typeof s.backwardCall === "function") {
    const op = s as { forwardCall(...x: Tensor[]): Tensor; backwardCall(g: Tensor): Tensor[] };
    return {
      f: (...x) => op.forwardCall(...x),
      gradients: (g, x) => {
        op.forwardCall(...x);
        return op.backwardCall(g);
      },
      withParameter: false,
    };
  }
  if (s && typeof s.forward === "function" && typeof s.backward === "function") {
    const layer = s as {
      forward(x: Tensor): Tensor;
      backward(g: Tensor): Tensor;
      parameter?: Tensor;
      grad?: Tensor | null;
    };
    if (!(layer.parameter instanceof Tensor)) {
      return {
        f: (x) => layer.forward(x!),
        gradients: (g, [x]) => {
          layer.forward(x!);
          return [layer.backward(g)];
        },
        names: ["input"],
        withParameter: false,
      };
    }
    // A parametrised layer: check D_input and the stored D_parameter, swapping the parameter in.
    const withParameter = <T>(p: Tensor, run: () => T): T => {
      const saved = layer.parameter;
      layer.parameter = p;
      try {
        return run();
      } finally {
        layer.parameter = saved;
      }
    };
    return {
      f: (x, p) => withParameter(p!, () => layer.forward(x!)),
      gradients: (g, [x, p]) =>
        withParameter(p!, () => {
          layer.forward(x!);
          const input = layer.backward(g);
          return [input, layer.grad];
        }),
      names: ["input", "parameter"],
      withParameter: true,
    };
  }
  throw new Error(
    "toPassGradcheck: expected an operation (forwardCall/backwardCall), a layer (forward/backward) or { f, gradients }",
  );
}

/** Matchers for `expect.extend`; `gradmark/checks/vitest` registers them. */
export const gradmarkMatchers = {
  toPassGradcheck(
    this: { isNot?: boolean },
    received: unknown,
    inputs: Tensor[] | Tensor,
    options: GradcheckOptions = {},
  ): MatcherResult {
    const checkable = asCheckable(received);
    const list = inputs instanceof Tensor ? [inputs] : [...inputs];
    const layer = received as { parameter?: Tensor };
    if (checkable.withParameter && list.length === 1) list.push(layer.parameter!);
    const report = gradcheck(checkable.f, checkable.gradients, list, {
      names: checkable.names,
      ...options,
    });
    return {
      pass: report.passed,
      message: () =>
        report.passed
          ? `expected the gradients not to pass the gradient check, but they agree with finite differences (${report.evaluations} evaluations)`
          : `gradient check ${report.status}:\n${report.message}`,
    };
  },

  toBeCloseToTensor(
    this: { isNot?: boolean },
    received: unknown,
    expected: Tensor | number | readonly unknown[],
    options: CompareOptions = {},
  ): MatcherResult {
    const want = expected instanceof Tensor ? expected : tensor(expected as number[]);
    const comparison = compareTensors(received, want, { name: "received", ...options });
    return {
      pass: comparison.passed,
      message: () =>
        comparison.passed
          ? `expected the tensors to differ, but they agree (atol ${comparison.tolerance.atol}, rtol ${comparison.tolerance.rtol})`
          : comparison.message,
    };
  },
};
