import { describe, expect, it } from "vitest";
import { ProgramsByShape } from "./ProgramsByShape.js";

const op = (...shape: number[]) => ({ shape });

describe("ProgramsByShape", () => {
  it("finds a program by equal shapes, not by the same arrays", () => {
    const programs = new ProgramsByShape<string>(4);
    programs.add([[2, 3], [3]], "a");
    programs.add([[]], "b");
    expect(programs.find([op(2, 3), op(3)])).toBe("a");
    expect(programs.find([op()])).toBe("b");
    expect(programs.find([op(2, 3)])).toBeUndefined(); // fewer operands
    expect(programs.find([op(2, 3), op(3), op(3)])).toBeUndefined(); // more operands
    expect(programs.find([op(3, 2), op(3)])).toBeUndefined(); // other sides
    expect(programs.find([op(2, 3, 1), op(3)])).toBeUndefined(); // other rank
    expect(programs.find([op(2), op(3)])).toBeUndefined();
  });

  it("keeps at most its capacity, forgetting the least recently used", () => {
    const programs = new ProgramsByShape<string>(2);
    programs.add([[1]], "one");
    programs.add([[2]], "two");
    expect(programs.find([op(1)])).toBe("one"); // "two" is now the least recently used
    programs.add([[3]], "three");
    expect(programs.find([op(2)])).toBeUndefined();
    expect(programs.find([op(1)])).toBe("one");
    expect(programs.find([op(3)])).toBe("three");
  });
});
