import { describe, expect, it } from "vitest";
import { scalar, tensor, zeros } from "../../reference/tensor/index.js";
import { Opaque } from "../sandbox/wireValues.js";
import { describeNonFinite, findNonFinite, nonFiniteFailure } from "./nonFiniteGuard.js";

describe("findNonFinite", () => {
  it("finds nothing in finite results, text, booleans, null and descriptions of non-data", () => {
    expect(findNonFinite(null)).toBeNull();
    expect(findNonFinite(3)).toBeNull();
    expect(
      findNonFinite({
        output: tensor([1, 2]),
        flags: [true, false],
        note: "NaN",
        gone: new Opaque("a function"),
        nested: { deeper: [scalar(0), -0, 1e308] },
      }),
    ).toBeNull();
  });

  it("names the field, the multi-index, the shape and the value of the first one, and counts them all", () => {
    const grad = zeros([2, 3]);
    grad.data[3] = Number.POSITIVE_INFINITY;
    grad.data[5] = Number.NaN;
    const found = findNonFinite({ output: tensor([1]), inputGrad: grad, loss: Number.NaN });
    expect(found).toEqual({
      path: "inputGrad",
      shape: [2, 3],
      index: [1, 0],
      value: Number.POSITIVE_INFINITY,
      count: 3,
    });
    expect(describeNonFinite(found!)).toMatch(
      /^returned Infinity at inputGrad\[1, 0\] \(a Tensor of shape \[2, 3\]\); 3 values in all are not finite\. NaN and Infinity never pass a check/,
    );
  });

  it("walks arrays and nested objects, and plain numbers", () => {
    const g = zeros([2]);
    g.data[1] = Number.NEGATIVE_INFINITY;
    expect(findNonFinite({ grads: [zeros([2]), g] })).toMatchObject({
      path: "grads[1]",
      index: [1],
    });
    expect(describeNonFinite(findNonFinite({ grads: [zeros([2]), g] })!)).toContain(
      "-Infinity at grads[1][1]",
    );
    const found = findNonFinite({ after: { firstLoss: 1, finalLoss: Number.NaN } });
    expect(found).toMatchObject({ path: "after.finalLoss", shape: null, value: Number.NaN });
    expect(describeNonFinite(found!)).toMatch(/^returned NaN as after\.finalLoss\./);
    expect(describeNonFinite(findNonFinite(Number.POSITIVE_INFINITY)!)).toMatch(
      /^returned Infinity\. /,
    );
    expect(describeNonFinite(findNonFinite({ out: scalar(Number.NaN) })!)).toMatch(
      /^returned NaN as out \(a Tensor of shape \[\]\)/,
    );
  });
});

describe("nonFiniteFailure", () => {
  const found = findNonFinite({ grad: tensor([0, Number.POSITIVE_INFINITY]) })!;

  it("fails even when the judge passed", () => {
    expect(nonFiniteFailure(found, { pass: true })).toContain("Infinity at grad[1]");
  });

  it("keeps a failing judge's message, adding the guard's sentence when it does not speak of it", () => {
    expect(nonFiniteFailure(found, { pass: false, message: "grad: holds Infinity at [1]" })).toBe(
      "grad: holds Infinity at [1]",
    );
    expect(nonFiniteFailure(found, { pass: false, message: "grad: wrong shape" })).toBe(
      `grad: wrong shape\n  also: ${describeNonFinite(found)}`,
    );
  });

  it("speaks for a judge that threw on the value", () => {
    expect(nonFiniteFailure(found, { threw: true })).toBe(describeNonFinite(found));
  });
});
