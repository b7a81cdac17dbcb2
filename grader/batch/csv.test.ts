import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCsvRow, parseCsv, spreadsheetSafe, untrustedText } from "./csv.js";

describe("csv", () => {
  it("parses what it formats, whatever the fields hold", () => {
    const field = fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r\n", " ", "é", "=") });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          const text = rows.map(formatCsvRow).join("\n");
          expect(parseCsv(text)).toEqual(rows);
        },
      ),
      { seed: 11 },
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

  it("keeps spreadsheet formulas from running, and undoes it when read back", () => {
    for (const text of ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "'quoted"]) {
      const safe = spreadsheetSafe(text);
      expect(safe.startsWith("'")).toBe(true);
      expect(untrustedText(safe)).toBe(text);
    }
    expect(spreadsheetSafe("alice")).toBe("alice");
  });
});
