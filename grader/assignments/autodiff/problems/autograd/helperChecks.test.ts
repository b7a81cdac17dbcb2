// The helper checks catch a planted mistake.
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/autograd";
import { type InProcessRun, runCheckInProcess } from "../../../../../testing/runCheckInProcess.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import { drivers } from "../../drivers.js";
import { autogradProblem } from "../autograd.js";

type Module = Record<string, unknown>;

function check(id: string): CheckDefinition {
  const found = autogradProblem.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

function run(id: string, autograd: Module, seed = 1): InProcessRun {
  return runCheckInProcess(check(id), drivers, { autograd }, { seed });
}

/** The planted bug fails `id` on every one of the seeds; returns the first failure's message. */
function failsEverySeed(
  id: string,
  autograd: Module,
  seeds = 5,
  statuses: readonly string[] = ["failed"],
): string {
  let message = "";
  for (let seed = 1; seed <= seeds; seed++) {
    const result = run(id, autograd, seed);
    // "failed" unless said otherwise: a driver crash or a timeout is not the planted bug caught.
    expect(statuses, `${id}, seed ${seed}: ${result.status}: ${result.message}`).toContain(
      result.status,
    );
    if (!message && result.status === "failed") message = result.message;
  }
  return message;
}

const planted = (replacements: Module): Module => ({ ...solution, ...replacements });

describe("problem 4: planted mistakes fail the intended check", () => {
  it("sub(a, b) that adds fails 4.helpers.sub", () => {
    const sub = (a: solution.Variable, b: solution.Variable) => solution.add(a, b);
    failsEverySeed("4.helpers.sub", planted({ sub }));
  });
});
