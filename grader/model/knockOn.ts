/**
 * The message of a knock-on failure: a check that passes on its own but earns nothing because a
 * check it requires did not pass (gradeSubmission writes it; reports recognise and fold it).
 */
export const KNOCK_ON_PREFIX = "passes on its own, but earns its points only together with ";

export function knockOnMessage(missing: readonly string[]): string {
  return `${KNOCK_ON_PREFIX}${missing.join(", ")}, which did not pass`;
}
