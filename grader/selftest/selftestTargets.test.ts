import { describe, expect, it } from "vitest";
import { selftestTargets } from "./selftestTargets.js";

describe("selftestTargets", () => {
  it("grades the solution and the starter from the checkout", () => {
    const [solution, starter] = selftestTargets();
    expect(solution!.dir).toMatch(/reference[/\\]solution$/);
    expect(solution!.srcDir).toBe(solution!.dir);
    expect(starter!.dir).toMatch(/fixtures[/\\]starter$/);
    expect(starter!.srcDir).toBeUndefined();
  });
});
