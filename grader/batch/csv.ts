/**
 * CSV as RFC 4180 writes it: fields with commas, quotes or line breaks are quoted, quotes
 * doubled, lines end with CRLF... except that gradmark writes LF, which every gradebook reads.
 *
 * Cells hold untrusted text (folder and student names, error messages), so every cell written
 * is also made safe for spreadsheets (OWASP's CSV-injection rule): control characters other
 * than tab and line breaks are stripped, a cell a spreadsheet would run as a formula gets a
 * leading apostrophe (plain numbers excepted: scores stay numbers), and semicolons and tabs
 * are quoted too, for spreadsheets that split on them. `untrustedText` undoes the apostrophe
 * when gradmark reads its own CSV back.
 */

/** Parses CSV text into rows of fields; an unterminated quote is an error naming its line. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && body[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      line++;
    } else field += ch;
  }
  if (quoted) throw new Error(`line ${quoteLine}: a quoted field is never closed`);
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

/**
 * One CSV line (without its line break), every cell made spreadsheet-safe: through
 * `stripControlCharacters` and `spreadsheetSafe` (numbers come out as they are), then quoted
 * if need be.
 */
export function formatCsvRow(fields: readonly (string | number)[]): string {
  return fields
    .map((field) => quoteField(spreadsheetSafe(stripControlCharacters(String(field)))))
    .join(",");
}

/**
 * Quoted when it holds a quote, a line break or a separator: the comma, or the semicolon and
 * tab that some spreadsheets split on.
 */
function quoteField(field: string): string {
  return /[",;\t\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * Control characters other than tab, LF and CR (which quoting carries), that is U+0000 to
 * U+001F and U+007F, removed: they have no place in a gradebook and terminals and
 * spreadsheets misread them.
 */
export function stripControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
}

/** A number as gradmark writes one (a score, a seed): left as it is, never taken for a formula. */
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Text a spreadsheet would not run as a formula: a leading =, +, -, @, tab or CR gets a
 * leading apostrophe, unless the whole text is a plain number such as -1.5. A leading
 * apostrophe gets another one, so that `untrustedText` can undo exactly what this did.
 */
export function spreadsheetSafe(text: string): string {
  if (PLAIN_NUMBER.test(text)) return text;
  return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
}

/**
 * Undoes `spreadsheetSafe` on a cell gradmark wrote (and on older grades.csv files, which
 * prefixed negative numbers too).
 */
export function untrustedText(cell: string): string {
  return /^'[=+\-@\t\r']/.test(cell) ? cell.slice(1) : cell;
}
