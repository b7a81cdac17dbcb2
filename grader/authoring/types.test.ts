import { describe, expectTypeOf, it } from "vitest";
import type { Driver as ChildDriver } from "../sandbox/child/driver.js";
import type { Driver } from "./types.js";

describe("Driver", () => {
  it("is the very type the child runs drivers as (declared apart: the child imports no grader code)", () => {
    expectTypeOf<Driver>().toEqualTypeOf<ChildDriver>();
  });
});
