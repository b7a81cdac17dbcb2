import { describe, expect, it } from "vitest";
import { batchExitCode } from "./batchExitCode.js";

describe("batchExitCode", () => {
  it("is 3 for an unstable regrade (whatever else), 1 when some could not be graded, else 0", () => {
    expect(batchExitCode({ ungraded: false, unstable: false })).toBe(0);
    expect(batchExitCode({ ungraded: true, unstable: false })).toBe(1);
    expect(batchExitCode({ ungraded: false, unstable: true })).toBe(3);
    expect(batchExitCode({ ungraded: true, unstable: true })).toBe(3);
  });
});
