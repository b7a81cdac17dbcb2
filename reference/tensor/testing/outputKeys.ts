/**
 * For the kit's einsum tests: the output's labels of a generated case, written from numpy's
 * definition rather than from the kit's plan. The dims of `...` are "#0", "#1", ... aligned
 * right; an implicit output is the `...` dims, then every letter used once, in alphabetical
 * order (upper case before lower case, as numpy orders them).
 */

/** One operand of a generated case: letters before and after an optional `...`, and its shape. */
export interface OperandCase {
  before: string[];
  ellipsis: boolean;
  /** How many dims the `...` stands for in this operand (0 when there is no `...`). */
  covered: number;
  after: string[];
  shape: number[];
}

/** An explicit output's letters around an optional `...`. */
export interface OutputCase {
  before: string[];
  ellipsis: boolean;
  after: string[];
}

/** The output's labels; `output` null is an implicit output (no `->`). */
export function outputKeys(
  operands: readonly OperandCase[],
  output: OutputCase | null,
  ellipsisDims: number,
): string[] {
  const dots = Array.from({ length: ellipsisDims }, (_, t) => `#${t}`);
  if (output !== null) return [...output.before, ...(output.ellipsis ? dots : []), ...output.after];
  const counts = new Map<string, number>();
  for (const op of operands) {
    for (const letter of [...op.before, ...op.after]) {
      counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
  }
  const once = [...counts].filter(([, n]) => n === 1).map(([letter]) => letter);
  once.sort((x, y) => x.charCodeAt(0) - y.charCodeAt(0));
  return [...dots, ...once];
}
