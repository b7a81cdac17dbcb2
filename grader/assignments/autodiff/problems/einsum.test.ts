import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/einsum";
import { einsumTerms } from "../../../../reference/forward/einsum.js";
import * as solution from "../../../../reference/solution/einsum";
import { mul, ones, Tensor } from "../../../../reference/tensor/index.js";
import { drawnCases } from "../../../../testing/drawnCases.js";
import { runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import { defineAssignment } from "../../../authoring/defineAssignment.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { packagePath } from "../../../common/packagePath.js";
import { einsumDrivers } from "../drivers/einsum.js";
import { type EinsumBackwardCase, HOMEWORK_SPECS, LABEL_ALPHABET } from "./einsum/einsumCases.js";
import { einsumProblem } from "./einsum.js";

const checks = einsumProblem.checks;
const check = (id: string): CheckDefinition => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const run = (id: string, module: Record<string, unknown>, seed = 1) =>
  runCheckInProcess(check(id), einsumDrivers, { einsum: module }, { seed });

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

/** Every seed must end with `status`; returns the first seed's result for its message. */
function everySeed(id: string, module: Record<string, unknown>, status: string) {
  const results = SEEDS.map((seed) => run(id, module, seed));
  results.forEach((r, i) => {
    expect(r.status, `${id} seed ${SEEDS[i]}: ${r.message}`).toBe(status);
  });
  return results[0]!;
}

/** The solution's module with EinSum replaced by a subclass. */
const withEinSum = (EinSum: unknown) => ({ ...solution, EinSum });

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

/** Builds a tensor of `t`'s shape from a function of the multi-index. */
function fromIndex(t: Tensor, value: (index: number[]) => number): Tensor {
  const out = new Float64Array(t.size);
  for (let flat = 0; flat < t.size; flat++) out[flat] = value(unravel(flat, t.shape));
  return new Tensor(out, t.shape);
}

/** Backward that spreads each diagonal value over the whole slice instead of the diagonal only. */
class IgnoresRepeatedIndices extends solution.EinSum {
  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const { inputs } = einsumTerms(this.spec);
    return super.backwardCall(downstreamGrad).map((grad, i) => {
      const term = inputs[i]!;
      return fromIndex(grad, (index) =>
        grad.get(...index.map((_, a) => index[term.indexOf(term[a]!)]!)),
      );
    });
  }
}

/** Backward that puts the gradient only at index 0 of indices summed away inside one operand. */
class NoBroadcastOverSummedIndices extends solution.EinSum {
  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const { inputs, output } = einsumTerms(this.spec);
    return super.backwardCall(downstreamGrad).map((grad, i) => {
      const term = inputs[i]!;
      const others = [output, ...inputs.filter((_, j) => j !== i)].join("");
      const alone = [...term].flatMap((label, axis) => (others.includes(label) ? [] : [axis]));
      return fromIndex(grad, (index) =>
        alone.every((axis) => index[axis] === 0) ? grad.get(...index) : 0,
      );
    });
  }
}

/** Backward that ignores the downstream gradient (as if it were all ones). */
class IgnoresDownstream extends solution.EinSum {
  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    return super.backwardCall(ones(downstreamGrad.shape));
  }
}

/** A forward that is off by a factor of 2, with the reference's backward. */
class DoubledForward extends solution.EinSum {
  override forwardCall(...operands: Tensor[]): Tensor {
    return mul(super.forwardCall(...operands), 2);
  }
}

/** Right values, but the downstream gradient is overwritten after use. */
class MutatesDownstream extends solution.EinSum {
  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const grads = super.backwardCall(downstreamGrad);
    downstreamGrad.data.fill(0.5);
    return grads;
  }
}

/** Returns the bare gradient for single-operand specs instead of a one-element list. */
class BareGradient extends solution.EinSum {
  override backwardCall(downstreamGrad: Tensor): Tensor[] {
    const grads = super.backwardCall(downstreamGrad);
    return (grads.length === 1 ? grads[0] : grads) as Tensor[];
  }
}

