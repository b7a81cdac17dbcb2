import { describe, expect, it } from "vitest";
import { mul, tensor, zeros } from "../reference/tensor/index.js";
import { diagnose, registerHintPattern } from "./diagnose.js";

describe("diagnose: hints that must not mislead", () => {
  it("says 'all zeros, computed at all?' only when every one of several expected entries is non-zero", () => {
    const full = tensor([1.5, -2, 0.25], [3]);
    expect(diagnose(zeros([3]), full)?.kind).toBe("zero");
    // A shrunk counterexample: mostly zeros, one entry wrong. A wrong formula, not a stub.
    expect(diagnose(zeros([2]), tensor([0, 1], [2]))).toBeNull();
    expect(diagnose(zeros([2, 1]), tensor([0, -1], [2, 1]))?.kind).not.toBe("zero");
    // One expected value alone says nothing about whether anything is computed.
    expect(diagnose(zeros([]), tensor(1, []))).toBeNull();
    expect(diagnose(zeros([1]), tensor([3], [1]))).toBeNull();
    // Nearly zero counts as zero.
    expect(diagnose(zeros([2]), tensor([1e-9, 2], [2]))).toBeNull();
  });

  it("names a batch for an extra size-1 axis only when there is a batch", () => {
    const scalar = tensor(2.5, []);
    const noBatch = diagnose(tensor([2.5], [1]), scalar);
    expect(noBatch?.message).toBe(
      "the result has shape [1] but [] was expected: an extra axis of size 1 (reshape it to [])",
    );
    const batched = diagnose(tensor([1, 2], [1, 2]), tensor([1, 2], [2]), { batchSize: 4 });
    expect(batched?.message).toBe(
      "the result has shape [1, 2] but [2] was expected: an extra axis of size 1 (reshape it to [2], or is a sum over the batch axis missing?)",
    );
    expect(diagnose(tensor([3], [1, 1]), scalar)?.message).toContain("2 extra axes of size 1");
  });

  it("calls a missing sum over one extra axis the batch axis only when there is a batch", () => {
    const rows = tensor([1, 2, 3, 4], [2, 2]);
    const summed = tensor([4, 6], [2]);
    expect(diagnose(rows, summed)?.message).toBe(
      "the result has shape [2, 2] but [2] was expected: missing a sum over axis 0 (a broadcast axis); summed over them it has the expected values",
    );
    expect(diagnose(rows, summed, { batchSize: 2 })?.message).toContain(
      "missing a sum over axis 0 (the batch axis)",
    );
  });

  it("leads with the batch sum when a gradient keeps the batch axis, also for a batch of 1 (issue 14)", () => {
    // A bias gradient [B, M] returned where the parameter's [M] was expected.
    const perRow = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const hint = diagnose(perRow, tensor([5, 7, 9], [3]), { batchSize: 2 });
    expect(hint).toMatchObject({ kind: "missing-sum", axes: [0] });
    expect(hint?.message).toBe(
      "your gradient keeps the batch axis: sum it over the batch to get shape [3]. It has shape [2, 3], missing a sum over axis 0 (the batch axis); summed over it, it has the expected values",
    );
    // Shrunk to a batch of 1: [1, M] against [M] is the same mistake, not a reshape to make.
    const one = diagnose(tensor([1, 2, 3], [1, 3]), tensor([1, 2, 3], [3]), { batchSize: 1 });
    expect(one).toMatchObject({ kind: "missing-sum", axes: [0] });
    expect(one?.message).toMatch(/^your gradient keeps the batch axis: sum it over the batch/);
    expect(one?.message).not.toContain("reshape");
    // Wrong values as well: the sum still leads, without the claim about the values.
    const wrong = diagnose(tensor([1, 2, 3], [1, 3]), tensor([0, 0, 1], [3]), { batchSize: 1 });
    expect(wrong?.message).toBe(
      "your gradient keeps the batch axis: sum it over the batch to get shape [3]. It has shape [1, 3], missing a sum over axis 0 (the batch axis)",
    );
    // A leading axis that is not the batch keeps the old hints.
    expect(diagnose(perRow, tensor([5, 7, 9], [3]), { batchSize: 4 })?.message).toMatch(
      /^the result has shape \[2, 3\] but \[3\] was expected: missing a sum over axis 0/,
    );
    expect(diagnose(tensor([1, 2, 3], [1, 3]), tensor([1, 2, 3], [3]))?.message).toContain(
      "reshape it to [3]",
    );
  });
});

