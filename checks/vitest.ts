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

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: the type parameter must match vitest's declaration.
  interface Matchers<T = any> {
    /** The subject's gradients agree with central finite differences of its forward at `inputs`. */
    toPassGradcheck(inputs: Tensor[] | Tensor, options?: GradcheckOptions): void;
    /** Same shape and every element within atol + rtol * |expected|, with a hint on failure. */
    toBeCloseToTensor(
      expected: Tensor | number | readonly unknown[],
      options?: CompareOptions,
    ): void;
  }
}
