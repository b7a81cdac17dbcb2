import { describe, expect, it } from "vitest";
import { parseRoster } from "./readRoster.js";

describe("parseRoster", () => {
  it("maps folders to students, with common column names and any column order", () => {
    const roster = parseRoster(
      'Name,Student_ID,GitHub_Username\n"Lovelace, Ada",s1,ada\nAlan,s2,alan\n',
      "r.csv",
    );
    expect(roster.get("ada")).toEqual({ id: "s1", name: "Lovelace, Ada" });
    expect(roster.get("alan")).toEqual({ id: "s2", name: "Alan" });
  });

  it("leaves the name empty without a name column", () => {
    expect(parseRoster("folder,id\nbob,7\n", "r.csv").get("bob")).toEqual({ id: "7", name: "" });
  });

  it.each([
    ["", "roster r.csv is empty"],
    ["name,id\nx,1\n", 'roster r.csv has no folder column (its header is "name,id"'],
    ["folder,name\nx,y\n", "has no id column"],
    ["folder,id\nx,1\nx,2\n", 'roster r.csv line 3: folder "x" is already on line 2'],
    ["folder,id\n,1\n", "line 2: the folder column is empty"],
    ["folder,id\nx,\n", "line 2: the id column is empty"],
    ['folder,id\nx,"1\n', "line 2: a quoted field is never closed"],
  ])("rejects %j", (text, message) => {
    expect(() => parseRoster(text, "r.csv")).toThrow(message);
  });
});
