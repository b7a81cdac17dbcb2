import { describe, expect, it } from "vitest";
import { ProtocolError, parseChildMessage } from "./validate.js";

describe("parseChildMessage: what the child says of its drivers", () => {
  it("takes the names of the drivers, sent before ready", () => {
    expect(parseChildMessage({ type: "drivers", names: ["call", "layers.layer"] })).toEqual({
      type: "drivers",
      names: ["call", "layers.layer"],
    });
  });

  it("takes a drivers module that failed to load, as its own kind of message", () => {
    const message = { type: "drivers-error", name: "Error", message: "boom", stack: "at x" };
    expect(parseChildMessage(message)).toEqual(message);
  });

  it.each([
    ["no names", { type: "drivers" }, "a drivers message without the names of its drivers"],
    [
      "a name that is not text",
      { type: "drivers", names: ["a", 1] },
      "a drivers message without the names of its drivers",
    ],
    [
      "names that are not a list",
      { type: "drivers", names: "call" },
      "a drivers message without the names of its drivers",
    ],
    [
      "a drivers-error without a stack",
      { type: "drivers-error", name: "Error", message: "boom" },
      "a drivers-error message has no text stack",
    ],
    [
      "a drivers-error with a message too long",
      { type: "drivers-error", name: "Error", message: "x".repeat(200_000), stack: "" },
      "a drivers-error message has no text message",
    ],
  ])("refuses %s", (_, message, reason) => {
    expect(() => parseChildMessage(message)).toThrow(ProtocolError);
    expect(() => parseChildMessage(message)).toThrow(reason);
  });
});
