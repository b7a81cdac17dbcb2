import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { runSelftestCommand } from "../../grader/cli/commands/selftest.js";
import { fakeIO } from "../../testing/cliFakes.js";

// The example's own selftest: the staff solution gets full marks, the starter is all not
// implemented, and every sample comes out as its expected.json says. It grades a copy outside
// the checkout, as a course's folder is: inside it, the assignment's other files would be
// loaded by vitest, whose "gradmark" is the built dist/ (another Tensor class), not the sources.
const root = mkdtempSync(join(tmpdir(), "gradmark-normalization-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("selftest --assignment agrees on every target of the normalization example", async () => {
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const folder of ["assignment", "solution", "starter", "samples"])
    cpSync(join(here, folder), join(root, folder), { recursive: true });
  const io = fakeIO();
  io.cwd = root;
  const code = await runSelftestCommand(
    {
      assignment: "assignment/hw.ts",
      solution: "solution",
      starter: "starter",
      samples: "samples",
      jobs: 2,
    },
    io,
  );
  expect(io.out).toMatch(/^staff solution .* yes$/m);
  expect(io.out).toMatch(/^starter .* yes$/m);
  expect(io.out).toMatch(/^correct-explicit-loops .* yes$/m);
  expect(io.out).toMatch(/selftest: all 9 targets agree/);
  expect(code, io.out + io.err).toBe(0);
}, 120_000);
