import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/contractions";
import * as solution from "../../../../reference/solution/contractions";
import { einsum, matmul, mul, type Tensor, tensor } from "../../../../reference/tensor/index.js";
import { runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import { defineAssignment } from "../../../authoring/defineAssignment.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { packagePath } from "../../../common/packagePath.js";
import { STANDARD_DRIVERS } from "../../../sandbox/child/standard/standardDrivers.js";
import { contractionsProblem } from "./contractions.js";

const checks = contractionsProblem.checks;
const check = (id: string): CheckDefinition => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const run = (id: string, module: Record<string, unknown>, seed = 1) =>
  runCheckInProcess(check(id), {}, { contractions: module }, { seed });

/** The solution with one export replaced. */
const planted = (replacement: Record<string, unknown>) => ({ ...solution, ...replacement });

describe("problem 1 definition", () => {
  it("is a valid problem worth 10 points, with unique ids and gated bookkeeping checks", () => {
    const assignment = defineAssignment({
      id: "p1",
      title: "problem 1 alone",
      seed: 1,
      modules: ["contractions"],
      drivers: packagePath("grader/assignments/autodiff/drivers.ts"),
      problems: [contractionsProblem],
    });
    expect(assignment.maxScore).toBe(10);
    expect(contractionsProblem.id).toBe("1");
    for (const c of checks) {
      expect(c.id).toMatch(
        /^1\.(contract|batchedMatmul|slideEinsum)\.(forward|shape|finite|immutable)$/,
      );
      expect(STANDARD_DRIVERS[c.driver]).toBeTypeOf("function");
      if (!c.id.endsWith(".forward"))
        expect(c.requires).toEqual([c.id.replace(/\.\w+$/, ".forward")]);
    }
    expect(new Set(checks.map((c) => c.id)).size).toBe(12);
  });

  it("runs every check in gradmark's own call driver and never imports the solution", () => {
    expect(new Set(contractionsProblem.checks.map((c) => c.driver))).toEqual(
      new Set(["gradmark.call"]),
    );
    const problemSource = readFileSync(
      packagePath("grader/assignments/autodiff/problems/contractions.ts"),
      "utf8",
    );
    expect(problemSource).not.toMatch(/reference\/solution/);
  });
});

describe("problem 1 on the staff solution and the starter", () => {
  it("passes every check for several seeds", () => {
    for (const c of checks) {
      for (const seed of [1, 2, 3, 4, 5, 987654321]) {
        const result = run(c.id, solution, seed);
        expect(result.status, `${c.id} seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("never fails the values checks over 40 seeds", () => {
    for (const c of checks.filter((c) => c.id.endsWith(".forward"))) {
      for (let seed = 100; seed < 140; seed++) {
        expect(run(c.id, solution, seed).status, `${c.id} seed ${seed}`).toBe("passed");
      }
    }
  });

  it("reports the starter as not implemented everywhere", () => {
    for (const c of checks) expect(run(c.id, starter).status, c.id).toBe("not-implemented");
  });
});

describe("problem 1 catches planted mistakes", () => {
  it("an outer product built in the wrong order (k = 0 only)", () => {
    const contract = (A: Tensor, B: Tensor, k: number) =>
      k === 0
        ? solution.contract(B, A, 0).reshape([...A.shape, ...B.shape])
        : solution.contract(A, B, k);
    const result = run("1.contract.forward", planted({ contract }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("k = 0 contracts nothing");
    expect((result.failingCase as { k: number }).k).toBe(0);
  });

  it("a scalar of shape [1] when k is the full rank of both", () => {
    const contract = (A: Tensor, B: Tensor, k: number) =>
      k === A.ndim && k === B.ndim
        ? tensor([solution.contract(A, B, k).item()])
        : solution.contract(A, B, k);
    const result = run("1.contract.forward", planted({ contract }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/shape \[1\] but \[\] was expected/);
    expect(result.message).toContain("full rank of both A and B");
  });

  it("tensordot-style pairing of the contracted dims in reverse order (k >= 2 only)", () => {
    const contract = (A: Tensor, B: Tensor, k: number) => {
      // Pairs A's last dim with B's first one: transposes B's first k dims.
      const perm = [
        ...Array.from({ length: k }, (_, i) => k - 1 - i),
        ...B.shape.slice(k).map((_, i) => k + i),
      ];
      const Bt = B.transpose(perm);
      const shared = A.shape.slice(A.ndim - k).reduce((a, b) => a * b, 1);
      const free = A.shape.slice(0, A.ndim - k);
      return matmul(A.reshape([-1, shared]), Bt.reshape([shared, -1])).reshape([
        ...free,
        ...B.shape.slice(k),
      ]);
    };
    const result = run("1.contract.forward", planted({ contract }));
    expect(result.status).toBe("failed");
    expect((result.failingCase as { k: number }).k).toBeGreaterThanOrEqual(2);
    expect(result.message).toContain("in the same order");
    // The same code is right for k <= 1.
    for (const seed of [1, 2, 3]) {
      const lowK = runCheckInProcess(
        {
          ...check("1.contract.forward"),
          cases: check("1.contract.forward").cases.filter((c) => c.k <= 1),
        },
        {},
        { contractions: planted({ contract }) },
        { seed },
      );
      expect(lowK.status).toBe("passed");
    }
  });

  it("a contract that writes into A: values pass, immutability fails", () => {
    const contract = (A: Tensor, B: Tensor, k: number) => {
      const out = solution.contract(A, B, k);
      A.data[0]! += 1;
      return out;
    };
    expect(run("1.contract.forward", planted({ contract })).status).toBe("passed");
    const result = run("1.contract.immutable", planted({ contract }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/A \(argument 1\) was modified by the call/);
  });

  it("a stub with zeros of the right shape fails the values check (shape and the rest need it)", () => {
    const contract = (A: Tensor, B: Tensor, k: number) => mul(solution.contract(A, B, k), 0);
    const result = run("1.contract.forward", planted({ contract }));
    expect(result.status).toBe("failed");
    expect(run("1.contract.shape", planted({ contract })).status).toBe("passed");
    expect(check("1.contract.shape").requires).toEqual(["1.contract.forward"]);
  });

  it("stubs of the right shape (zeros, a constant, an input cut to shape) fail every values check under seeds 1-50", () => {
    // stub-contractions; a stub earns nothing: shape, finite and immutable require the values.
    const shaped = (shape: number[], value: (i: number) => number) =>
      tensor(
        Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => value(i)),
        shape,
      );
    const contractShape = (A: Tensor, B: Tensor, k: number) => [
      ...A.shape.slice(0, A.ndim - k),
      ...B.shape.slice(k),
    ];
    const stubs: [string, Record<string, unknown>][] = [];
    for (const [kind, value] of [
      ["zeros", () => 0],
      ["ones", () => 1],
    ] as const) {
      stubs.push(
        [
          `contract ${kind}`,
          { contract: (A: Tensor, B: Tensor, k: number) => shaped(contractShape(A, B, k), value) },
        ],
        [
          `batchedMatmul ${kind}`,
          { batchedMatmul: (X: Tensor, M: Tensor) => shaped([X.shape[0]!, M.shape[2]!], value) },
        ],
        [
          `slideEinsum ${kind}`,
          { slideEinsum: (X: Tensor) => shaped([X.shape[0]!, X.shape[1]!], value) },
        ],
      );
    }
    stubs.push(
      [
        "contract input",
        {
          contract: (A: Tensor, B: Tensor, k: number) =>
            shaped(contractShape(A, B, k), (i) => A.data[i % A.size] ?? 0),
        },
      ],
      [
        "batchedMatmul input",
        {
          batchedMatmul: (X: Tensor, M: Tensor) =>
            shaped([X.shape[0]!, M.shape[2]!], (i) => X.data[i % X.size]!),
        },
      ],
      [
        "slideEinsum input",
        {
          slideEinsum: (X: Tensor) =>
            shaped([X.shape[0]!, X.shape[1]!], (i) => X.data[i * X.shape[2]!]!),
        },
      ],
    );
    for (const [name, replacement] of stubs) {
      const id = `1.${Object.keys(replacement)[0]}.forward`;
      for (let seed = 1; seed <= 50; seed++) {
        expect(run(id, planted(replacement), seed).status, `${name}, seed ${seed}`).toBe("failed");
      }
    }
  });

  it("batchedMatmul that uses the first matrix for every row", () => {
    const batchedMatmul = (X: Tensor, M: Tensor) => {
      const [, n, m] = M.shape as [number, number, number];
      const first = tensor(M.data.slice(0, n * m), [n, m]);
      return einsum("ik,kj->ij", X, first);
    };
    const result = run("1.batchedMatmul.forward", planted({ batchedMatmul }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/batchedMatmul\(X, M\): \d+ of \d+ elements differ/);
  });

  it("slideEinsum that sums Y's a axis instead of matching it", () => {
    const slideEinsum = (X: Tensor, Y: Tensor) => einsum("abc,bed->ab", X, Y);
    const result = run("1.slideEinsum.forward", planted({ slideEinsum }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("Y is read at [j, i]");
  });

  it("slideEinsum that returns a plain array is told to build a Tensor", () => {
    const slideEinsum = (X: Tensor, Y: Tensor) => solution.slideEinsum(X, Y).toArray();
    const result = run("1.slideEinsum.forward", planted({ slideEinsum }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/plain array|expected a Tensor/);
  });
});
