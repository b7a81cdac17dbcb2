import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { packagePath } from "../common/packagePath.js";
import { type WatchHandle, type WatchRun, watchSubmission } from "./watchSubmission.js";

const dir = mkdtempSync(join(tmpdir(), "gradmark-watch-e2e-"));
let handle: WatchHandle | null = null;
afterAll(async () => {
  await handle?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Problems whose checks ran in a run (the others are reported skipped). */
const graded = (run: WatchRun) =>
  run.result!.problems.filter((p) => p.checks.some((c) => c.status !== "skipped")).map((p) => p.id);

it("re-grades what a save changes: a bug, a syntax error, the fix, an imported module", async () => {
  // A student's repository holding the staff solution in src/.
  const solution = packagePath("reference/solution");
  mkdirSync(join(dir, "src"));
  for (const file of readdirSync(solution)) {
    if (file.endsWith(".test.ts")) continue;
    writeFileSync(join(dir, "src", file), readFileSync(join(solution, file)));
  }
  const layers = join(dir, "src", "layers.ts");
  const original = readFileSync(layers, "utf8");

  const waiting: ((run: WatchRun) => void)[] = [];
  const nextRun = () => new Promise<WatchRun>((resolve) => waiting.push(resolve));
  const save = async (file: string, text: string) => {
    const next = nextRun();
    writeFileSync(join(dir, "src", file), text);
    return next;
  };
  let out = "";
  const first = nextRun();
  handle = await watchSubmission({
    dir,
    io: {
      stdout: (text) => {
        out += text;
      },
      isTTY: false,
      env: { NO_COLOR: "1" },
    },
    onRun: (run) => waiting.shift()?.(run),
  });
  const start = await first;
  expect(start.problems).toEqual(["1", "2", "3", "4", "5", "6"]);
  expect(start.result!.score).toBe(100);
  expect(start.result!.mode).toBe("check");
  expect(start.screen).toContain(`seed ${handle.seed} (the same cases for the whole session)`);

  // A bug in Sigmoid.backward: only problem 3 is graded again (training imports layers.ts for a
  // type only), with the session's seed.
  const broken = original.replace(
    "return mul(downstreamGrad, mul(s, sub(1, s)));",
    "return mul(downstreamGrad, s);",
  );
  expect(broken).not.toBe(original);
  let run = await save("layers.ts", broken);
  expect(run.problems).toEqual(["3"]);
  expect(graded(run)).toEqual(["3"]);
  expect(run.seed).toBe(start.seed);
  expect(run.screen).toMatch(/✘ failed: 3\.Sigmoid\.backward/);
  expect(run.screen).toContain(`replay: npx gradmark check --seed ${start.seed} --only 3.Sigmoid`);
  expect(run.screen).toMatch(/✔ 1 +Contractions/);
  // The verdict is on screen before the failing case is shrunk: a screen saying so came first,
  // and the final one replays the smallest case by its path.
  expect(run.verdictMs).toBeLessThan(run.durationMs);
  expect(out).toMatch(
    /DONE +graded problem 3, .* · shrinking (the failing case|\d failing cases)$/m,
  );
  expect(run.screen).toMatch(/--only 3\.Sigmoid\.backward --path \S+/);
  expect(run.screen).not.toMatch(/· shrinking/);

  // Half-way through an edit: the compiler's message, once, and no other problem graded.
  run = await save("layers.ts", original.replace("export class Linear", "export class Linear {{"));
  expect(run.problems).toEqual(["3"]);
  expect(run.screen).toMatch(
    /✘ 3 .*: src\/layers could not be loaded:\n {4}src\/layers\.ts:\d+:\d+: /,
  );
  expect(run.screen).toContain("does not load");

  // The fix.
  run = await save("layers.ts", original);
  expect(run.problems).toEqual(["3"]);
  expect(run.result!.problems.find((p) => p.id === "3")!.score).toBe(30);
  expect(run.screen).toMatch(/✔ 3 +Layers .* 30\/30 +32 passed +← just graded/);
  expect(run.screen).toMatch(/Total .* 100\/100/);

  // contractions.ts: its problem, and those that load it (autograd imports it, einsum autograd).
  const contractions = readFileSync(join(dir, "src", "contractions.ts"), "utf8");
  run = await save("contractions.ts", `${contractions}\n// a comment\n`);
  expect(run.problems).toEqual(["1", "4", "5"]);
  expect(graded(run)).toEqual(["1", "4", "5"]);

  expect(await handle.close()).toBe(0);
  expect(out).not.toContain("\u001b[");
  // About 4 s alone (one whole grading, four of one to three problems); more on a loaded machine.
}, 60_000);
