import { describe, expect, it } from "vitest";
import { decideColor } from "./io.js";

describe("decideColor", () => {
  it("follows the terminal by default", () => {
    expect(decideColor({}, true)).toBe(true);
    expect(decideColor({}, false)).toBe(false);
  });

  it("turns colours off for any NO_COLOR value", () => {
    for (const value of ["1", "0", "false", "yes"]) {
      expect(decideColor({ NO_COLOR: value }, true)).toBe(false);
    }
    // no-color.org: an empty NO_COLOR does not count.
    expect(decideColor({ NO_COLOR: "" }, true)).toBe(true);
  });

  it("lets FORCE_COLOR win, and FORCE_COLOR=0 or false force them off", () => {
    expect(decideColor({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(decideColor({ FORCE_COLOR: "" }, false)).toBe(true);
    expect(decideColor({ FORCE_COLOR: "3", NO_COLOR: "1" }, false)).toBe(true);
    expect(decideColor({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(decideColor({ FORCE_COLOR: "false" }, true)).toBe(false);
  });
});
