/**
 * Problem 1: contractions (HOMEWORK.md). Expected values come from the public reference forwards
 * in reference/forward/contractions.ts; inputs are property-generated with exact 0s and 1s,
 * and k = 0, k >= 2 and full-rank contractions are forced in a fraction of the cases.
 */
import fc from "fast-check";
import { type ContractionPair, tensorArb } from "../../../../checks/index.js";
import {
  batchedMatmul,
  contract,
  slideEinsum,
} from "../../../../reference/forward/contractions.js";
import type { Tensor } from "../../../../reference/tensor/index.js";
import { functionChecks } from "../../../authoring/builders/functionChecks.js";
import type { ProblemDefinition } from "../../../authoring/types.js";
import { contractCases } from "./shared/contractCases.js";

/** Values from the checks' default range [-3, 3], with exact 0, 1 and -1 mixed in. */
const VALUES = { specialValues: true } as const;

// ---------------------------------------------------------------------------------------------
// contract(A, B, k): the cases are shared/contractCases.ts (problem 4's TensorDot uses them too)

function contractNote({ a, b, k }: ContractionPair): string | undefined {
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  const notes: string[] = [];
  if (k === 0) {
    notes.push(
      `k = 0 contracts nothing: the outer product, of shape A.shape ++ B.shape = ${shape([...a.shape, ...b.shape])}`,
    );
  } else if (k === a.ndim && k === b.ndim) {
    notes.push(
      "k is the full rank of both A and B: every dim is summed, the result is a scalar of shape []",
    );
  } else if (k === a.ndim) {
    notes.push("k is the full rank of A: the result has shape B.shape[k:]");
  } else if (k === b.ndim) {
    notes.push("k is the full rank of B: the result has shape A.shape[:-k]");
  }
  if (k >= 2) {
    notes.push(
      `the last ${k} dims of A pair with the first ${k} dims of B in the same order (A's dim -${k} with B's dim 0, ...)`,
    );
  }
  return notes.length > 0 ? notes.join("; ") : undefined;
}

// ---------------------------------------------------------------------------------------------
// batchedMatmul(X, M) and slideEinsum(X, Y)

const side = fc.noBias(fc.integer({ min: 1, max: 4 }));
/** A batch size: 1 in a quarter of the cases, else 2..4. */
const batchSide = fc.oneof(
  { arbitrary: fc.constant(1), weight: 1 },
  { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 3 },
);

interface BatchedCase {
  X: Tensor;
  M: Tensor;
}

/** B, n, m with n or m (or both) forced equal to B in some cases. */
const batchedCases: fc.Arbitrary<BatchedCase> = fc
  .tuple(batchSide, side, side, fc.constantFrom("none", "none", "n", "m", "nm"))
  .map(([B, n, m, tie]) => [B, tie.includes("n") ? B : n, tie.includes("m") ? B : m] as const)
  .chain(([B, n, m]) =>
    fc.record({
      X: tensorArb({ shape: [B, n], ...VALUES }),
      M: tensorArb({ shape: [B, n, m], ...VALUES }),
    }),
  );

interface SlideCase {
  X: Tensor;
  Y: Tensor;
}

const small = fc.noBias(fc.integer({ min: 1, max: 3 }));

/** a, b, c, d with a = b or c = d forced in some cases (so swapped indices still fit). */
const slideCases: fc.Arbitrary<SlideCase> = fc
  .tuple(small, small, small, small, fc.nat(3))
  .map(([a, b, c, d, tie]) => [a, tie & 1 ? a : b, c, tie & 2 ? c : d] as const)
  .chain(([a, b, c, d]) =>
    fc.record({
      X: tensorArb({ shape: [a, b, c], ...VALUES }),
      Y: tensorArb({ shape: [b, a, d], ...VALUES }),
    }),
  );

// ---------------------------------------------------------------------------------------------

const RUNS = { values: 60, others: 12 };

export const contractionsProblem: ProblemDefinition = {
  id: "1",
  title: "Contractions and einsum",
  module: "contractions",
  points: 10,
  checks: [
    ...functionChecks<ContractionPair>({
      module: "contractions",
      id: "1.contract",
      exportName: "contract",
      cases: contractCases,
      args: ({ a, b, k }) => [a, b, k],
      argNames: ["A", "B", "k"],
      expected: ({ a, b, k }) => contract(a, b, k),
      expectedShape: ({ a, b, k }) => [...a.shape.slice(0, a.ndim - k), ...b.shape.slice(k)],
      note: contractNote,
      valuesId: "forward",
      valuesTitle: "against the reference (k = 0, k >= 2 and full rank included)",
      points: { values: 3, shape: 0.5, finite: 0.25, immutable: 0.25 },
      runs: RUNS,
    }),
    ...functionChecks<BatchedCase>({
      module: "contractions",
      id: "1.batchedMatmul",
      exportName: "batchedMatmul",
      cases: batchedCases,
      args: ({ X, M }) => [X, M],
      argNames: ["X", "M"],
      expected: ({ X, M }) => batchedMatmul(X, M),
      expectedShape: ({ X, M }) => [X.shape[0]!, M.shape[2]!],
      diagnose: ({ X }) => ({ batchSize: X.shape[0] }),
      valuesId: "forward",
      valuesTitle: "against the reference (batch sizes of 1, widths equal to the batch size)",
      points: { values: 2, shape: 0.5, finite: 0.25, immutable: 0.25 },
      runs: { values: 30, others: 10 },
    }),
    ...functionChecks<SlideCase>({
      module: "contractions",
      id: "1.slideEinsum",
      exportName: "slideEinsum",
      cases: slideCases,
      args: ({ X, Y }) => [X, Y],
      argNames: ["X", "Y"],
      expected: ({ X, Y }) => slideEinsum(X, Y),
      expectedShape: ({ X }) => [X.shape[0]!, X.shape[1]!],
      note: () =>
        "Z[i, j] = sum over k, w of X[i, j, k] * Y[j, i, w]: Y is read at [j, i] (its first two dims swapped), and k and w are summed separately",
      valuesId: "forward",
      valuesTitle: "against the reference ('abc,bad->ab')",
      points: { values: 2, shape: 0.5, finite: 0.25, immutable: 0.25 },
      runs: { values: 30, others: 10 },
    }),
  ],
};
