// functionChecks as a course's staff use it: a function and its backward function, graded from a
// table; planted mistakes fail the check meant for them; a wrong spec is refused by name.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensorArb } from "../../../checks/index.js";
import { exp, matmul, mul, type Tensor } from "../../../reference/tensor/index.js";
import { runCheckInProcess } from "../../../testing/runCheckInProcess.js";
import { type FunctionSpec, functionChecks } from "./functionChecks.js";

/** X [B, N] and W [N, M], then a number k that is not differentiated. */
const cases = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
  )
  .chain(([b, n, m]) =>
    fc.tuple(tensorArb({ shape: [b, n] }), tensorArb({ shape: [n, m] }), fc.constantFrom(1, 2)),
  );

const scaledMatmul = (X: Tensor, W: Tensor, k: number) => mul(matmul(X, W), k);

const spec: FunctionSpec<[Tensor, Tensor, number]> = {
  module: "functions",
  exportName: "scaledMatmul",
  cases,
  argNames: ["X", "W", "k"],
  reference: scaledMatmul,
  backward: { exportName: "scaledMatmulBackward" },
  points: { values: 2, shape: 0.5, finite: 0.5, immutable: 0.5, backward: 2, consistent: 1 },
};

const functions = {
  scaledMatmul,
  scaledMatmulBackward: (X: Tensor, W: Tensor, k: number, G: Tensor) => [
    mul(matmul(G, W.transpose()), k),
    mul(matmul(X.transpose(), G), k),
  ],
};

const checks = functionChecks(spec);
const run = (id: string, module: Record<string, unknown>, seed = 1) =>
  runCheckInProcess(checks.find((c) => c.id === id)!, {}, { functions: module }, { seed });

describe("functionChecks builds a function's checks from a table", () => {
  it("makes values, shape, finite, immutable, backward and consistent checks", () => {
    expect(checks.map((c) => [c.id, c.points, c.requires ?? []])).toEqual([
      ["scaledMatmul.forward", 2, []],
      ["scaledMatmul.shape", 0.5, ["scaledMatmul.forward"]],
      ["scaledMatmul.finite", 0.5, ["scaledMatmul.forward"]],
      ["scaledMatmul.immutable", 0.5, ["scaledMatmul.forward"]],
      ["scaledMatmul.backward", 2, []],
      ["scaledMatmul.consistent", 1, ["scaledMatmul.forward"]],
    ]);
    expect(new Set(checks.map((c) => c.driver))).toEqual(new Set(["gradmark.call"]));
  });

  it("passes a correct pair on every check for 10 seeds", () => {
    for (let seed = 1; seed <= 10; seed++) {
      for (const c of checks) {
        const result = run(c.id, functions, seed);
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("fails .backward on a transposed gradient, naming the argument", () => {
    const transposed = {
      ...functions,
      scaledMatmulBackward: (X: Tensor, W: Tensor, k: number, G: Tensor) => [
        mul(matmul(G, W.transpose()), k),
        mul(matmul(X.transpose(), G), k).transpose(),
      ],
    };
    let failed = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const result = run("scaledMatmul.backward", transposed, seed);
      if (result.status === "failed") {
        failed++;
        expect(result.message).toMatch(/the gradient of W returned by scaledMatmulBackward/);
      }
    }
    expect(failed).toBe(5);
  });

  it("tells a backward that disagrees with its own function from a function that is wrong", () => {
    const forgetsK = {
      ...functions,
      scaledMatmulBackward: (X: Tensor, W: Tensor, _k: number, G: Tensor) => [
        matmul(G, W.transpose()),
        matmul(X.transpose(), G),
      ],
    };
    // k is 1 in about half the cases: some seed draws k = 2 in its first 25 runs.
    expect(run("scaledMatmul.consistent", forgetsK).status).toBe("failed");
    expect(run("scaledMatmul.consistent", forgetsK).message).toMatch(
      /your backward disagrees with your own forward/,
    );
    const wrongForward = {
      ...functions,
      scaledMatmul: (X: Tensor, W: Tensor) => exp(matmul(X, W)),
    };
    expect(run("scaledMatmul.forward", wrongForward).status).toBe("failed");
    expect(run("scaledMatmul.backward", wrongForward).status).toBe("passed");
  });

  it("takes a lone gradient for a single differentiable argument", () => {
    const single = functionChecks<[Tensor]>({
      module: "functions",
      exportName: "square",
      cases: tensorArb({ minRank: 1, maxRank: 2 }).map((x) => [x] as [Tensor]),
      argNames: ["x"],
      reference: (x: Tensor) => mul(x, x),
      backward: { exportName: "squareBackward" },
      points: { values: 1, backward: 1 },
    });
    const module = {
      square: (x: Tensor) => mul(x, x),
      squareBackward: (x: Tensor, g: Tensor) => mul(mul(x, 2), g),
    };
    for (const c of single) {
      const result = runCheckInProcess(c, {}, { functions: module });
      expect(result.status, `${c.id}: ${result.message}`).toBe("passed");
    }
  });
});

describe("functionChecks refuses a wrong spec when it is built", () => {
  const refuses = (edit: Partial<FunctionSpec<[Tensor, Tensor, number]>>, message: RegExp) =>
    expect(() => functionChecks({ ...spec, ...edit })).toThrow(message);

  it("names the builder, the function and the field", () => {
    refuses({ exportName: "2fast" }, /^functionChecks\(2fast\): exportName must be an identifier/);
    refuses({ expected: () => undefined as never }, /give exactly one of reference and expected/);
    refuses({ cases: [] as never }, /cases must be a fast-check arbitrary/);
    refuses(
      { points: { values: 1 } as never },
      /points\.backward must be a finite number of 0 or more/,
    );
    refuses(
      { backward: undefined, points: { values: 1, consistent: 1 } },
      /points\.consistent is not a check of this builder/,
    );
    refuses(
      { runs: { values: 3, others: -1 } },
      /runs must be a whole number of 1 or more, got -1/,
    );
    refuses(
      { reference: undefined, expected: () => undefined as never },
      /backward needs reference/,
    );
  });
});
