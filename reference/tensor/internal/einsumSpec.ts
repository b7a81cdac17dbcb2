import { formatShape } from "./shape.js";

/** One side of an einsum spec: letters before and after an optional `...`. */
export interface EinsumTerm {
  readonly text: string;
  readonly before: readonly string[];
  readonly hasEllipsis: boolean;
  readonly after: readonly string[];
}

export interface ParsedEinsumSpec {
  readonly inputs: readonly EinsumTerm[];
  /** null when the spec has no `->` (numpy's implicit output). */
  readonly output: EinsumTerm | null;
}

/**
 * The spec bound to concrete operand shapes. Labels are small integers: letters are their char
 * code, the dims that `...` stands for are ELLIPSIS_LABEL + position (aligned on the right).
 */
export interface EinsumPlan {
  readonly operandLabels: readonly (readonly number[])[];
  readonly outputLabels: readonly number[];
  readonly sizes: ReadonlyMap<number, number>;
}

export const ELLIPSIS_LABEL = 1000;

export function labelName(label: number): string {
  return label >= ELLIPSIS_LABEL
    ? `... dim ${label - ELLIPSIS_LABEL}`
    : `'${String.fromCharCode(label)}'`;
}

/** Parses and checks a spec on its own, before any shape is looked at. Spaces are ignored. */
export function parseEinsumSpec(spec: unknown, operandCount: number): ParsedEinsumSpec {
  if (typeof spec !== "string") {
    throw new Error(`einsum: spec must be a string such as 'ij,jk->ik', got ${typeof spec}`);
  }
  const compact = spec.replace(/\s+/g, "");
  const bad = compact.match(/[^a-zA-Z.,\->]/);
  if (bad) {
    throw new Error(
      `einsum: spec '${spec}' contains '${bad[0]}'; only letters, ',', '...' and '->' are allowed`,
    );
  }
  const sides = compact.split("->");
  if (sides.length > 2) throw new Error(`einsum: spec '${spec}' has more than one '->'`);
  const [left, right] = sides as [string, string | undefined];
  if (/[->]/.test(left) || (right !== undefined && /[->]/.test(right))) {
    throw new Error(`einsum: spec '${spec}' has a '-' or '>' that is not part of '->'`);
  }
  if (right?.includes(",")) {
    throw new Error(`einsum: spec '${spec}' has a ',' in its output; the output is one tensor`);
  }
  const inputTexts = left.split(",");
  if (inputTexts.length !== operandCount) {
    throw new Error(
      `einsum: spec '${spec}' names ${inputTexts.length} operand${inputTexts.length === 1 ? "" : "s"} but ${operandCount} ${operandCount === 1 ? "was" : "were"} given`,
    );
  }
  const inputs = inputTexts.map((text, i) => parseTerm(text, `operand ${i}`, spec));
  if (right === undefined) return { inputs, output: null };
  const output = parseTerm(right, "the output", spec);
  const letters = [...output.before, ...output.after];
  const seen = new Set<string>();
  for (const letter of letters) {
    if (seen.has(letter)) {
      throw new Error(`einsum: spec '${spec}' names output index '${letter}' more than once`);
    }
    seen.add(letter);
    if (!inputs.some((term) => term.before.includes(letter) || term.after.includes(letter))) {
      throw new Error(`einsum: output index '${letter}' of spec '${spec}' appears in no operand`);
    }
  }
  if (output.hasEllipsis && !inputs.some((term) => term.hasEllipsis)) {
    throw new Error(`einsum: spec '${spec}' has '...' in the output but in no operand`);
  }
  return { inputs, output };
}

function parseTerm(text: string, what: string, spec: string): EinsumTerm {
  const parts = text.split("...");
  if (parts.length > 2)
    throw new Error(`einsum: ${what} of spec '${spec}' has more than one '...'`);
  for (const part of parts) {
    if (part.includes(".")) {
      throw new Error(`einsum: ${what} of spec '${spec}' has a '.' that is not part of '...'`);
    }
  }
  return {
    text,
    before: [...parts[0]!],
    hasEllipsis: parts.length === 2,
    after: parts.length === 2 ? [...parts[1]!] : [],
  };
}

/** Binds a parsed spec to operand shapes, checking ranks and sizes. */
export function planEinsum(
  parsed: ParsedEinsumSpec,
  shapes: readonly (readonly number[])[],
): EinsumPlan {
  const { operandLabels, ellipsisDims } = labelOperands(parsed, shapes);
  const sizes = bindSizes(operandLabels, shapes);
  const outputLabels = labelOutput(parsed, operandLabels, ellipsisDims);
  return { operandLabels, outputLabels, sizes };
}

