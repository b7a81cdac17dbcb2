import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/derivatives";
import * as solution from "../../../../reference/solution/derivatives";
import {
  add,
  div,
  einsum,
  exp,
  eye,
  log,
  max,
  mul,
  sub,
  sum,
  type Tensor,
  tensor,
  zeros,
} from "../../../../reference/tensor/index.js";
import { runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import { defineAssignment } from "../../../authoring/defineAssignment.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { packagePath } from "../../../common/packagePath.js";
import { STANDARD_DRIVERS } from "../../../sandbox/child/standard/standardDrivers.js";
import { derivativesProblem } from "./derivatives.js";

const checks = derivativesProblem.checks;
const check = (id: string): CheckDefinition => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const run = (id: string, module: Record<string, unknown>, seed = 1) =>
  runCheckInProcess(check(id), {}, { derivatives: module }, { seed });

/** The solution with one export replaced. */
const planted = (replacement: Record<string, unknown>) => ({ ...solution, ...replacement });

/** Runs a check over several seeds and returns the first failure (or the last pass). */
function firstFailure(id: string, module: Record<string, unknown>, seeds = [1, 2, 3]) {
  let result = run(id, module, seeds[0]);
  for (const seed of seeds) {
    result = run(id, module, seed);
    if (result.status !== "passed") return result;
  }
  return result;
}

const EXPORTS = [
  "jacobianSquareProd",
  "jacobianMixed",
  "matmulDerivative",
  "softmaxRowJacobians",
  "reuseDerivative",
];

describe("problem 2 definition", () => {
  it("is a valid problem worth 15 points, with unique ids and gated bookkeeping checks", () => {
    const assignment = defineAssignment({
      id: "p2",
      title: "problem 2 alone",
      seed: 1,
      modules: ["derivatives"],
      drivers: packagePath("grader/assignments/autodiff/drivers.ts"),
      problems: [derivativesProblem],
    });
    expect(assignment.maxScore).toBe(15);
    expect(derivativesProblem.id).toBe("2");
    const ids = checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of EXPORTS) {
      for (const aspect of ["values", "shape", "finite", "immutable"]) {
        expect(ids).toContain(`2.${name}.${aspect}`);
      }
    }
    expect(ids).toContain("2.chainRuleExample.values");
    for (const c of checks) {
      expect(STANDARD_DRIVERS[c.driver]).toBeTypeOf("function");
      if (!c.id.endsWith(".values"))
        expect(c.requires).toEqual([c.id.replace(/\.\w+$/, ".values")]);
    }
  });

  it("runs every check in gradmark's own call driver and never imports the solution", () => {
    expect(new Set(derivativesProblem.checks.map((c) => c.driver))).toEqual(
      new Set(["gradmark.call"]),
    );
    const problemSource = readFileSync(
      packagePath("grader/assignments/autodiff/problems/derivatives.ts"),
      "utf8",
    );
    expect(problemSource).not.toMatch(/reference\/solution/);
  });

  it("samples the lecture's fixed examples among the cases", () => {
    const xs = fc.sample(check("2.jacobianSquareProd.values").cases, { seed: 1, numRuns: 40 });
    expect(xs.some((x: Tensor) => [...x.data].join() === "1,2,3")).toBe(true);
    const chain = fc.sample(check("2.chainRuleExample.values").cases, { seed: 1, numRuns: 40 });
    expect(chain).toContainEqual({ x: 2, z: 2, w: 3 });
  });
});

