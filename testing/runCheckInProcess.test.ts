import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drivers } from "../grader/assignments/autodiff/drivers.js";
import { layersProblem } from "../grader/assignments/autodiff/problems/layers.js";
import { PASS } from "../grader/authoring/judge.js";
import type { CheckDefinition } from "../grader/authoring/types.js";
import { AssignmentError } from "../grader/common/AssignmentError.js";
import * as solution from "../reference/solution/layers";
import { mul, type Tensor, tensor } from "../reference/tensor/index.js";
import { runCheckInProcess } from "./runCheckInProcess.js";

const linearForward = layersProblem.checks.find((c) => c.id === "3.Linear.forward")!;

/** A check of the driver "call" that accepts anything its judge is shown. */
const lenient: CheckDefinition<number> = {
  id: "0.lenient",
  title: "any result",
  points: 1,
  cases: fc.integer({ min: 1, max: 3 }),
  driver: "call",
  payload: (n) => ({ n }),
  judge: () => PASS,
};
const calling = (result: () => unknown) => ({ call: () => result() });

describe("runCheckInProcess judges through the grader's own code", () => {
  it("passes the staff solution and fails a planted mistake with the grader's hint", () => {
    expect(runCheckInProcess(linearForward, drivers, { layers: solution }).status).toBe("passed");
    class Linear extends solution.Linear {
      override forward(x: Tensor): Tensor {
        return mul(super.forward(x), -1);
      }
    }
    const wrong = runCheckInProcess(linearForward, drivers, { layers: { ...solution, Linear } });
    expect(wrong.status).toBe("failed");
    expect(wrong.message).toMatch(/sign/);
  });

  it("fails a non-finite result whatever the judge says (the grader's non-finite guard)", () => {
    const run = runCheckInProcess(
      lenient,
      calling(() => tensor([1, Number.NaN])),
      {},
    );
    expect(run.status).toBe("failed");
    expect(run.message).toMatch(/NaN/);
  });

  it("reports not implemented and a missing module as the child would", () => {
    const stub = runCheckInProcess(
      lenient,
      calling(() => {
        throw new Error("not implemented");
      }),
      {},
    );
    expect(stub.status).toBe("not-implemented");
    const missing = runCheckInProcess(linearForward, drivers, {});
    expect(missing.status).toBe("error");
    expect(missing.message).toMatch(/src\/layers is missing/);
  });

  it("charges a judge that throws to the assignment, naming the check", () => {
    const throwing = {
      ...lenient,
      judge: () => {
        throw new Error("staff bug");
      },
    };
    expect(() =>
      runCheckInProcess(
        throwing,
        calling(() => 1),
        {},
      ),
    ).toThrow(AssignmentError);
    expect(() =>
      runCheckInProcess(
        throwing,
        calling(() => 1),
        {},
      ),
    ).toThrow(/0\.lenient.*staff bug/);
  });
});