describe("problem 5 definition", () => {
  it("is a valid problem worth 10 points with forward and backward weighted", () => {
    const assignment = defineAssignment({
      id: "p5",
      title: "problem 5 alone",
      seed: 1,
      modules: ["einsum"],
      drivers: packagePath("grader/assignments/autodiff/drivers.ts"),
      problems: [einsumProblem],
    });
    expect(assignment.maxScore).toBe(10);
    expect(einsumProblem.id).toBe("5");
    expect(checks.map((c) => c.id)).toEqual([
      "5.einsum.forward",
      "5.einsum.backward",
      "5.einsum.consistent",
      "5.einsum.shape",
      "5.einsum.finite",
      "5.einsum.immutable",
    ]);
    expect(check("5.einsum.forward").points).toBeGreaterThan(0);
    expect(check("5.einsum.backward").points).toBeGreaterThan(0);
    expect(check("5.einsum.consistent").requires).toEqual(["5.einsum.forward"]);
    for (const id of ["5.einsum.shape", "5.einsum.finite", "5.einsum.immutable"]) {
      expect(check(id).requires).toEqual(["5.einsum.forward", "5.einsum.backward"]);
    }
    for (const c of checks) expect(einsumDrivers[c.driver]).toBeTypeOf("function");
  });

  it("drivers import only the kit (types aside) and the grader never imports the solution", () => {
    const driverSource = readFileSync(
      packagePath("grader/assignments/autodiff/drivers/einsum.ts"),
      "utf8",
    );
    for (const line of driverSource.split("\n").filter((l) => l.startsWith("import "))) {
      expect(line).toMatch(/^import type |reference\/tensor\/index\.js|reference\/forward\//);
    }
    for (const path of ["problems/einsum.ts", "problems/einsum/einsumCases.ts"]) {
      const problemSource = readFileSync(
        packagePath(`grader/assignments/autodiff/${path}`),
        "utf8",
      );
      expect(problemSource).not.toMatch(/reference\/solution/);
    }
  });

  it("generates the HOMEWORK specs, repeated indices, summed indices and non-trivial gradients", () => {
    const cases = fc.sample(check("5.einsum.backward").cases, {
      seed: 3,
      numRuns: 200,
    }) as EinsumBackwardCase[];
    for (const spec of HOMEWORK_SPECS) expect(cases.map((c) => c.spec)).toContain(spec);
    const repeated = cases.filter((c) =>
      einsumTerms(c.spec).inputs.some((term) => new Set(term).size < term.length),
    );
    const summed = cases.filter((c) => {
      const { inputs, output } = einsumTerms(c.spec);
      return [...inputs.join("")].some((label) => !output.includes(label));
    });
    expect(repeated.length).toBeGreaterThan(50);
    expect(summed.length).toBeGreaterThan(100);
    expect(cases.every((c) => c.grad.data.some((v) => v !== 1) || c.grad.size === 1)).toBe(true);
  });
});

describe("problem 5 on the staff solution and the starter", () => {
  it("passes every check for several seeds", () => {
    for (const c of checks) {
      for (const seed of [...SEEDS, 987654321]) {
        const result = run(c.id, solution, seed);
        expect(result.status, `${c.id} seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("never fails forward, backward or gradcheck over 40 seeds", () => {
    for (const id of ["5.einsum.forward", "5.einsum.backward", "5.einsum.consistent"]) {
      for (let seed = 100; seed < 140; seed++) {
        const result = run(id, solution, seed);
        expect(result.status, `${id} seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("reports the starter as not implemented everywhere", () => {
    for (const c of checks) expect(run(c.id, starter).status, c.id).toBe("not-implemented");
  });
});

describe("problem 5 catches planted mistakes", () => {
  it("a backward that ignores repeated indices fails backward and gradcheck, forward passes", () => {
    const module = withEinSum(IgnoresRepeatedIndices);
    everySeed("5.einsum.forward", module, "passed");
    const backward = everySeed("5.einsum.backward", module, "failed");
    expect(backward.message).toMatch(/gradient of operand \d \('\w+'\)/);
    expect(backward.message).toContain("only diagonal entries get a gradient");
    const gradcheck = everySeed("5.einsum.consistent", module, "failed");
    expect(gradcheck.message).toContain("your backward disagrees with your own forward");
  });

  it("a backward that does not broadcast over summed-away indices fails backward and gradcheck", () => {
    const module = withEinSum(NoBroadcastOverSummedIndices);
    const backward = everySeed("5.einsum.backward", module, "failed");
    expect(backward.message).toContain("the gradient is the same along it (it broadcasts)");
    const gradcheck = everySeed("5.einsum.consistent", module, "failed");
    expect(gradcheck.message).toContain("your backward disagrees with your own forward");
  });

  it("a backward whose gradient axes come in alphabetical order fails backward and gradcheck for 50 seeds", () => {
    // mistake-5-einsum-sorted-axes: each gradient's axes are the operand's distinct labels sorted.
    class SortedAxes extends solution.EinSum {
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        const { inputs } = einsumTerms(this.spec);
        return super.backwardCall(downstreamGrad).map((grad, i) => {
          const term = inputs[i]!;
          // (Operands with a diagonal keep their right gradient: the bug shows without them.)
          if (new Set(term).size !== term.length) return grad;
          const perm = [...term].map((_, a) => a).sort((x, y) => (term[x]! < term[y]! ? -1 : 1));
          return grad.transpose(perm);
        });
      }
    }
    const module = withEinSum(SortedAxes);
    for (let seed = 1; seed <= 50; seed++) {
      for (const id of ["5.einsum.backward", "5.einsum.consistent"]) {
        const result = run(id, module, seed);
        expect(result.status, `${id}, seed ${seed}: ${result.message}`).toBe("failed");
      }
    }
  });

  it("generates specs whose indices are out of alphabetical order, in operands and outputs", () => {
    const cases = fc.sample(check("5.einsum.consistent").cases, { seed: 1, numRuns: 200 });
    const unsorted = (term: string) =>
      [...new Set(term)].join("") !== [...new Set(term)].sort().join("");
    const terms = cases.map((c) => einsumTerms(c.spec));
    expect(terms.filter((t) => t.inputs.some(unsorted)).length).toBeGreaterThan(60);
    expect(terms.filter((t) => unsorted(t.output)).length).toBeGreaterThan(30);
    expect(new Set(cases.flatMap((c) => [...c.spec.replace(/[^a-z]/g, "")])).size).toBeGreaterThan(
      20,
    );
  });

  it("a backward that ignores the downstream gradient fails backward", () => {
    everySeed("5.einsum.backward", withEinSum(IgnoresDownstream), "failed");
  });

  it("a wrong forward with a right backward: forward fails, backward passes", () => {
    const module = withEinSum(DoubledForward);
    const forward = everySeed("5.einsum.forward", module, "failed");
    expect(forward.message).toContain("twice the expected one");
    everySeed("5.einsum.backward", module, "passed");
    // Against the doubled forward, the (correct) backward is off by 2: the gradcheck says so,
    // and it earns nothing anyway since it requires the forward check.
    everySeed("5.einsum.consistent", module, "failed");
  });

  it("a backward that overwrites the downstream gradient fails immutability only", () => {
    const module = withEinSum(MutatesDownstream);
    everySeed("5.einsum.backward", module, "passed");
    const result = everySeed("5.einsum.immutable", module, "failed");
    expect(result.message).toContain("the downstream gradient (after backwardCall) was modified");
  });

  it("a backward that returns a bare tensor is told to return an array", () => {
    const result = run("5.einsum.backward", withEinSum(BareGradient), 1);
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(
      /backwardCall must return an array with one gradient per operand/,
    );
  });

  it("a missing EinSum export is an error naming it", () => {
    const result = run("5.einsum.forward", { Einsum: solution.EinSum });
    expect(result.status).toBe("error");
    expect(result.message).toContain("src/einsum must export a class EinSum");
  });
});

/** Labels of a spec (every letter), each once. */
const labelsOf = (spec: string) => [...new Set(spec.replace(/[^a-zA-Z]/g, ""))];
/** Whether some letter of the spec is a label in both cases ('i' and 'I'). */
const hasCasePair = (spec: string) =>
  labelsOf(spec).some((l) => l !== l.toUpperCase() && spec.includes(l.toUpperCase()));

describe("problem 5: graded specs use the whole label alphabet of HOMEWORK.md (issue 14)", () => {
  it("forward, backward and consistent draw labels of both cases, and specs with 'i' and 'I' both", () => {
    expect(LABEL_ALPHABET.join("")).toBe("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    for (const id of ["5.einsum.forward", "5.einsum.backward", "5.einsum.consistent"]) {
      const cases = fc.sample(check(id).cases, { seed: 4, numRuns: 400 }) as EinsumBackwardCase[];
      const specs = cases.map((c) => c.spec);
      for (const spec of specs) {
        expect(spec, spec).toMatch(/^[a-zA-Z]*(,[a-zA-Z]*)*->[a-zA-Z]*$/);
        expect(labelsOf(spec).every((l) => LABEL_ALPHABET.includes(l))).toBe(true);
      }
      // Every letter of both cases shows up somewhere.
      expect(new Set(specs.flatMap(labelsOf)).size, id).toBe(52);
      expect(specs.filter((spec) => /[A-Z]/.test(spec)).length, id).toBeGreaterThan(200);
      // 'i' and 'I' in one spec, with the spec features kept: diagonals, summed labels.
      const pairs = cases.filter((c) => hasCasePair(c.spec));
      expect(pairs.length, id).toBeGreaterThan(100);
      const terms = pairs.map((c) => einsumTerms(c.spec));
      expect(
        terms.filter((t) => t.inputs.some((term) => new Set(term).size < term.length)).length,
      ).toBeGreaterThan(20);
      expect(
        terms.filter((t) => [...t.inputs.join("")].some((l) => !t.output.includes(l))).length,
      ).toBeGreaterThan(40);
      // Most of them (the forced stratum) have every size at least 2, so merging 'i' and 'I'
      // always changes something there.
      const wide = pairs.filter((c) => c.operands.every((o) => o.shape.every((side) => side >= 2)));
      expect(wide.length, id).toBeGreaterThan(80);
    }
  });

  it("under grading seeds 1-50 and the assignment's, every check draws both kinds", () => {
    for (const id of ["5.einsum.forward", "5.einsum.backward", "5.einsum.consistent"]) {
      const c = check(id);
      for (const seed of [...Array.from({ length: 50 }, (_, k) => k + 1), 20261126]) {
        const specs = drawnCases<EinsumBackwardCase>(c, seed).map((testCase) => testCase.spec);
        expect(
          specs.some((spec) => /[A-Z]/.test(spec)),
          `${id} seed ${seed}`,
        ).toBe(true);
        expect(specs.some(hasCasePair), `${id} seed ${seed}`).toBe(true);
      }
    }
  });

  it("a spec lower-cased by the constructor (i and I merged) fails forward on every seed", () => {
    // mistake-5-einsum-lowercased
    class LowerCased extends solution.EinSum {
      constructor(spec: string) {
        super(spec.toLowerCase());
      }
    }
    for (let seed = 1; seed <= 20; seed++) {
      const result = run("5.einsum.forward", withEinSum(LowerCased), seed);
      expect(result.status, `seed ${seed}: ${result.message}`).not.toBe("passed");
    }
  });

  it("a parser that knows only 'a'-'z' fails forward on every seed", () => {
    // mistake-5-einsum-ascii-table and -regex-labels refuse or lose upper-case labels.
    class LowerOnly extends solution.EinSum {
      constructor(spec: string) {
        if (/[A-Z]/.test(spec)) throw new Error(`EinSum: labels are 'a'-'z', got '${spec}'`);
        super(spec);
      }
    }
    for (let seed = 1; seed <= 20; seed++) {
      for (const id of ["5.einsum.forward", "5.einsum.backward"]) {
        const result = run(id, withEinSum(LowerOnly), seed);
        expect(result.status, `${id} seed ${seed}: ${result.message}`).not.toBe("passed");
      }
    }
  });

  it("an upper-case aware solution passes with specs of both cases (the staff solution's parser)", () => {
    for (const id of ["5.einsum.forward", "5.einsum.backward", "5.einsum.consistent"]) {
      for (let seed = 200; seed < 210; seed++) {
        const result = run(id, solution, seed);
        expect(result.status, `${id} seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });
});

describe("problem 5: stubs earn nothing (issue 14)", () => {
  /** Zeros of the right shapes: the output's from the spec, each gradient its operand's. */
  class ZeroStub extends solution.EinSum {
    private shapes: (readonly number[])[] = [];
    override forwardCall(...operands: Tensor[]): Tensor {
      this.shapes = operands.map((o) => o.shape);
      return mul(super.forwardCall(...operands), 0);
    }
    override backwardCall(_g: Tensor): Tensor[] {
      return this.shapes.map((shape) => new Tensor(new Float64Array(shapeSize(shape)), shape));
    }
  }
  const shapeSize = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

  it("zeros of the right shape fail forward and backward on every seed", () => {
    const module = withEinSum(ZeroStub);
    for (let seed = 1; seed <= 20; seed++) {
      for (const id of ["5.einsum.forward", "5.einsum.backward"]) {
        const result = run(id, module, seed);
        expect(result.status, `${id} seed ${seed}: ${result.message}`).toBe("failed");
      }
    }
  });

  it("every other check (consistent too: a zero backward agrees with a constant forward) requires forward", () => {
    // On its own, the consistency check passes a zero stub: only `requires` keeps it from points.
    expect(run("5.einsum.consistent", withEinSum(ZeroStub), 1).status).toBe("passed");
    for (const c of checks) {
      if (c.id === "5.einsum.forward" || c.id === "5.einsum.backward") continue;
      expect(c.requires, c.id).toContain("5.einsum.forward");
    }
  });
});

describe("problem 5: NaN and Infinity never pass a judge (issue 13)", () => {
  /** Zeros of `like`'s shape with `value` at the middle element (the attack of issue 13). */
  const plantedIn = (like: Tensor, value: number): Tensor => {
    const data = new Float64Array(like.size);
    data[Math.floor(like.size / 2)] = value;
    return new Tensor(data, like.shape);
  };

  it("right-shaped zeros with one Infinity or NaN fail backward and consistent", () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      class Poisoned extends solution.EinSum {
        override backwardCall(g: Tensor): Tensor[] {
          return super.backwardCall(g).map((grad) => plantedIn(grad, value));
        }
      }
      const module = withEinSum(Poisoned);
      everySeed("5.einsum.backward", module, "failed");
      const consistent = everySeed("5.einsum.consistent", module, "failed");
      expect(consistent.message).toContain(String(value));
    }
  });

  it("a forwardCall that returns Infinity at a probe point fails consistent, naming it", () => {
    // Right forward and backward, except the first forwardCall after a backwardCall (the first
    // probe point) plants Infinity: the old comparison allowed Infinity <= Infinity there.
    let poisonNext = false;
    class Poisoned extends solution.EinSum {
      override forwardCall(...operands: Tensor[]): Tensor {
        const out = super.forwardCall(...operands);
        if (!poisonNext) return out;
        poisonNext = false;
        const data = out.data.slice();
        data[0] = Number.POSITIVE_INFINITY;
        return new Tensor(data, out.shape);
      }
      override backwardCall(g: Tensor): Tensor[] {
        poisonNext = true;
        return super.backwardCall(g);
      }
    }
    const result = everySeed("5.einsum.consistent", withEinSum(Poisoned), "failed");
    expect(result.message).toMatch(/not finite/);
    expect(result.message).toContain("Infinity");
  });
});