describe("problem 2 on the staff solution and the starter", () => {
  it("passes every check for several seeds", () => {
    for (const c of checks) {
      for (const seed of [1, 2, 3, 4, 5, 987654321]) {
        const result = run(c.id, solution, seed);
        expect(result.status, `${c.id} seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("never fails the values checks over 40 seeds", () => {
    for (const c of checks.filter((c) => c.id.endsWith(".values"))) {
      for (let seed = 100; seed < 140; seed++) {
        expect(run(c.id, solution, seed).status, `${c.id} seed ${seed}`).toBe("passed");
      }
    }
  });

  it("reports the starter as not implemented everywhere", () => {
    for (const c of checks) expect(run(c.id, starter).status, c.id).toBe("not-implemented");
  });
});

describe("problem 2 catches planted mistakes", () => {
  it("jacobianSquareProd in the output-first layout [2, 3]", () => {
    const jacobianSquareProd = (x: Tensor) => solution.jacobianSquareProd(x).transpose();
    const result = run("2.jacobianSquareProd.values", planted({ jacobianSquareProd }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("output dims first");
    expect(result.message).toContain("read input-first, its values are right");
  });

  it("matmulDerivative in the output-first layout [B, M, B, N]", () => {
    const matmulDerivative = (X: Tensor, W: Tensor) => einsum("bc,nm->cmbn", eye(X.shape[0]!), W);
    const result = firstFailure("2.matmulDerivative.values", planted({ matmulDerivative }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/output dims first/);
  });

  it("matmulDerivative without the batch delta (every row sees every row)", () => {
    const matmulDerivative = (X: Tensor, W: Tensor) =>
      einsum(
        "bc,nm->bncm",
        tensor(new Float64Array(X.shape[0]! ** 2).fill(1), [X.shape[0]!, X.shape[0]!]),
        W,
      );
    const result = firstFailure("2.matmulDerivative.values", planted({ matmulDerivative }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("row c of XW depends only on row c of X");
  });

  it("softmaxRowJacobians with the diagonal only", () => {
    const softmaxRowJacobians = (X: Tensor) =>
      einsum("bij,ij->bij", solution.softmaxRowJacobians(X), eye(X.shape[1]!));
    const result = firstFailure("2.softmaxRowJacobians.values", planted({ softmaxRowJacobians }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("not only the diagonal");
  });

  it("reuseDerivative missing the 2z term (only D_X[f] along the first use)", () => {
    const reuseDerivative = (z: Tensor) => einsum("i,ij->ij", mul(z, 2), eye(z.shape[0]!));
    const result = firstFailure("2.reuseDerivative.values", planted({ reuseDerivative }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("half the expected one");
    expect(result.message).toContain("derivatives along both uses summed");
  });

  it("jacobianMixed with d(x2^2)/dx2 = x2", () => {
    const jacobianMixed = (x: Tensor) => {
      const [x1, x2] = x.data;
      return tensor([
        [0, 1, x2!],
        [x2!, 1, x1!],
      ]);
    };
    const result = firstFailure("2.jacobianMixed.values", planted({ jacobianMixed }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/at \[1, 0\]/);
  });

  it("chainRuleExample missing the factor D_Y[f] = x", () => {
    const chainRuleExample = (x: number, z: number, w: number) => 2 * x * (z + w);
    const result = firstFailure("2.chainRuleExample.values", planted({ chainRuleExample }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/chainRuleExample\(.*\): got .*, expected/);
  });

  it("chainRuleExample returning a 0-d tensor is told to return a number", () => {
    const chainRuleExample = (x: number, z: number, w: number) =>
      tensor([solution.chainRuleExample(x, z, w)], []);
    const result = run("2.chainRuleExample.values", planted({ chainRuleExample }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("return a plain number");
  });

  it("matmulDerivative that zeroes X afterwards: values pass, immutability fails", () => {
    const matmulDerivative = (X: Tensor, W: Tensor) => {
      const out = solution.matmulDerivative(X, W);
      X.data.fill(7);
      return out;
    };
    expect(run("2.matmulDerivative.values", planted({ matmulDerivative })).status).toBe("passed");
    const result = run("2.matmulDerivative.immutable", planted({ matmulDerivative }));
    expect(result.status).toBe("failed");
    expect(result.message).toContain("X (argument 1) was modified by the call");
  });
});

describe("problem 2: issue 14, rows near 800 and stubs", () => {
  /** diag(s) - s s^T per row, from a given row-wise softmax. */
  const jacobians = (S: Tensor) =>
    sub(einsum("bj,ij->bij", S, eye(S.shape[1]!)), einsum("bi,bj->bij", S, S));

  it("softmaxRowJacobians without the max shift (NaN for rows near 800) fails .values on every one of 10 seeds", () => {
    const softmaxRowJacobians = (X: Tensor) => {
      const e = exp(X);
      return jacobians(div(e, sum(e, 1, true)));
    };
    for (let seed = 1; seed <= 10; seed++) {
      const result = run("2.softmaxRowJacobians.values", planted({ softmaxRowJacobians }), seed);
      expect(result.status, `seed ${seed}`).toBe("failed");
    }
  });

  it("softmaxRowJacobians through e^(x - logsumexp(x)) passes .values for 20 seeds", () => {
    const softmaxRowJacobians = (X: Tensor) => {
      const m = max(X, 1, true);
      const lse = add(m, log(sum(exp(sub(X, m)), 1, true)));
      return jacobians(exp(sub(X, lse)));
    };
    for (let seed = 1; seed <= 20; seed++) {
      const result = run("2.softmaxRowJacobians.values", planted({ softmaxRowJacobians }), seed);
      expect(result.status, `seed ${seed}: ${result.message}`).toBe("passed");
    }
  });

  it("stubs of the right shape (zeros, a constant) fail every .values check", () => {
    const stubs = {
      jacobianSquareProd: () => zeros([3, 2]),
      jacobianMixed: () =>
        tensor([
          [0, 1, 2],
          [4, 1, 1],
        ]),
      matmulDerivative: (X: Tensor, W: Tensor) =>
        zeros([X.shape[0]!, X.shape[1]!, X.shape[0]!, W.shape[1]!]),
      softmaxRowJacobians: (X: Tensor) => zeros([X.shape[0]!, X.shape[1]!, X.shape[1]!]),
      reuseDerivative: (z: Tensor) => zeros([z.shape[0]!, z.shape[0]!]),
      chainRuleExample: () => 40,
    };
    for (const name of Object.keys(stubs)) {
      for (let seed = 1; seed <= 5; seed++) {
        const result = run(`2.${name}.values`, planted(stubs), seed);
        expect(result.status, `${name}, seed ${seed}`).toBe("failed");
      }
    }
  });
});
