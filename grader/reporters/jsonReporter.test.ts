import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sampleResult } from "../../testing/sampleResult.js";
import { SCHEMA_VERSION } from "../model/results.js";
import { jsonReporter } from "./jsonReporter.js";

const options = { color: true, command: "npx gradmark check" };

/** Every field path in a JSON value, arrays written as `[]`: "problems[].checks[].id". */
function fieldPaths(value: unknown, prefix = ""): Set<string> {
  const paths = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const path of fieldPaths(item, `${prefix}[]`)) paths.add(path);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      paths.add(path);
      for (const inner of fieldPaths(child, path)) paths.add(inner);
    }
  }
  return paths;
}

describe("jsonReporter", () => {
  it("round-trips the result exactly", () => {
    const result = sampleResult();
    expect(JSON.parse(jsonReporter.render(result, options))).toEqual(result);
  });

  it("is 2-space indented, ends with a newline and never coloured", () => {
    const text = jsonReporter.render(sampleResult(), options);
    expect(text.startsWith('{\n  "schemaVersion": 1,\n  "graderVersion": "0.1.0",')).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).not.toContain("\u001b");
  });

  it("has every documented field, in the documented order", () => {
    const json = JSON.parse(jsonReporter.render(sampleResult(), options));
    expect(Object.keys(json)).toEqual([
      "schemaVersion",
      "graderVersion",
      "assignment",
      "seed",
      "mode",
      "score",
      "maxScore",
      "problems",
      "output",
      "hiddenSkipped",
      "durationMs",
    ]);
    expect(json.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Object.keys(json.problems[0])).toEqual([
      "id",
      "title",
      "module",
      "score",
      "maxScore",
      "checks",
    ]);
    expect(Object.keys(json.problems[0].checks[1])).toEqual([
      "id",
      "title",
      "status",
      "score",
      "maxScore",
      "hidden",
      "message",
      "counterexample",
      "replay",
      "runs",
      "durationMs",
    ]);
    expect(json.problems[0].checks[1].replay).toEqual({
      seed: 1234567,
      only: "1.batchedMatmul.values",
      path: "0:1:0",
    });
  });

  it("leaves out fields that are not in the schema", () => {
    const result = sampleResult() as unknown as Record<string, unknown>;
    result.secret = "x";
    expect(jsonReporter.render(result as never, options)).not.toContain("secret");
  });

  it("is documented field by field in the README, whose example is valid", () => {
    const readme = readFileSync(fileURLToPath(new URL("./README.md", import.meta.url)), "utf8");
    for (const path of fieldPaths(JSON.parse(jsonReporter.render(sampleResult(), options)))) {
      const cell = new RegExp(`\\| \`${path.replace(/[.[\]]/g, "\\$&")}\` +\\|`);
      expect(readme, `README documents ${path}`).toMatch(cell);
    }
    const example = /```json\n([\s\S]*?)```/.exec(readme)![1]!;
    const parsed = JSON.parse(example);
    expect(fieldPaths(parsed)).toEqual(
      fieldPaths(JSON.parse(jsonReporter.render(sampleResult(), options))),
    );
    expect(jsonReporter.render(parsed, options)).toBe(example);
  });
});
