// Problem 3 as a whole: its definition, the staff solution and the starter on every check, and
// stubs that earn nothing. The checks' own tests are beside them in layers/, the shared pieces' in
// shared/.
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/layers";
import * as solution from "../../../../reference/solution/layers";
import { mul, ones, type Tensor, zeros } from "../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../testing/problemHarness.js";
import { runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import { withStandardDrivers } from "../../../sandbox/child/standard/standardDrivers.js";
import { drivers } from "../drivers.js";
import { layersProblem } from "./layers.js";

const { check, failsEverySeed, planted } = problemHarness(layersProblem, "layers", solution);

describe("problem 3: the definition", () => {
  it("has id 3, the title of HOMEWORK.md and checks worth 30 points with unique ids", () => {
    expect(layersProblem.id).toBe("3");
    expect(layersProblem.title).toBe("Layers (the simplified graph)");
    expect(layersProblem.module).toBe("layers");
    const total = layersProblem.checks.reduce((s, c) => s + c.points, 0);
    expect(total).toBeCloseTo(30, 9);
    const ids = layersProblem.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^3\./);
    for (const c of layersProblem.checks) {
      for (const r of c.requires ?? []) expect(ids).toContain(r);
      expect(withStandardDrivers(drivers)).toHaveProperty([c.driver]);
    }
  });

  it("gives forward and backward of every layer and both network functions points", () => {
    for (const layer of ["Linear", "Bias", "ReLU", "Sigmoid", "SoftMax", "CrossEntropy"]) {
      for (const part of ["forward", "backward", "consistent", "shapes", "immutable"]) {
        expect(check(`3.${layer}.${part}`).points).toBeGreaterThan(0);
      }
      expect(check(`3.${layer}.shapes`).requires).toEqual([
        `3.${layer}.forward`,
        `3.${layer}.backward`,
      ]);
    }
    expect(check("3.network.forward").points).toBeGreaterThan(0);
    expect(check("3.network.backward").points).toBeGreaterThan(0);
  });
});

describe("problem 3: the staff solution", () => {
  it("passes every check for 30 seeds", () => {
    for (const c of layersProblem.checks) {
      for (let seed = 1; seed <= 30; seed++) {
        const result = runCheckInProcess(c, drivers, { layers: solution }, { seed });
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  }, 60_000);
});

describe("problem 3: the starter", () => {
  it("is not implemented in every check", () => {
    for (const c of layersProblem.checks) {
      const result = runCheckInProcess(c, drivers, { layers: starter }, { seed: 1 });
      expect(result.status, c.id).toBe("not-implemented");
    }
  });
});

describe("problem 3: issue 14, stubs earn nothing", () => {
  it("every .consistent check requires the layer's .forward", () => {
    for (const layer of ["Linear", "Bias", "ReLU", "Sigmoid", "SoftMax", "CrossEntropy"]) {
      expect(check(`3.${layer}.consistent`).requires).toEqual([`3.${layer}.forward`]);
    }
  });

  it("stubs of the right shapes (zeros, the input, a constant) fail every layer's forward and backward", () => {
    class Zeros {
      private shape: number[] = [];
      forward(x: Tensor): Tensor {
        this.shape = [...x.shape];
        return zeros(x.shape);
      }
      backward(): Tensor {
        return zeros(this.shape);
      }
    }
    class Identity {
      forward(x: Tensor): Tensor {
        return mul(x, 1);
      }
      backward(g: Tensor): Tensor {
        return mul(g, 1);
      }
    }
    for (const name of ["ReLU", "Sigmoid", "SoftMax"]) {
      for (const Stub of [Zeros, Identity]) {
        failsEverySeed(`3.${name}.forward`, planted({ [name]: Stub }));
        failsEverySeed(`3.${name}.backward`, planted({ [name]: Stub }));
      }
    }
    class ConstantLoss {
      constructor(readonly labels: Tensor) {}
      forward(): Tensor {
        return ones([]);
      }
      backward(): Tensor {
        return zeros(this.labels.shape);
      }
    }
    failsEverySeed("3.CrossEntropy.forward", planted({ CrossEntropy: ConstantLoss }));
    failsEverySeed("3.CrossEntropy.backward", planted({ CrossEntropy: ConstantLoss }));
  }, 30_000);
});
