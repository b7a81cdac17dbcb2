import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, exp, mul, sum, type Tensor } from "../../reference/tensor/index.js";
import { type DagOp, type DagSpec, dagArb } from "./dag.js";

const OPS: Record<string, DagOp> = {
  add: { arity: "variadic" },
  mul: { arity: 2 },
  exp: { arity: 1 },
  sum: { arity: 1, output: "scalar" },
};

/** Runs the graph with the kit; every op checks the shapes of its arguments. */
function evaluate(spec: DagSpec): Tensor[] {
  const values: Tensor[] = [...spec.inputs];
  for (const { op, args } of spec.nodes) {
    const xs = args.map((a) => values[a]!);
    if (OPS[op]!.sameShape !== false) {
      for (const x of xs) expect(x.shape).toEqual(xs[0]!.shape);
    }
    const out =
      op === "add"
        ? xs.reduce((a, b) => add(a, b))
        : op === "mul"
          ? mul(xs[0]!, xs[1]!)
          : op === "exp"
            ? exp(xs[0]!)
            : sum(xs[0]!);
    values.push(out);
  }
  return values;
}

function uses(spec: DagSpec): number[] {
  const count = new Array<number>(spec.inputs.length + spec.nodes.length).fill(0);
  for (const { args } of spec.nodes) for (const a of args) count[a]!++;
  return count;
}

/** Whether some value reaches a later node along two different paths. */
function hasDiamond(spec: DagSpec): boolean {
  const n = spec.inputs.length + spec.nodes.length;
  const paths = new Array<number>(n).fill(0);
  // Paths from the output back to each value.
  paths[n - 1] = 1;
  for (let v = n - 1; v >= spec.inputs.length; v--) {
    for (const a of spec.nodes[v - spec.inputs.length]!.args) paths[a]! += paths[v]!;
  }
  return paths.some((p) => p >= 2);
}

