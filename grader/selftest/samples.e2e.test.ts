import { describe, expect, it } from "vitest";
import { fakeIO } from "../../testing/cliFakes.js";
import { runSelftestCommand } from "../cli/commands/selftest.js";

// `gradmark selftest` over the staff solution, the starter and every sample submission in
// fixtures/submissions (correct variants, planted mistakes, partial, broken and hostile ones),
// under the assignment's seed: every outcome must agree with the sample's expected.json.
describe("sample submissions", () => {
  it("all agree with their expected.json", async () => {
    const io = fakeIO();
    const code = await runSelftestCommand({ jobs: 2 }, io);
    expect(io.out, io.out).toMatch(/selftest: all \d+ targets agree/);
    expect(code).toBe(0);
  }, 600_000);
});
