import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// The "offsets" assignment, as course staff write one: a judge that compares with a reference
// function of another file and a drivers module beside it. The staff solution earns 10 of 10 with
// OFFSET = 0, and 5 once the reference adds 1 (its second check does not use the reference).
export const reference = (
  offset: number,
) => `import { add, map, type Tensor } from "gradmark/tensor";
export const OFFSET = ${offset};
export function referenceAdd(a: Tensor, b: Tensor): Tensor {
  return map(add(a, b), (v) => v + OFFSET);
}
`;

export const DRIVERS = `import { add } from "gradmark/tensor";
export const drivers = {
  call(modules: Record<string, Record<string, (...args: unknown[]) => unknown>>, payload: unknown) {
    const { name, args } = payload as { name: string; args: unknown[] };
    return { out: modules.ops![name]!(...args), kit: add };
  },
};
`;

export const ASSIGNMENT = `import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { defineAssignment, expectTensor } from "gradmark";
import { tensorArb } from "gradmark/checks";
import { add, type Tensor } from "gradmark/tensor";
import { referenceAdd } from "./reference/add.ts";

type Pair = [Tensor, Tensor];
const pairs = fc.tuple(tensorArb({ shape: [2, 2] }), tensorArb({ shape: [2, 2] }));
const check = (id: string, expected: (a: Tensor, b: Tensor) => Tensor) => ({
  id,
  title: id,
  points: 5,
  cases: pairs,
  driver: "call",
  payload: ([a, b]: Pair) => ({ name: "add", args: [a, b] }),
  judge: ([a, b]: Pair, result: unknown, ctx: { tolerance: never }) =>
    expectTensor((result as { out: unknown }).out, expected(a, b), {
      name: "add(a, b)",
      tolerance: ctx.tolerance,
    }),
});

export default defineAssignment({
  id: "offsets",
  title: "Offsets",
  seed: 11,
  modules: ["ops"],
  drivers: fileURLToPath(new URL("./drivers.ts", import.meta.url)),
  defaults: { runs: 3 },
  problems: [
    {
      id: "1",
      title: "Addition",
      module: "ops",
      checks: [check("1.reference", referenceAdd), check("1.kit", add)],
    },
  ],
});
`;

/** Writes the assignment with a given OFFSET into `dir`. */
export function writeAssignment(dir: string, offset: number): string {
  mkdirSync(join(dir, "reference"), { recursive: true });
  writeFileSync(join(dir, "reference", "add.ts"), reference(offset));
  writeFileSync(join(dir, "drivers.ts"), DRIVERS);
  writeFileSync(join(dir, "hw.ts"), ASSIGNMENT);
  return join(dir, "hw.ts");
}