describe("dagArb", () => {
  it("references only earlier values, with the ops' arities and consistent shapes", () => {
    fc.assert(
      fc.property(dagArb({ ops: OPS }), (spec) => {
        const { inputs, nodes, shapes } = spec;
        expect(inputs.length).toBeGreaterThanOrEqual(1);
        expect(inputs.length).toBeLessThanOrEqual(3);
        expect(nodes.length).toBeGreaterThanOrEqual(1);
        expect(nodes.length).toBeLessThanOrEqual(8);
        for (const input of inputs) expect(input.shape).toEqual(inputs[0]!.shape);
        nodes.forEach(({ op, args }, i) => {
          const spec = OPS[op]!;
          if (spec.arity === "variadic") {
            expect(args.length).toBeGreaterThanOrEqual(2);
            expect(args.length).toBeLessThanOrEqual(3);
          } else {
            expect(args).toHaveLength(spec.arity);
          }
          for (const a of args) {
            expect(Number.isInteger(a)).toBe(true);
            expect(a).toBeGreaterThanOrEqual(0);
            expect(a).toBeLessThan(inputs.length + i);
          }
        });
        const values = evaluate(spec);
        expect(values.map((v) => v.shape)).toEqual(shapes);
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it("makes reuse and diamonds the rule", () => {
    const specs = fc.sample(dagArb({ ops: OPS, minNodes: 3 }), { seed: 2, numRuns: 200 });
    const reused = specs.filter((s) => uses(s).some((u) => u >= 2)).length;
    const diamonds = specs.filter(hasDiamond).length;
    const twiceInOneNode = specs.filter((s) =>
      s.nodes.some(({ args }) => new Set(args).size < args.length),
    ).length;
    expect(reused).toBeGreaterThan(150);
    expect(diamonds).toBeGreaterThan(150);
    expect(twiceInOneNode).toBeGreaterThan(40);
  });

  it("connects every node to the output by default", () => {
    fc.assert(
      fc.property(dagArb({ ops: OPS, maxNodes: 12 }), (spec) => {
        const n = spec.inputs.length + spec.nodes.length;
        const needed = new Array<boolean>(n).fill(false);
        needed[n - 1] = true;
        for (let v = n - 1; v >= spec.inputs.length; v--) {
          if (!needed[v]) continue;
          for (const a of spec.nodes[v - spec.inputs.length]!.args) needed[a] = true;
        }
        expect(needed.slice(spec.inputs.length).every(Boolean)).toBe(true);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it("takes a fixed shape and value constraints for the inputs", () => {
    fc.assert(
      fc.property(
        dagArb({ ops: { pow: { arity: 1 } }, shape: [2, 3], min: 0.5, max: 2, minInputs: 2 }),
        (spec) => {
          expect(spec.inputs.length).toBeGreaterThanOrEqual(2);
          for (const input of spec.inputs) {
            expect(input.shape).toEqual([2, 3]);
            for (const v of input.data) expect(v >= 0.5 && v <= 2).toBe(true);
          }
          expect(spec.nodes.every((n) => n.args.length === 1)).toBe(true);
        },
      ),
      { seed: 4, numRuns: 100 },
    );
  });

  it("shrinks 'fails with 3 nodes or more' to exactly 3 nodes", () => {
    for (const seed of [1, 2, 3, 42]) {
      const out = fc.check(
        fc.property(dagArb({ ops: OPS }), (spec) => spec.nodes.length < 3),
        { seed },
      );
      const spec = out.counterexample![0];
      expect(spec.nodes).toHaveLength(3);
      expect(spec.inputs).toHaveLength(1);
      expect(spec.inputs[0]!.shape).toEqual([]);
      expect(Array.from(spec.inputs[0]!.data)).toEqual([0]);
      expect(spec.nodes.map((n) => n.op)).toEqual(["add", "add", "add"]);
    }
  });

  it("shrinks 'fails when some node is exp' to that single node, whatever its position", () => {
    for (const seed of [1, 2, 3, 42]) {
      const out = fc.check(
        fc.property(dagArb({ ops: OPS, minNodes: 2 }), (spec) =>
          spec.nodes.every((n) => n.op !== "exp"),
        ),
        { seed },
      );
      const spec = out.counterexample![0];
      expect(spec.nodes).toHaveLength(2);
      expect(spec.nodes.map((n) => n.op).sort()).toEqual(["add", "exp"]);
    }
  });

  it("shrinks 'fails with 2 inputs' to 2 inputs and 1 node", () => {
    const out = fc.check(
      fc.property(dagArb({ ops: OPS }), (spec) => spec.inputs.length < 2),
      { seed: 5 },
    );
    const spec = out.counterexample![0];
    expect(spec.inputs).toHaveLength(2);
    expect(spec.nodes).toHaveLength(1);
  });

  it("validates its constraints when built", () => {
    expect(() => dagArb({} as never)).toThrow("dagArb: ops is required");
    expect(() => dagArb({ ops: {} })).toThrow("dagArb: ops must name at least one operation");
    expect(() => dagArb({ ops: { neg: { arity: 0 } } })).toThrow(
      "dagArb: ops.neg: arity (0) must be at least 1",
    );
    expect(() => dagArb({ ops: { neg: { arity: "two" as never } } })).toThrow(
      'dagArb: ops.neg: arity ("two") must be a number or "variadic"',
    );
    expect(() => dagArb({ ops: { s: { arity: 1, output: "vector" as never } } })).toThrow(
      'dagArb: ops.s: output ("vector") must be "same" or "scalar"',
    );
    expect(() => dagArb({ ops: { add: { arity: "variadic", minArity: 4, maxArity: 3 } } })).toThrow(
      "dagArb: ops.add: minArity (4) must not exceed maxArity (3)",
    );
    expect(() => dagArb({ ops: OPS, minNodes: 5, maxNodes: 4 })).toThrow(
      "dagArb: minNodes (5) must not exceed maxNodes (4)",
    );
    expect(() => dagArb({ ops: OPS, minInputs: 0 })).toThrow(
      "dagArb: minInputs (0) must be at least 1",
    );
    expect(() => dagArb({ ops: OPS, shape: [2], maxRank: 1 })).toThrow(
      "dagArb: give either shape or shape constraints, not both (got shape and maxRank)",
    );
  });
});
