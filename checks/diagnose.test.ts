import { describe, expect, it } from "vitest";
import { tensor, zeros } from "../reference/tensor/index.js";
import { diagnose } from "./diagnose.js";

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
