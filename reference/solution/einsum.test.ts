import fc from "fast-check";
import { einsum, eye, scalar, type Tensor, tensor, zeros } from "gradmark/tensor";
import { describe, expect, it } from "vitest";
import { assertClose, checkOperation, smooth, tensorArb } from "../../testing/solutionSupport";
import { sum, Variable } from "./autograd";
import { EinSum } from "./einsum";

/** Operand and output subscripts of an explicit spec. */
function termsOf(spec: string): { inputs: string[]; output: string } {
  const [left, output] = spec.split("->") as [string, string];
  return { inputs: left.split(","), output };
}

/** Random operands (with exact 0s and 1s) and a random downstream gradient for `spec`. */
function operandsFor(spec: string, maxSide = 3) {
  const { inputs, output } = termsOf(spec);
  const letters = [...new Set(inputs.join(""))];
  return fc
    .array(fc.integer({ min: 1, max: maxSide }), {
      minLength: letters.length,
      maxLength: letters.length,
    })
    .chain((sides) => {
      const size = new Map(letters.map((l, i) => [l, sides[i]!]));
      const shapeOf = (term: string) => [...term].map((l) => size.get(l)!);
      return fc.tuple(
        fc.tuple(...inputs.map((term) => tensorArb(shapeOf(term)))),
        tensorArb(shapeOf(output), smooth),
      );
    });
}

/** The definition: sum over every assignment of the indices of the product of the entries. */
function naiveEinsum(spec: string, operands: Tensor[]): Tensor {
  const { inputs, output } = termsOf(spec);
  const letters = [...new Set(inputs.join(""))];
  const size = new Map<string, number>();
  inputs.forEach((term, i) => {
    [...term].forEach((l, axis) => {
      size.set(l, operands[i]!.shape[axis]!);
    });
  });
  const outShape = [...output].map((l) => size.get(l)!);
  const out = zeros(outShape).data;
  const value = new Map<string, number>();
  const visit = (depth: number): void => {
    if (depth === letters.length) {
      let product = 1;
      inputs.forEach((term, i) => {
        product *= operands[i]!.get(...[...term].map((l) => value.get(l)!));
      });
      let offset = 0;
      for (const l of output) offset = offset * size.get(l)! + value.get(l)!;
      out[offset]! += product;
      return;
    }
    const letter = letters[depth]!;
    for (let v = 0; v < size.get(letter)!; v++) {
      value.set(letter, v);
      visit(depth + 1);
    }
  };
  visit(0);
  return tensor(out, outShape);
}

function checkSpec(spec: string, operands: Tensor[], downstream: Tensor): void {
  const value = new EinSum(spec).forwardCall(...operands);
  assertClose(value, einsum(spec, ...operands), "forward", { rtol: 1e-12, atol: 1e-12 });
  assertClose(value, naiveEinsum(spec, operands), "forward vs definition", {
    rtol: 1e-12,
    atol: 1e-12,
  });
  checkOperation(() => new EinSum(spec), operands, downstream);
}

const listedSpecs = [
  "ij,jk->ik",
  "iii->i",
  "ij,ikk,il->kj",
  "hihk,okh,oo->ko",
  "abc,bad->ab",
  "ik,ikj->ij",
  "ij->ji",
  "ii->",
  "ii->i",
  "ij->",
  "ij->i",
  "i,i->",
  "i,j->ij",
  "iij,jk->ki",
];

