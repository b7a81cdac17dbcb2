import { describe, expect, it } from "vitest";
import { UsageError } from "../common/UsageError.js";
import { getReporter, reporters } from "./index.js";

describe("reporter registry", () => {
  it("knows terminal and json by their names", () => {
    expect(getReporter("terminal")).toBe(reporters.terminal);
    expect(getReporter("json")).toBe(reporters.json);
    for (const [name, reporter] of Object.entries(reporters)) expect(reporter.name).toBe(name);
  });

  it("rejects an unknown format with a usage error listing the known ones", () => {
    expect(() => getReporter("xml")).toThrow(UsageError);
    expect(() => getReporter("xml")).toThrow('unknown format "xml"; known formats: terminal, json');
    expect(() => getReporter("toString")).toThrow(UsageError);
  });
});
