// The helper checks catch a planted mistake.
import { describe, it } from "vitest";
import * as solution from "../../../../../reference/solution/autograd";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { autogradProblem } from "../autograd.js";

const { failsEverySeed, planted } = problemHarness(autogradProblem, "autograd", solution);

describe("problem 4: planted mistakes fail the intended check", () => {
  it("sub(a, b) that adds fails 4.helpers.sub", () => {
    const sub = (a: solution.Variable, b: solution.Variable) => solution.add(a, b);
    failsEverySeed("4.helpers.sub", planted({ sub }));
  });
});
