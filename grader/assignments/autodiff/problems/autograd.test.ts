// Problem 4 as a whole: its definition, what its cases draw under grading seeds, and the staff
// solution and the starter on every check. The checks' own tests are beside them in autograd/.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/autograd";
import * as solution from "../../../../reference/solution/autograd";
import type { Tensor } from "../../../../reference/tensor/index.js";
import { drawnCases } from "../../../../testing/drawnCases.js";
import { problemHarness } from "../../../../testing/problemHarness.js";
import { runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { drivers } from "../drivers.js";
import { autogradProblem } from "./autograd.js";

const { check } = problemHarness(autogradProblem, "autograd", solution);

const OPS = [
  "VariableAdd",
  "VariableMultiply",
  "ScalarMultiply",
  "MatrixMultiply",
  "TensorDot",
  "Power",
  "Exp",
  "ReLU",
  "Maximum",
  "ReduceMax",
  "Sum",
  "SoftmaxCrossEntropy",
];
const HELPERS = [
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "matmul",
  "pow",
  "exp",
  "relu",
  "tensordot",
  "sum",
];

describe("problem 4: the definition", () => {
  it("has id 4, the title of HOMEWORK.md and checks worth 30 points with unique ids", () => {
    expect(autogradProblem.id).toBe("4");
    expect(autogradProblem.title).toBe("Computational graph engine");
    expect(autogradProblem.module).toBe("autograd");
    const total = autogradProblem.checks.reduce((s, c) => s + c.points, 0);
    expect(total).toBeCloseTo(30, 9);
    const ids = autogradProblem.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of autogradProblem.checks) {
      expect(c.id).toMatch(/^4\./);
      expect(drivers).toHaveProperty(c.driver);
      for (const r of c.requires ?? []) expect(ids).toContain(r);
    }
  });

  it("grades forward and backward of every operation, every helper and the engine behaviours", () => {
    for (const op of OPS) {
      for (const part of ["forward", "backward", "consistent", "immutable"]) {
        expect(check(`4.${op}.${part}`).points, `4.${op}.${part}`).toBeGreaterThan(0);
      }
    }
    for (const helper of HELPERS) expect(check(`4.helpers.${helper}`).points).toBeGreaterThan(0);
    for (const engine of ["reuse", "diamond", "dag", "longChain"]) {
      expect(check(`4.engine.${engine}`).points).toBeGreaterThanOrEqual(2);
    }
    const chain = check("4.engine.longChain");
    expect(chain.runs).toBe(1);
    expect(chain.timeoutMs).toBe(3000);
  });

  it("generates contractions with k = 0, 1, 2 and 3 and products with exact zeros", () => {
    const ks = new Set<number>();
    for (let seed = 1; seed <= 4; seed++) {
      for (const c of fcSample(check("4.TensorDot.backward"), seed)) ks.add(c.arg as number);
    }
    expect([...ks].sort()).toEqual([0, 1, 2, 3]);
    const zeros = fcSample(check("4.VariableMultiply.backward"), 1).filter((c) =>
      c.inputs.some((t: Tensor) => t.data.includes(0)),
    );
    expect(zeros.length).toBeGreaterThan(5);
    // mul(a, b) of one shape (VariableMultiply) with an exact zero: over a quarter of the cases.
    const helperZeros = fc
      .sample(check("4.helpers.mul").cases, { seed: 1, numRuns: 300 })
      .filter(
        (c) =>
          c.inputs.every((t: Tensor) => t.ndim > 0) &&
          c.inputs.some((t: Tensor) => t.data.includes(0)),
      );
    expect(helperZeros.length).toBeGreaterThan(80);
    // Contractions with k >= 2 and every side >= 2 (where the pairing order of dims matters).
    const wide = fc
      .sample(check("4.TensorDot.forward").cases, { seed: 1, numRuns: 300 })
      .filter(
        (c) =>
          (c.arg as number) >= 2 && c.inputs.every((t: Tensor) => t.shape.every((n) => n >= 2)),
      );
    expect(wide.length).toBeGreaterThan(60);
  });
});

const POWER_SEEDS = [...Array.from({ length: 50 }, (_, i) => i + 1), 20261126];

describe("problem 4: power over seeds", () => {
  it("mul and div of one shape draw a factor with an exact zero, for seeds 1-50 and the assignment's", () => {
    for (const id of ["4.helpers.mul", "4.helpers.div", "4.VariableMultiply.backward"]) {
      for (const seed of POWER_SEEDS) {
        const zeroFactor = drawnCases(check(id), seed).some(
          (c: { inputs: Tensor[] }) =>
            c.inputs.every((t) => t.ndim > 0) && c.inputs[0]!.data.includes(0),
        );
        expect(zeroFactor, `${id} seed ${seed}`).toBe(true);
      }
    }
  });

  it("every contraction check draws a wide outer product and a k >= 2 case with sides >= 2, for seeds 1-50 and the assignment's", () => {
    // As runCheck draws them: the check's own seed, its runs.
    const ids = [
      "4.TensorDot.forward",
      "4.TensorDot.backward",
      "4.TensorDot.consistent",
      "4.helpers.tensordot",
    ];
    const wideOuter = (a: Tensor, b: Tensor, k: number) => k === 0 && a.size >= 2 && b.size >= 2;
    const pairingMatters = (a: Tensor, k: number) =>
      k >= 2 && a.shape.slice(a.ndim - k).every((side) => side >= 2);
    for (const id of ids) {
      const c = check(id);
      for (const seed of [...Array.from({ length: 50 }, (_, i) => i + 1), 20261126]) {
        const cases: { inputs: Tensor[]; arg?: number; extra?: number[] }[] = drawnCases(c, seed);
        const k = (x: (typeof cases)[number]) => (x.arg ?? x.extra?.[0]) as number;
        expect(
          cases.some((x) => wideOuter(x.inputs[0]!, x.inputs[1]!, k(x))),
          `${id} seed ${seed}`,
        ).toBe(true);
        expect(
          cases.some((x) => pairingMatters(x.inputs[0]!, k(x))),
          `${id} seed ${seed}`,
        ).toBe(true);
      }
    }
  });
});

/** The cases runCheckInProcess draws for a seed. */
// biome-ignore lint/suspicious/noExplicitAny: cases of different checks.
function fcSample(c: CheckDefinition, seed: number): any[] {
  return fc.sample(c.cases, { seed, numRuns: c.runs ?? 25 });
}

describe("problem 4: the staff solution", () => {
  it("passes every check for 30 seeds", () => {
    for (const c of autogradProblem.checks) {
      for (let seed = 1; seed <= 30; seed++) {
        const result = runCheckInProcess(c, drivers, { autograd: solution }, { seed });
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  }, 60_000);
});

describe("problem 4: the starter", () => {
  it("is not implemented in every check", () => {
    for (const c of autogradProblem.checks) {
      const result = runCheckInProcess(c, drivers, { autograd: starter }, { seed: 1 });
      expect(result.status, `${c.id}: ${result.message}`).toBe("not-implemented");
    }
  });
});