describe("diagnose: reversed axes, factors of the batch size, patterns of one's own (issue 19)", () => {
  it("names an axis whose entries run backwards, and only when nothing simpler fits", () => {
    const expected = tensor([
      [1, 2, 3],
      [4, 5, 7],
    ]);
    const rows = diagnose(
      tensor([
        [4, 5, 7],
        [1, 2, 3],
      ]),
      expected,
    );
    expect(rows).toMatchObject({ kind: "reversed", axes: [0] });
    expect(rows?.message).toMatch(/reversed along axis 0 \(of 2\)/);
    const columns = diagnose(
      tensor([
        [3, 2, 1],
        [7, 5, 4],
      ]),
      expected,
    );
    expect(columns).toMatchObject({ kind: "reversed", axes: [1] });
    // A palindrome reversed is itself: not a reversal, and a sign flip stays a sign flip.
    expect(diagnose(tensor([1, 2, 1]), tensor([1, 2, 2]))?.kind ?? null).not.toBe("reversed");
    expect(diagnose(tensor([-3, -2, -1]), tensor([3, 2, 1]))?.kind).toBe("sign");
  });

  it("names (B-1)/B, B/(B-1), their square roots and sqrt(B) as factors of the batch size", () => {
    const expected = tensor([1, -2, 3, 0.5]);
    const cases: [number, RegExp][] = [
      [3 / 4, /\(B-1\)\/B = 0\.75 .*B = 4.*variance divided by B where B - 1/],
      [4 / 3, /B\/\(B-1\) = 1\.333/],
      [Math.sqrt(3 / 4), /sqrt\(\(B-1\)\/B\) = 0\.866/],
      [Math.sqrt(4 / 3), /sqrt\(B\/\(B-1\)\)/],
      [1 / 2, /divided by 2|sqrt\(B\)|half/],
    ];
    for (const [factor, says] of cases) {
      const hint = diagnose(mul(expected, factor), expected, { batchSize: 4 });
      expect(hint?.kind, `factor ${factor}`).toBe("factor");
      expect(hint?.message, `factor ${factor}`).toMatch(says);
    }
    // Without a batch size these stay plain constants.
    expect(diagnose(mul(expected, 0.75), expected)?.message).toMatch(/about 0\.75 times/);
  });

  it("runs registered patterns first, skips one that throws, and forgets one removed", () => {
    const expected = tensor([1, 2, 3]);
    const actual = tensor([1, 2, 30]);
    expect(diagnose(actual, expected)).toBeNull();
    const removeBroken = registerHintPattern({
      name: "throws",
      test: () => {
        throw new Error("a staff bug");
      },
    });
    const remove = registerHintPattern({
      name: "last-times-ten",
      test: (a, e) =>
        a.data.at(-1) === 10 * e.data.at(-1)! ? "the last entry is ten times too big" : null,
    });
    try {
      expect(diagnose(actual, expected)).toEqual({
        kind: "custom",
        message: "the last entry is ten times too big",
        pattern: "last-times-ten",
      });
      expect(() => registerHintPattern({ name: "last-times-ten", test: () => null })).toThrow(
        /already registered/,
      );
      expect(() => registerHintPattern({ name: "a b", test: () => null })).toThrow(/name must be/);
    } finally {
      remove();
      removeBroken();
    }
    expect(diagnose(actual, expected)).toBeNull();
  });
});
