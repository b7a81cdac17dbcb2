import fc from "fast-check";
import { tensorArb } from "../../checks/index.js";
import { defineAssignment } from "../../grader/authoring/defineAssignment.js";
import { allOf, expectTensor, expectUnchanged } from "../../grader/authoring/judge.js";
import type { CheckDefinition } from "../../grader/authoring/types.js";
import { packagePath } from "../../grader/common/packagePath.js";
import { add, mul, type Tensor } from "../../reference/tensor/index.js";

type Pair = { a: Tensor; b: Tensor };
const pairs = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) => fc.record({ a: tensorArb({ shape }), b: tensorArb({ shape }) }));

function elementwise(
  id: string,
  name: string,
  reference: (a: Tensor, b: Tensor) => Tensor,
  hidden = false,
): CheckDefinition<Pair> {
  return {
    id,
    title: `${name}(a, b)`,
    points: 5,
    hidden,
    cases: pairs,
    driver: "call",
    payload: ({ a, b }) => ({ module: "ops", name, args: [a, b] }),
    judge: ({ a, b }, result, context) => {
      const r = result as { out: unknown; argsAfter: unknown[] };
      return allOf(
        () =>
          expectTensor(r.out, reference(a, b), {
            name: `${name}(a, b)`,
            tolerance: context.tolerance,
          }),
        () => expectUnchanged(a, r.argsAfter[0], "a"),
        () => expectUnchanged(b, r.argsAfter[1], "b"),
      );
    },
  };
}

/** A two-problem assignment over src/ops and src/more, for the grader's own tests. */
export const toyAssignment = defineAssignment({
  id: "toy",
  title: "Toy",
  seed: 7,
  modules: ["ops", "more"],
  drivers: packagePath("testing/toy/drivers.ts"),
  defaults: { runs: 20, timeoutMs: 1000, budgetMs: 60_000 },
  limits: { heapMb: 128, rssMb: 512 },
  problems: [
    {
      id: "1",
      title: "Element-wise",
      module: "ops",
      checks: [
        elementwise("1.add.values", "add", add),
        { ...elementwise("1.mul.values", "mul", mul, true), timeoutMs: 10_000 },
      ],
    },
    {
      id: "2",
      title: "More",
      module: "more",
      checks: [
        {
          id: "2.twice.values",
          title: "twice(a)",
          points: 10,
          cases: pairs,
          driver: "call",
          payload: ({ a }: Pair) => ({ module: "more", name: "twice", args: [a] }),
          judge: ({ a }: Pair, result, context) =>
            expectTensor((result as { out: unknown }).out, add(a, a), {
              name: "twice(a)",
              tolerance: context.tolerance,
            }),
        },
      ],
    },
  ],
});
export default toyAssignment;
