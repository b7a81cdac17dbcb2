import { describe, expect, it } from "vitest";
import { div, mul, neg, randn, sum, Tensor, tensor, zeros } from "../reference/tensor/index.js";
import { compareTensors } from "./compareTensors.js";
import { diagnose } from "./diagnose.js";

const expected = randn([3, 4], 7);

describe("compareTensors", () => {
  it("passes within atol + rtol * |expected| and fails just outside", () => {
    const near = new Tensor(
      expected.data.map((v) => v + 0.5e-6),
      expected.shape,
    );
    expect(compareTensors(near, expected).passed).toBe(true);
    const off = expected.clone();
    off.data[5] = off.data[5]! + 1e-3;
    const c = compareTensors(off, expected, { name: "gradient of W" });
    expect(c).toMatchObject({ passed: false, outcome: "values", mismatched: 1 });
    expect(c.worst[0]!.index).toEqual([1, 1]);
    expect(c.message).toMatch(/^gradient of W: 1 of 12 elements differs/);
  });

  it("counts elements given as counted among those that differ, after the worst, named apart", () => {
    const off = expected.clone();
    off.data[1] = off.data[1]! + 5; // counted: larger than the one that leads
    off.data[2] = off.data[2]! + 4; // counted
    off.data[9] = off.data[9]! + 1e-3; // leads
    const c = compareTensors(off, expected, {
      name: "gradient of W",
      exclude: [
        { positions: [1, 2, 5], reason: "not tested for a kink", counted: true },
        { positions: [7], reason: "next to a kink" },
      ],
    });
    // Position 5 agrees, so it is neither counted nor left out; 7 is left out.
    expect(c).toMatchObject({ passed: false, mismatched: 3, excluded: 1 });
    expect(c.worst.map((w) => w.index)).toEqual([[2, 1]]);
    expect(c.message.split("\n").slice(0, 4)).toEqual([
      "gradient of W: 3 of 11 elements differ (atol 1e-6, rtol 1e-5)",
      expect.stringMatching(/^ {2}at \[2, 1\]: /),
      "  2 of them, at [0, 1], [0, 2], were not tested for a kink",
      "  1 element next to a kink was left out (at [1, 3])",
    ]);
  });

  it("leaves excluded elements out of the verdict, the count and the worst, and names them", () => {
    const off = expected.clone();
    off.data[1] = off.data[1]! + 5; // left out: larger than the one that counts
    off.data[2] = off.data[2]! + 4; // left out
    off.data[9] = off.data[9]! + 1e-3; // counts
    const c = compareTensors(off, expected, {
      name: "gradient of W",
      exclude: [{ positions: [1, 2], reason: "next to a kink" }],
    });
    expect(c).toMatchObject({ passed: false, mismatched: 1, excluded: 2 });
    expect(c.worst.map((w) => w.index)).toEqual([[2, 1]]);
    expect(c.message).toMatch(/^gradient of W: 1 of 10 elements differs/);
    expect(c.message).toContain("2 elements next to a kink were left out (at [0, 1], [0, 2])");
    // Only excluded elements differ: it passes, and says how many were left out.
    const only = compareTensors(off, expected, {
      exclude: [{ positions: [1, 2, 9], reason: "next to a kink" }],
    });
    expect(only).toMatchObject({ passed: true, excluded: 3, message: "" });
    // NaN is never left out.
    const nan = expected.clone();
    nan.data[1] = Number.NaN;
    const bad = compareTensors(nan, expected, { exclude: [{ positions: [1], reason: "x" }] });
    expect(bad).toMatchObject({ passed: false, outcome: "non-finite", excluded: 0 });
  });

  it("compares the shape first and the type before that", () => {
    expect(compareTensors(zeros([4, 3]), expected).outcome).toBe("wrong-shape");
    expect(compareTensors([1, 2], expected).message).toContain("a plain array of length 2");
    expect(compareTensors(undefined, expected).message).toContain("did the function return");
    expect(compareTensors(3, tensor(3)).message).toContain("wrap it with scalar");
  });

  it("reports NaN and Infinity as such", () => {
    const bad = expected.clone();
    bad.data[0] = Number.NaN;
    const c = compareTensors(bad, expected);
    expect(c.outcome).toBe("non-finite");
    expect(c.hint?.kind).toBe("non-finite");
    expect(c.message).toContain("got NaN");
  });

  it("orders the worst elements by their absolute error", () => {
    const off = expected.clone();
    off.data[1] = off.data[1]! + 1;
    off.data[2] = off.data[2]! + 5;
    const c = compareTensors(off, expected, { worstCount: 2 });
    expect(c.worst.map((w) => w.index)).toEqual([
      [0, 2],
      [0, 1],
    ]);
  });
});

describe("diagnose", () => {
  it("names each recognisable pattern", () => {
    expect(diagnose(neg(expected), expected)?.kind).toBe("sign");
    expect(diagnose(zeros([3, 4]), expected)?.kind).toBe("zero");
    expect(diagnose(mul(expected, 2), expected)?.message).toContain("twice");
    expect(diagnose(div(expected, 2), expected)?.message).toContain("half");
    expect(diagnose(mul(expected, 3), expected, { batchSize: 3 })?.message).toContain(
      "the batch size",
    );
    expect(diagnose(div(expected, 3), expected, { batchSize: 3 })?.message).toContain(
      "divided by 3",
    );
    expect(diagnose(mul(expected, 1.7), expected)?.message).toContain("about 1.7 times");
    expect(diagnose(expected.transpose(), expected)?.kind).toBe("transposed");
    const square = randn([4, 4], 1);
    expect(diagnose(square.transpose(), square)?.kind).toBe("transposed");
  });

  it("sees a missing sum over the batch and over a kept broadcast axis", () => {
    const perRow = randn([5, 4], 2);
    const hint = diagnose(perRow, sum(perRow, 0));
    expect(hint).toMatchObject({ kind: "missing-sum", axes: [0] });
    expect(hint?.message).toContain("summed over them it has the expected values");
    const kept = diagnose(perRow, sum(perRow, 1, true));
    expect(kept).toMatchObject({ kind: "missing-sum", axes: [1] });
  });

  it("sees a derivative in the output-first layout", () => {
    const d = randn([2, 3], 3); // input [2], output [3]
    const hint = diagnose(d.transpose(), d, { inputRank: 1 });
    expect(hint?.kind).toBe("output-first-layout");
    expect(hint?.message).toContain("its values are right");
    const square = randn([3, 3], 4);
    expect(diagnose(square.transpose(), square, { inputRank: 1 })?.kind).toBe(
      "output-first-layout",
    );
  });

  it("sees the gradient of another input", () => {
    const other = randn([3, 4], 9);
    const hint = diagnose(other, expected, { others: [{ name: "Y", expected: other }] });
    expect(hint).toMatchObject({ kind: "wrong-input" });
    expect(hint?.message).toContain("gradient of Y");
  });

  it("says nothing when no pattern fits", () => {
    expect(diagnose(randn([3, 4], 11), expected)).toBeNull();
  });
});
