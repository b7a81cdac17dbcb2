/** Rules the builders' specs share, checked when a builder is called. */

/** A builder's spec is wrong: the message names the builder, the export and the field. */
export class BuilderSpecError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = "BuilderSpecError";
  }
}

/** Module, export, parameter and field names: identifiers. */
const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function checkName(value: unknown, what: string, bad: (message: string) => never): void {
  if (typeof value !== "string" || !NAME.test(value)) {
    bad(`${what} must be an identifier, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

/** `points` has every required key and only known ones, each a finite number of 0 or more. */
export function checkPoints(
  points: unknown,
  required: readonly string[],
  optional: readonly string[],
  bad: (message: string) => never,
): void {
  if (typeof points !== "object" || points === null) bad("points must be an object");
  const record = points as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (![...required, ...optional].includes(key)) {
      bad(
        `points.${key} is not a check of this builder (${[...required, ...optional].join(", ")})`,
      );
    }
  }
  for (const key of [...required, ...optional]) {
    const value = record[key];
    if (value === undefined && !required.includes(key)) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      bad(`points.${key} must be a finite number of 0 or more, got ${String(value)}`);
    }
  }
}

export function checkRuns(runs: unknown, bad: (message: string) => never): void {
  if (runs !== undefined && !(Number.isSafeInteger(runs) && (runs as number) >= 1)) {
    bad(`runs must be a whole number of 1 or more, got ${String(runs)}`);
  }
}

export function checkTitleNote(note: unknown, bad: (message: string) => never): void {
  if (
    note !== undefined &&
    (typeof note !== "string" || note.trim() === "" || note.includes("\n"))
  ) {
    bad(`titleNote must be a line of text, got ${JSON.stringify(note) ?? String(note)}`);
  }
}

/** The checks with `note` said after each title, in parentheses. */
export function withTitleNote<T extends { title: string }>(
  checks: T[],
  note: string | undefined,
): T[] {
  if (note === undefined) return checks;
  return checks.map((check) => ({ ...check, title: `${check.title} (${note})` }));
}
