/**
 * Makes text that came from a result safe to print: escapes control characters (ANSI escapes,
 * carriage returns, backspaces, C1 controls) and Unicode direction overrides, so nothing a
 * submission prints or throws can recolour, overwrite or reorder the report around it.
 * Newlines and tabs are kept; CRLF becomes LF.
 */
export function sanitize(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (ch) => {
      const code = ch.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
    },
  );
}
