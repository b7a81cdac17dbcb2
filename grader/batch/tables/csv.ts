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

/** A CSV text that cannot be read: `line` is where the faulty field starts (1-based). */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/** One record of a CSV text and the line it starts on (a quoted line break makes it span more). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Parses CSV text into rows of fields; a malformed quote is an error naming its line. */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((record) => record.cells);
}

/**
 * Parses CSV text into records, each with the line it starts on, so that callers can name the
 * line of a bad record even after blank lines and quoted line breaks. Blank lines are left out.
 * A quote that is never closed, or text after a field's closing quote (`"Lovelace" Ada`), is a
 * CsvError naming the line.
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let closed = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 0;
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === "")) records.push({ line: rowLine, cells: row });
    row = [];
    field = "";
    closed = false;
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
        closed = true;
      } else {
        if (ch === "\n" || (ch === "\r" && body[i + 1] !== "\n")) line++;
        field += ch;
      }
    } else if (ch === ",") {
      row.push(field);
      field = "";
      closed = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && body[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else if (closed) {
      throw new CsvError(line, "text after the closing quote of a field (quote the whole field)");
    } else if (ch === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else field += ch;
  }
  if (quoted) throw new CsvError(quoteLine, "a quoted field is never closed");
  if (field !== "" || row.length > 0 || closed) endRow();
  return records;
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
