import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CsvError,
  formatCsvRow,
  parseCsv,
  parseCsvRecords,
  spreadsheetSafe,
  stripControlCharacters,
  untrustedText,
} from "./csv.js";

describe("csv", () => {
  it("parses what it formats, whatever the fields hold (control characters aside)", () => {
    const unit = fc.constantFrom(
      ...["a", "1", ".", ",", ";", '"', "\n", "\r\n", "\r", "\t", " ", "é", "'"],
      ...["=", "+", "-", "@", "\u0000", "\u0007", "\u001b", "\u007f"],
    );
    const field = fc.string({ unit });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          const text = rows.map(formatCsvRow).join("\n");
          const read = parseCsv(text).map((cells) => cells.map(untrustedText));
          expect(read).toEqual(rows.map((cells) => cells.map(stripControlCharacters)));
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });

  it("reads CRLF line ends, a byte-order mark and a missing final newline", () => {
    expect(parseCsv('\ufeffa,b\r\n1,"x, y"\r\n2,z')).toEqual([
      ["a", "b"],
      ["1", "x, y"],
      ["2", "z"],
    ]);
  });

  it("names the line of a quote that is never closed", () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow("line 2: a quoted field is never closed");
  });

  it("gives each record the line it starts on, past blank lines and quoted line breaks", () => {
    expect(parseCsvRecords('a,b\n\n1,"x\ny"\r\n\r\n2,"p\r\nq\rr"\n3,z')).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 3, cells: ["1", "x\ny"] },
      { line: 6, cells: ["2", "p\r\nq\rr"] },
      { line: 9, cells: ["3", "z"] },
    ]);
    expect(parseCsvRecords('"",x\n""\n')).toEqual([{ line: 1, cells: ["", "x"] }]);
  });

  it("refuses text after a field's closing quote, naming the line", () => {
    expect(() => parseCsv('a,b\n1,"Lovelace" Ada\n')).toThrow(
      "line 2: text after the closing quote of a field",
    );
    expect(() => parseCsv('a\n"x"y')).toThrow(CsvError);
    expect(parseCsv('"a","b"\n"c",d')).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("puts an apostrophe before any cell a spreadsheet would run as a formula", () => {
    expect(formatCsvRow(["=HYPERLINK(1)", "+A1", "-cmd|' /C calc'!A0", "@SUM(A1)"])).toBe(
      "'=HYPERLINK(1),'+A1,'-cmd|' /C calc'!A0,'@SUM(A1)",
    );
    expect(formatCsvRow(["\t=1", "\r=1", "'quoted", "alice", "a=b"])).toBe(
      `"'\t=1","'\r=1",''quoted,alice,a=b`,
    );
  });

  it("keeps plain numbers as numbers: scores, negative ones included, get no apostrophe", () => {
    expect(formatCsvRow([-1.5, "-1.5", 0, "-0", 2.25, "+3", "1e-7", -1e-7, ".5"])).toBe(
      "-1.5,-1.5,0,-0,2.25,+3,1e-7,-1e-7,.5",
    );
    expect(formatCsvRow(["-1.5.2", "-1,5", "- 1", "-1e", "--1", "+-1"])).toBe(
      `'-1.5.2,"'-1,5",'- 1,'-1e,'--1,'+-1`,
    );
  });

  it("quotes cells holding a comma, a semicolon, a quote, a tab or a line break", () => {
    expect(
      formatCsvRow(["a;b", 'say "hi"', "x,y", "one\ntwo", "one\r\ntwo", "t\tab", "plain"]),
    ).toBe(`"a;b","say ""hi""","x,y","one\ntwo","one\r\ntwo","t\tab",plain`);
  });

  it("strips the other control characters, before deciding on the apostrophe", () => {
    expect(formatCsvRow(["a\u0000b\u0007c\u001bd\u007fe\u0008f", "\u0001=cmd", "\u001f-1"])).toBe(
      "abcdef,'=cmd,-1",
    );
  });

  it("spreadsheetSafe and untrustedText undo each other, and read older files", () => {
    for (const text of ["=HYPERLINK(1)", "+x", "-cmd", "@SUM(A1)", "'quoted", "''", "'-2"]) {
      const safe = spreadsheetSafe(text);
      expect(safe.startsWith("'")).toBe(true);
      expect(untrustedText(safe)).toBe(text);
    }
    for (const text of ["alice", "-2", "+1", "3.5", ""]) expect(spreadsheetSafe(text)).toBe(text);
    // Older gradmark prefixed negative numbers too; reading them back still gives the number.
    expect(untrustedText("'-2")).toBe("-2");
  });
});