/**
 * Every operand's labels, axis by axis, after checking its rank against its subscripts, and
 * the number of dims `...` stands for (the most any operand's `...` covers).
 */
function labelOperands(
  parsed: ParsedEinsumSpec,
  shapes: readonly (readonly number[])[],
): { operandLabels: number[][]; ellipsisDims: number } {
  let ellipsisDims = 0;
  const terms = parsed.inputs.map((term, i) => {
    const shape = shapes[i]!;
    const named = term.before.length + term.after.length;
    if (!term.hasEllipsis && shape.length !== named) {
      throw new Error(
        `einsum: operand ${i} has ${shape.length} dims (shape ${formatShape(shape)}) but its subscripts '${term.text}' name ${named}`,
      );
    }
    if (term.hasEllipsis && shape.length < named) {
      throw new Error(
        `einsum: operand ${i} has ${shape.length} dims (shape ${formatShape(shape)}) but its subscripts '${term.text}' name ${named} besides '...'`,
      );
    }
    const covered = shape.length - named;
    ellipsisDims = Math.max(ellipsisDims, covered);
    return { term, covered };
  });
  const labelsOf = terms.map(({ term, covered }) => [
    ...term.before.map(code),
    ...Array.from({ length: covered }, (_, t) => -(covered - t)),
    ...term.after.map(code),
  ]);
  // Ellipsis dims align on the right: the last covered dim of every operand is the same label.
  const operandLabels = labelsOf.map((labels) =>
    labels.map((label) => (label < 0 ? ELLIPSIS_LABEL + ellipsisDims + label : label)),
  );
  return { operandLabels, ellipsisDims };
}

/**
 * The size of every label. A label must have one size wherever it appears, except that a side
 * of 1 broadcasts between operands (never within one operand, where a repeat is a diagonal).
 */
function bindSizes(
  operandLabels: readonly (readonly number[])[],
  shapes: readonly (readonly number[])[],
): Map<number, number> {
  const sizes = new Map<number, number>();
  // Where each label got its size, for the message when another operand disagrees.
  const firstSeen = new Map<number, string>();
  operandLabels.forEach((labels, i) => {
    const shape = shapes[i]!;
    const inOperand = new Map<number, number>();
    labels.forEach((label, axis) => {
      const side = shape[axis]!;
      const previousAxis = inOperand.get(label);
      if (previousAxis !== undefined && shape[previousAxis] !== side) {
        throw new Error(
          `einsum: operand ${i} repeats index ${labelName(label)} on axes ${previousAxis} and ${axis} with different sizes ${shape[previousAxis]} and ${side}`,
        );
      }
      inOperand.set(label, axis);
      const known = sizes.get(label);
      if (known === undefined || known === 1) {
        sizes.set(label, side);
        if (known === undefined || side !== 1) firstSeen.set(label, `operand ${i} (axis ${axis})`);
      } else if (side !== known && side !== 1) {
        throw new Error(
          `einsum: index ${labelName(label)} has size ${known} in ${firstSeen.get(label)} but size ${side} in operand ${i} (axis ${axis}); sizes must match or be 1`,
        );
      }
    });
  });
  return sizes;
}

/**
 * The output's labels: the spec's own, or numpy's implicit output (the `...` dims, then the
 * letters that appear exactly once, in alphabetical order).
 */
function labelOutput(
  parsed: ParsedEinsumSpec,
  operandLabels: readonly (readonly number[])[],
  ellipsisDims: number,
): number[] {
  const ellipsisLabels = Array.from({ length: ellipsisDims }, (_, t) => ELLIPSIS_LABEL + t);
  const out = parsed.output;
  if (out === null) {
    const counts = new Map<number, number>();
    for (const labels of operandLabels) {
      for (const label of labels)
        if (label < ELLIPSIS_LABEL) counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const once = [...counts].filter(([, count]) => count === 1).map(([label]) => label);
    return [...ellipsisLabels, ...once.sort((a, b) => a - b)];
  }
  if (!out.hasEllipsis && ellipsisDims > 0) {
    throw new Error(
      `einsum: '...' stands for ${ellipsisDims} dim${ellipsisDims === 1 ? "" : "s"} in the operands but the output '${out.text}' has no '...' to keep them`,
    );
  }
  return [
    ...out.before.map(code),
    ...(out.hasEllipsis ? ellipsisLabels : []),
    ...out.after.map(code),
  ];
}

function code(letter: string): number {
  return letter.charCodeAt(0);
}