describe("EinSum", () => {
  listedSpecs.forEach((spec, n) => {
    it(`'${spec}': forward is the kit's einsum, backward agrees with finite differences`, () => {
      fc.assert(
        fc.property(operandsFor(spec), ([operands, dZ]) => {
          checkSpec(spec, operands, dZ);
        }),
        { seed: 500 + n, numRuns: 25 },
      );
    });
  });

  /** A random explicit spec over a few letters: repeats inside operands, summed-away indices. */
  const randomSpec = fc
    .array(fc.array(fc.constantFrom(..."abcd"), { maxLength: 3 }), { minLength: 1, maxLength: 3 })
    .chain((terms) => {
      const used = [...new Set(terms.flat())];
      return fc
        .shuffledSubarray(used)
        .map((out) => `${terms.map((t) => t.join("")).join(",")}->${out.join("")}`);
    });

  it("random specs: backward agrees with finite differences", () => {
    fc.assert(
      fc.property(
        randomSpec.chain((spec) => fc.tuple(fc.constant(spec), operandsFor(spec))),
        ([spec, [operands, dZ]]) => {
          checkSpec(spec, operands, dZ);
        },
      ),
      { seed: 521, numRuns: 150 },
    );
  });

  it("puts the gradient of a repeated index on the diagonal only", () => {
    const op = new EinSum("iii->i");
    op.forwardCall(zeros([2, 2, 2]));
    const [grad] = op.backwardCall(tensor([5, 7]));
    const expected = zeros([2, 2, 2]).toArray() as number[][][];
    expected[0]![0]![0] = 5;
    expected[1]![1]![1] = 7;
    expect(grad!.toArray()).toEqual(expected);

    const trace = new EinSum("ii->");
    trace.forwardCall(zeros([3, 3]));
    expect(trace.backwardCall(scalar(2))[0]!.toArray()).toEqual(
      (eye(3).toArray() as number[][]).map((row) => row.map((v) => 2 * v)),
    );
  });

  it("broadcasts the gradient along an index summed away", () => {
    const op = new EinSum("ij->i");
    op.forwardCall(zeros([2, 3]));
    expect(op.backwardCall(tensor([1, 2]))[0]!.toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  it("sums the gradient over a side of 1 that the kit broadcasts", () => {
    const operands = [
      tensor([[1, 2, 3]]),
      tensor([
        [4, 5, 6],
        [7, 8, 9],
      ]),
    ];
    checkOperation(
      () => new EinSum("ij,ij->ij"),
      operands,
      tensor([
        [1, -1, 2],
        [0.5, 3, -2],
      ]),
    );
  });

  // The kit broadcasts a side of 1 against a larger side of the same index in another operand;
  // the gradient of the operand with the larger side must keep that side (it once came back
  // with side 1, from an einsum over the other operands alone).
  it.each([
    {
      spec: "ij,jk->ik",
      shapes: [
        [2, 1],
        [3, 4],
      ],
    },
    {
      spec: "ij,jk->ik",
      shapes: [
        [2, 3],
        [1, 4],
      ],
    },
    {
      spec: "ijk,jl->il",
      shapes: [
        [2, 1, 3],
        [4, 2],
      ],
    },
    {
      spec: "ij,kj->",
      shapes: [
        [2, 1],
        [3, 4],
      ],
    },
    { spec: "ii,i->i", shapes: [[1, 1], [3]] },
    { spec: "ij,j,jk->ki", shapes: [[2, 1], [3], [1, 2]] },
  ])(
    "'$spec' with operands $shapes: backward agrees with finite differences",
    ({ spec, shapes }) => {
      const outputShape = einsum(spec, ...shapes.map((shape) => zeros(shape))).shape;
      fc.assert(
        fc.property(
          fc.tuple(...shapes.map((shape) => tensorArb(shape))),
          tensorArb(outputShape, smooth),
          (operands, downstream) => {
            checkOperation(() => new EinSum(spec), operands, downstream);
          },
        ),
        { seed: 11, numRuns: 20 },
      );
    },
  );

  it("works inside the engine", () => {
    const A = new Variable(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    const B = new Variable(tensor([[5], [6]]));
    sum(new EinSum("ij,jk->ik").forward(A, B)).backward();
    expect(A.grad!.toArray()).toEqual([
      [5, 6],
      [5, 6],
    ]);
    expect(B.grad!.toArray()).toEqual([[4], [6]]);
  });

  it("rejects specs it cannot parse, with a message", () => {
    expect(() => new EinSum("i...->i")).toThrow(/cannot parse/);
    expect(() => new EinSum("ij->ii")).toThrow(/twice/);
    expect(() => new EinSum("ij->k")).toThrow(/in no operand/);
    expect(() => new EinSum("ij,jk->ik").forwardCall(zeros([2, 2]))).toThrow(/expected 2 operands/);
  });

  it("accepts spaces and an implicit output, like the kit", () => {
    const A = tensor([
      [1, 2],
      [3, 4],
    ]);
    const B = tensor([
      [0, 1],
      [1, 0],
    ]);
    assertClose(new EinSum("ij, jk -> ik").forwardCall(A, B), einsum("ij,jk->ik", A, B), "spaces");
    const implicit = new EinSum("ij,jk");
    assertClose(implicit.forwardCall(A, B), einsum("ij,jk", A, B), "implicit");
    checkOperation(
      () => new EinSum("ba"),
      [A],
      tensor([
        [1, 2],
        [3, 5],
      ]),
    );
  });
});
