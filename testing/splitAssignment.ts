import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DRIVERS } from "./offsetsAssignment.js";

// An assignment with one visible check and one hidden check, the hidden one in checks.hidden.ts
// (with a secret that must never reach a students' copy) or inline (which a students' copy
// must refuse).
const CHECK = `import fc from "fast-check";
import { expectTensor } from "gradmark";
import { tensorArb } from "gradmark/checks";
import type { Tensor } from "gradmark/tensor";

type Pair = [Tensor, Tensor];
export const check = (id: string, title: string, expected: (a: Tensor, b: Tensor) => Tensor, hidden = false) => ({
  id,
  title,
  points: 5,
  hidden,
  cases: fc.tuple(tensorArb({ shape: [2] }), tensorArb({ shape: [2] })),
  driver: "call",
  payload: ([a, b]: Pair) => ({ name: "add", args: [a, b] }),
  judge: ([a, b]: Pair, result: unknown, ctx: { tolerance: never }) =>
    expectTensor((result as { out: unknown }).out, expected(a, b), { name: title, tolerance: ctx.tolerance }),
});
`;

/** An assignment whose hidden check lives in `hiddenIn` ("module": checks.hidden.ts; "inline"). */
export function writeSplitAssignment(
  dir: string,
  hiddenIn: "module" | "inline",
  points?: number,
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "drivers.ts"), DRIVERS);
  writeFileSync(join(dir, "check.ts"), CHECK);
  writeFileSync(
    join(dir, "checks.hidden.ts"),
    `import { add } from "gradmark/tensor";\nimport { check } from "./check.ts";\nconst SECRET = "SECRET-CASE-42";\nexport const hiddenChecks = [check("1.add.hidden", SECRET, (a, b) => add(a, b), true)];\n`,
  );
  const hidden =
    hiddenIn === "module"
      ? 'import { hiddenChecks } from "./checks.hidden.ts";'
      : 'const hiddenChecks = [check("1.add.inline", "inline hidden", add, true)];';
  writeFileSync(
    join(dir, "hw.ts"),
    `import { fileURLToPath } from "node:url";
import { defineAssignment } from "gradmark";
import { add } from "gradmark/tensor";
import { check } from "./check.ts";
${hidden}

export default defineAssignment({
  id: "split",
  title: "Split",
  seed: 3,
  modules: ["ops"],
  drivers: fileURLToPath(new URL("./drivers.ts", import.meta.url)),
  defaults: { runs: 3 },
  problems: [
    { id: "1", title: "Addition", module: "ops",${points === undefined ? "" : ` points: ${points},`} checks: [check("1.add", "add(a, b)", add), ...hiddenChecks] },
  ],
});
`,
  );
  return join(dir, "hw.ts");
}
