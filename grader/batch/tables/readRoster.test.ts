import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  canvasDownloadId,
  parseRoster,
  parseRosterFile,
  readRoster,
  resolveRoster,
  unlinkedFolder,
} from "./readRoster.js";

/** Folder -> [id, name], to compare a resolved roster at a glance. */
function resolved(text: string, folders: string[]): Record<string, [string, string]> {
  const roster = resolveRoster(parseRosterFile(text, "r.csv"), folders);
  return Object.fromEntries([...roster].map(([folder, e]) => [folder, [e.id, e.name]]));
}

describe("parseRoster (gradmark's own roster)", () => {
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

  it("takes a username column as the id when there is a folder column of its own", () => {
    const roster = parseRoster("folder,github_username,name\nhw1-ada,ada,Ada\n", "r.csv");
    expect(roster.get("hw1-ada")).toEqual({ id: "ada", name: "Ada" });
    expect(parseRosterFile("folder,github_username\nx,y\n", "r.csv").format).toBe("gradmark");
  });

  it("matches folders exactly, as before", () => {
    expect(resolved("folder,id\nbob,7\n", ["Bob", "hw1-bob"])).toEqual({ bob: ["7", ""] });
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

describe("malformed roster lines: the file and the line, as a usage error", () => {
  it.each([
    [
      "folder,id,name\nada,1,Lovelace, Ada\n",
      "roster r.csv line 2: 4 field(s) where the header has 3",
    ],
    ["folder,id,name\nada,1\n", "roster r.csv line 2: 2 field(s) where the header has 3"],
    ["folder,id,name\n\nada,1,Ada\n\nbob,2\n", "roster r.csv line 5: 2 field(s)"],
    ['folder,id,name\nada,1,"Ada\nLovelace"\nbob,2\n', "roster r.csv line 4: 2 field(s)"],
    [
      'folder,id,name\nada,1,Ada\nbob,2,"Bob\n',
      "roster r.csv line 3: a quoted field is never closed",
    ],
    ['folder,id,name\nada,1,"Lovelace" Ada\n', "roster r.csv line 2: text after the closing quote"],
    ["identifier,github_username,github_id,name\na,alice,1\n", "roster r.csv line 2: 3 field(s)"],
    ["Student,ID,SIS User ID,SIS Login ID,Section\nPoints Possible,,,,,10\n", "line 2: 6 field(s)"],
  ])("%j", (text, message) => {
    let thrown: unknown;
    try {
      parseRosterFile(text, "r.csv");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe("UsageError");
    expect((thrown as Error).message).toContain(message);
  });

  it("names the roster file as given", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradmark-roster-"));
    try {
      const file = join(dir, "classroom_roster.csv");
      writeFileSync(file, "identifier,github_username,github_id,name\na@x.edu,alice,1,A,extra\n");
      expect(() => readRoster(file)).toThrow(`roster ${file} line 2: 5 field(s)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GitHub Classroom's roster export", () => {
  const classroom = [
    "identifier,github_username,github_id,name",
    "alice@uni.edu,alice,101,Alice A",
    "s-bob,Bob,102,Bob B",
    "carol@uni.edu,carol,103,Carol C",
    "dave@uni.edu,,,Dave D",
    "",
  ].join("\n");

  it("matches hw1-alice and bob; a student with no folder is missing, so is one with no username", () => {
    expect(parseRosterFile(classroom, "r.csv").format).toBe("github-classroom");
    expect(resolved(classroom, ["bob", "hw1-alice", "hw1-zed"])).toEqual({
      "hw1-alice": ["alice@uni.edu", "Alice A"],
      bob: ["s-bob", "Bob B"],
      carol: ["carol@uni.edu", "Carol C"],
      [unlinkedFolder("dave@uni.edu")]: ["dave@uni.edu", "Dave D"],
    });
  });

  it("ignores case (GitHub usernames are case-insensitive) and prefers the longest username", () => {
    const text = "identifier,github_username,github_id,name\nb,bob,1,\njb,Jim-Bob,2,\n";
    expect(resolved(text, ["HW1-BOB", "hw1-jim-bob"])).toEqual({
      "HW1-BOB": ["b", ""],
      "hw1-jim-bob": ["jb", ""],
    });
  });

  it("refuses two submissions of one student, and a username listed twice", () => {
    expect(() => resolved(classroom, ["alice", "hw1-alice"])).toThrow(
      'roster r.csv line 2: both alice and hw1-alice are the submission of github_username "alice"; keep one of them',
    );
    expect(() =>
      parseRosterFile("identifier,github_username,github_id,name\na,ann,1,\nb,ANN,2,\n", "r.csv"),
    ).toThrow('roster r.csv line 3: github_username "ANN" is already on line 2');
  });
});

describe("Canvas's gradebook export", () => {
  const canvas = [
    "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (4411),Current Score",
    "    Points Possible,,,,,100,(read only)",
    ",,,,,Manual Posting,",
    '"Lovelace, Ada",5001,U001,alovelace,CS 101 A,90,90',
    '"Turing, Alan",5002,,aturing,CS 101 A,,',
    '"Hopper, Grace",5003,U003,ghopper,CS 101 B,,',
    '"Student, Test",9999,,test,CS 101 A,,',
    "",
  ].join("\n");

  it("skips the points row, rows without a student and the Test Student; keeps every column", () => {
    const file = parseRosterFile(canvas, "r.csv");
    expect(file.format).toBe("canvas");
    expect(file.students.map((s) => s.entry.name)).toEqual([
      "Lovelace, Ada",
      "Turing, Alan",
      "Hopper, Grace",
    ]);
    expect(file.students[0]!.entry).toEqual({
      id: "U001",
      name: "Lovelace, Ada",
      canvas: {
        student: "Lovelace, Ada",
        id: "5001",
        sisUserId: "U001",
        sisLoginId: "alovelace",
        section: "CS 101 A",
      },
    });
    // No SIS User ID: the Canvas ID is the id.
    expect(file.students[1]!.entry.id).toBe("5002");
  });

  it("matches a folder named after the SIS Login ID or the ID, or a Canvas download", () => {
    const roster = resolveRoster(parseRosterFile(canvas, "r.csv"), [
      "ALovelace",
      "turingalan_LATE_5002_88123_hw1",
    ]);
    expect([...roster.keys()]).toEqual(["ALovelace", "turingalan_LATE_5002_88123_hw1", "ghopper"]);
    expect(roster.get("ghopper")!.canvas!.id).toBe("5003");
    expect(resolved(canvas, ["5003", "lovelaceada_5001_77001_autodiff-hw"])).toMatchObject({
      "5003": ["U003", "Hopper, Grace"],
      "lovelaceada_5001_77001_autodiff-hw": ["U001", "Lovelace, Ada"],
    });
  });

  it("reads a TA's export without SIS columns", () => {
    const text = 'Student,ID,Section,HW1\n"Lovelace, Ada",5001,A,\n';
    expect(resolved(text, ["x_5001_1_hw.zip"])).toEqual({
      "x_5001_1_hw.zip": ["5001", "Lovelace, Ada"],
    });
  });

  it("refuses a student listed twice, by ID or by SIS Login ID", () => {
    const header = "Student,ID,SIS User ID,SIS Login ID,Section\n";
    expect(() => parseRosterFile(`${header}A,1,,a,S\nB,1,,b,S\n`, "r.csv")).toThrow(
      'roster r.csv line 3: ID "1" is already on line 2',
    );
    expect(() => parseRosterFile(`${header}A,1,,a,S\nB,2,,A,S\n`, "r.csv")).toThrow(
      'roster r.csv line 3: ID "2": "a" is already on line 2',
    );
  });

  it("refuses a student without an ID", () => {
    expect(() => parseRosterFile('Student,ID,Section\n"Lovelace, Ada",,A\n', "r.csv")).toThrow(
      "roster r.csv line 2: the ID column is empty",
    );
  });

  it("reads the user ID of Canvas download names only", () => {
    expect(canvasDownloadId("lovelaceada_5001_77001_hw1")).toBe("5001");
    expect(canvasDownloadId("lovelaceada_late_5001_77001_my_hw")).toBe("5001");
    expect(canvasDownloadId("lovelace_ada")).toBeNull();
    expect(canvasDownloadId("a_5001_hw1")).toBeNull();
    expect(canvasDownloadId("a_5001_1")).toBeNull();
  });
});

describe("Gradescope's roster export", () => {
  const gradescope = [
    "First Name,Last Name,SID,Email,Role,Sections",
    "Ada,Lovelace,001,Ada@uni.edu,Student,A",
    "Alan,Turing,,alan@uni.edu,Student,A",
    "Grace,Hopper,003,grace@uni.edu,Student,",
    "Gus,Grader,,gus@uni.edu,TA,",
    "Ann,One,004,ann@one.edu,Student,",
    "Ann,Two,005,ann@two.edu,Student,",
    "",
  ].join("\n");

  it("matches the Email or the part before the @ (when unique), in any case; staff are left out", () => {
    expect(parseRosterFile(gradescope, "r.csv").format).toBe("gradescope");
    expect(resolved(gradescope, ["ada", "ALAN@uni.edu", "ann", "ann@two.edu"])).toEqual({
      ada: ["001", "Ada Lovelace"],
      "ALAN@uni.edu": ["alan@uni.edu", "Alan Turing"],
      grace: ["003", "Grace Hopper"],
      "ann@one.edu": ["004", "Ann One"],
      "ann@two.edu": ["005", "Ann Two"],
    });
  });

  it("reads a full-name column, and refuses a student without an email", () => {
    expect(resolved("Name,SID,Email,Role\nAda L,1,ada@x.edu,Student\n", [])).toEqual({
      ada: ["1", "Ada L"],
    });
    expect(() => parseRosterFile("Name,SID,Email\nAda,1,\n", "r.csv")).toThrow(
      "roster r.csv line 2: the Email column is empty",
    );
  });
});
