/**
 * `import "gradmark/checks/vitest"` (in a test file or in vitest's setupFiles) adds gradmark's
 * matchers to vitest's expect:
 *
 *   expect(new Linear(W)).toPassGradcheck([X]);
 *   expect(new MatrixMultiply()).toPassGradcheck([A, B]);
 *   expect(result).toBeCloseToTensor(expected, { atol: 1e-8 });
 */
import { expect } from "vitest";
import type { Tensor } from "../reference/tensor/index.js";
import type { CompareOptions } from "./compareTensors.js";
import type { GradcheckOptions } from "./gradcheck.js";
import { gradmarkMatchers } from "./matchers.js";

expect.extend(gradmarkMatchers);

/** What toPassGradcheck can check: an operation, a layer, or a function with its gradients. */
type GradcheckSubject =
  | { forwardCall: (...args: never[]) => unknown; backwardCall: (...args: never[]) => unknown }
  | { forward: (...args: never[]) => unknown; backward: (...args: never[]) => unknown }
  | { f: (...args: never[]) => unknown; gradients: (...args: never[]) => unknown };

/** What toBeCloseToTensor compares: a tensor, a number or nested arrays of numbers. */
type TensorLikeSubject = Tensor | number | readonly unknown[];

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: the type parameter must match vitest's declaration.
  interface Matchers<T = any> {
    /**
     * The subject's gradients agree with central finite differences of its forward at `inputs`.
     * Declared only where the subject is an operation, a layer or `{ f, gradients }`:
     * `expect(42).toPassGradcheck(x)` does not type-check.
     */
    toPassGradcheck: T extends GradcheckSubject
      ? (inputs: Tensor[] | Tensor, options?: GradcheckOptions) => void
      : never;
    /** Same shape and every element within atol + rtol * |expected|, with a hint on failure. */
    toBeCloseToTensor: T extends TensorLikeSubject
      ? (expected: Tensor | number | readonly unknown[], options?: CompareOptions) => void
      : never;
  }
}
