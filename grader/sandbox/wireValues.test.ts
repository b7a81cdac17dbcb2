import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../reference/tensor/index.js";
import { FloatPack } from "./protocol/FloatPack.js";
import { fromWireResult, Opaque, toWirePayload } from "./wireValues.js";

describe("the wire, parent side", () => {
  it("packs every tensor of a payload into one Float64Array", () => {
    const pack = new FloatPack();
    const wire = toWirePayload({ a: tensor([1, 2]), rest: [tensor([[3], [4]]), 5] }, pack);
    expect(wire).toEqual({
      a: { __wire: "tensor", shape: [2], at: 0, size: 2 },
      rest: [{ __wire: "tensor", shape: [2, 1], at: 2, size: 2 }, 5],
    });
    expect([...pack.finish()]).toEqual([1, 2, 3, 4]);
  });

  it("reads a child's tensors from the result's floats, and distrusts what does not fit", () => {
    const floats = Float64Array.from([1, 2, 3, 4]);
    const read = (value: unknown) => fromWireResult(value as never, floats);
    const good = read({ __wire: "tensor", shape: [2], at: 2, size: 2 });
    expect(good).toBeInstanceOf(Tensor);
    expect([...(good as Tensor).data]).toEqual([3, 4]);
    expect(String(read({ __wire: "tensor", shape: [3], at: 2, size: 2 }))).toContain(
      "does not match its 2 values",
    );
    for (const at of [3, -1, 0.5]) {
      const outside = read({ __wire: "tensor", shape: [2], at, size: 2 });
      expect(outside, String(at)).toBeInstanceOf(Opaque);
      expect(String(outside)).toBe("a Tensor whose values were not sent");
    }
  });
});
