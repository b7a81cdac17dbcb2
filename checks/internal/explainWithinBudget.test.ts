import { describe, expect, it } from "vitest";
import { Rng, Tensor } from "../../reference/tensor/index.js";
import { centralDifferences, DEFAULT_RELATIVE_STEP } from "./centralDifferences.js";
import { DEFAULT_TOLERANCE } from "./compareTensors.js";
import { directionalProbe } from "./directionalProbe.js";
import { ElementDifferences } from "./elementDifferences.js";
import { type ExplanationSetup, explainWithinBudget } from "./explainWithinBudget.js";
import { JUDGEMENT_COST } from "./leftOutElements.js";
import { type Sample, sampleOf } from "./sample.js";

/** phi(x) = <d, x * x> with a counter, and its gradient 2 d x with `wrong` elements moved. */
function squares(n: number, seed: string, wrong: Record<number, number> = {}) {
  const rng = new Rng(seed);
  const input = rng.randn([n]);
  const downstream = rng.randn([n]);
  let evaluations = 0;
  const phiAt = (x: Float64Array): Sample => {
    evaluations++;
    return sampleOf(
      new Tensor(
        x.map((v) => v * v),
        [n],
      ),
      downstream,
    );
  };
  const gradient = new Tensor(
    input.data.map((v, j) => 2 * downstream.data[j]! * v + (wrong[j] ?? 0)),
    [n],
  );
  const base = phiAt(input.data);
  evaluations = 0;
  return { input, gradient, base, phiAt, evaluations: () => evaluations };
}

/** The explanation of the whole input from a probe along a random direction (weights >= 1). */
function setupFor(
  c: ReturnType<typeof squares>,
  options: Partial<ExplanationSetup> = {},
): ExplanationSetup {
  const n = c.input.size;
  const rng = new Rng("weights");
  const weights = Float64Array.from(
    { length: n },
    () => (rng.uniform() < 0.5 ? -1 : 1) * (1 + rng.uniform()),
  );
  const tolerance = DEFAULT_TOLERANCE;
  const root = directionalProbe(
    c.gradient,
    c.input,
    { relativeStep: DEFAULT_RELATIVE_STEP, tolerance },
    weights,
    c.base,
    c.phiAt,
    { judge: false, refine: false },
  );
  return {
    gradient: c.gradient,
    input: c.input,
    tolerance,
    relativeStep: DEFAULT_RELATIVE_STEP,
    base: c.base,
    phiAt: c.phiAt,
    weights,
    roots: [
      {
        elements: Array.from({ length: n }, (_, j) => j),
        known: { residual: root.residual, bound: root.bound },
      },
    ],
    probed: () => null,
    narrow: true,
    budget: 2 * n,
    decided: false,
    fewEnough: (elements) => elements <= 20,
    measureLast: new Uint8Array(n),
    measureFirst: new Uint8Array(n),
    record: () => {},
    ...options,
  };
}

describe("ElementDifferences", () => {
  it("measures an element as a full pass of centralDifferences does, to the bit", () => {
    const c = squares(7, "differences");
    const full: number[] = [];
    centralDifferences(
      c.input,
      (moved) => c.phiAt(moved.data),
      (k, up, down, h) => {
        full[k] = (up.value - down.value) / (2 * h);
      },
    );
    const differences = new ElementDifferences(c.input, DEFAULT_RELATIVE_STEP, c.phiAt);
    for (const j of [4, 0, 6, 4]) expect(Object.is(differences.measure(j), full[j])).toBe(true);
    expect([...differences.measured]).toEqual([1, 0, 0, 0, 1, 0, 1]);
  });
});

describe("explainWithinBudget", () => {
  it("finds one wrong element among 1000 in a few probes, and certifies the rest", () => {
    const c = squares(1000, "one wrong", { 613: 1e-3 });
    const setup = setupFor(c);
    const before = c.evaluations();
    const explanation = explainWithinBudget(setup);
    expect(explanation.disagreeing).toEqual([613]);
    expect(explanation.notCompared).toEqual([]);
    // Probes of blocks halving 1000 down to 20 elements or fewer (6 of them), which are
    // compared one by one, and the wrong one's kink test.
    expect(c.evaluations() - before).toBeLessThanOrEqual(2 * 6 + 2 * 20 + JUDGEMENT_COST);
    const measured = explanation.differences.measured.reduce((sum, m) => sum + m, 0);
    const certified = explanation.certified.reduce((sum, m) => sum + m, 0);
    expect(measured + certified).toBeGreaterThanOrEqual(1000);
  });

  it("never spends more than its budget once something failed, and fails nothing it could not judge", () => {
    for (const budget of [0, 4, 7, 8, 9, 15, 30, 100]) {
      const c = squares(
        50,
        `budget ${budget}`,
        Object.fromEntries([...Array(50).keys()].map((j) => [j, 1])),
      );
      const setup = setupFor(c, { budget });
      const before = c.evaluations();
      const explanation = explainWithinBudget(setup);
      // Every element is wrong: the first one measured and judged fails the input. Within the
      // budget from 2 + JUDGEMENT_COST on; below it, past the budget (nothing had failed and no
      // kink was seen), but only as far as that first failure.
      const enough = 2 + JUDGEMENT_COST;
      expect(c.evaluations() - before, `budget ${budget}`).toBeLessThanOrEqual(
        budget >= enough ? budget : budget + enough,
      );
      expect(explanation.disagreeing.length, `budget ${budget}`).toBeGreaterThan(0);
      expect(explanation.kinks, `budget ${budget}`).toEqual([]);
    }
  });

  it("keeps nothing for a judgement once the check failed elsewhere", () => {
    const wrong = Object.fromEntries([...Array(10).keys()].map((j) => [j, 1]));
    const c = squares(10, "decided", wrong);
    const explanation = explainWithinBudget(
      setupFor(c, { budget: 20, decided: true, narrow: false }),
    );
    // All 10 measured (20 evaluations), none judged: each is left out as untested.
    expect(explanation.differences.measured.every((m) => m === 1)).toBe(true);
    expect(explanation.unjudged).toHaveLength(10);
    expect(explanation.disagreeing).toEqual([]);
  });
});
