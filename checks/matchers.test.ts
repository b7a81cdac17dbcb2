import { describe, expect, it } from "vitest";
import "./vitest.js";
import { matmul, randn, sum, type Tensor, tensor } from "../reference/tensor/index.js";
import { gradmarkMatchers } from "./matchers.js";

class Linear {
  grad: Tensor | null = null;
  private input: Tensor | null = null;
  constructor(
    public parameter: Tensor,
    private readonly bug = false,
  ) {}
  forward(x: Tensor): Tensor {
    this.input = x;
    return matmul(x, this.parameter);
  }
  backward(g: Tensor): Tensor {
    const gw = matmul(this.input!.transpose(), g);
    this.grad = this.bug ? gw.transpose() : gw;
    return matmul(g, this.parameter.transpose());
  }
}

class Sum {
  private shape: readonly number[] = [];
  forwardCall(x: Tensor): Tensor {
    this.shape = x.shape;
    return sum(x);
  }
  backwardCall(g: Tensor): Tensor[] {
    return [tensor(new Array(this.shape.reduce((a, b) => a * b, 1)).fill(g.item()), this.shape)];
  }
}

describe("vitest matchers", () => {
  it("accepts correct layers and operations", () => {
    expect(new Linear(randn([3, 3], 1))).toPassGradcheck([randn([2, 3], 2)]);
    expect(new Sum()).toPassGradcheck([randn([2, 3], 3)]);
    expect({ f: (x: Tensor) => x, gradients: (g: Tensor) => [g] }).toPassGradcheck(randn([4], 4));
  });

  it("rejects a wrong parameter gradient and says what is wrong", () => {
    const layer = new Linear(randn([3, 3], 1), true);
    expect(layer).not.toPassGradcheck([randn([2, 3], 2)]);
    const result = gradmarkMatchers.toPassGradcheck.call({}, layer, [randn([2, 3], 2)]);
    expect(result.pass).toBe(false);
    expect(result.message()).toContain("gradient of parameter");
    expect(result.message()).toContain("transpose");
  });

  it("compares tensors with a hint", () => {
    expect(tensor([1, 2])).toBeCloseToTensor([1, 2 + 1e-9]);
    const result = gradmarkMatchers.toBeCloseToTensor.call({}, tensor([-1, -2]), tensor([1, 2]));
    expect(result.pass).toBe(false);
    expect(result.message()).toContain("sign flipped");
  });

  it("refuses a subject it cannot check, at run time and in the types", () => {
    // @ts-expect-error: a number has no gradients: the matcher is not declared on it.
    expect(() => expect(42).toPassGradcheck([tensor([1])])).toThrow(/expected an operation/);
    // @ts-expect-error: an object is not tensor-like.
    expect(() => expect({ a: 1 }).toBeCloseToTensor([1])).toThrow();
  });
});
