import fc from "fast-check";
import type { Tensor } from "../../reference/tensor/index.js";
import { flexibleArray } from "./internal/arrays.js";
import { fitDims, range } from "./internal/fit.js";
import { MAX_RANK, sideArb } from "./internal/shapes.js";
import { buildTensor } from "./internal/tensorCore.js";
import {
  booleanField,
  checkElementBudget,
  checkKeys,
  checkOrder,
  integerField,
} from "./internal/validate.js";
import {
  type Cell,
  cellsArb,
  type ResolvedValues,
  resolveValues,
  VALUE_KEYS,
  type ValueConstraints,
} from "./internal/values.js";

/** Constraints of einsumCaseArb (plus value constraints for the operands' elements). */
export interface EinsumCaseConstraints extends ValueConstraints {
  /** Fewest operands (default 1). */
  minOperands?: number;
  /** Most operands (default 3). */
  maxOperands?: number;
  /** Most distinct labels in one spec, at most 26 (default 5). */
  maxLabels?: number;
  /** Fewest subscripts per operand (default 0: 0-d operands occur). */
  minRankPerOperand?: number;
  /** Most subscripts per operand, repeats included (default 4). */
  maxRankPerOperand?: number;
  /** Smallest size of a label (default 1). */
  minSide?: number;
  /** Largest size of a label (default 3). */
  maxSide?: number;
  /** Allow a label repeated inside one operand, a diagonal such as 'ii' (default true). */
  repeated?: boolean;
  /** Allow labels that are absent from the output, i.e. summed (default true). */
  summed?: boolean;
  /**
   * Also produce implicit specs without '->' (default false: every spec is explicit, as graded
   * specs are). Their output is numpy's: the labels that appear exactly once, sorted.
   */
  implicit?: boolean;
}

/** An einsum spec with operands of consistent shapes. */
export interface EinsumCase {
  /** E.g. 'ab,bc->ac'; labels are lower-case letters named in order of first appearance. */
  spec: string;
  operands: Tensor[];
  /** The operands' shapes. */
  shapes: number[][];
  /** The shape of einsum(spec, ...operands). */
  outputShape: number[];
}

const KEYS = [
  "minOperands",
  "maxOperands",
  "maxLabels",
  "minRankPerOperand",
  "maxRankPerOperand",
  "minSide",
  "maxSide",
  "repeated",
  "summed",
  "implicit",
  ...VALUE_KEYS,
] as const;

/** The subscript letter of the i-th label. */
const letter = (i: number) => String.fromCharCode(97 + i);

/** The constraints after validation. */
interface Settings {
  minOperands: number;
  maxOperands: number;
  maxLabels: number;
  minRank: number;
  maxRank: number;
  minSide: number;
  maxSide: number;
  repeated: boolean;
  summed: boolean;
  implicit: boolean;
  /** Fewest and most elements of one operand. */
  minLength: number;
  maxLength: number;
  values: ResolvedValues;
}

/** One subscript as drawn: [repeat flag, label] (see toLabels). */
type Subscript = [number, number];

/**
 * Einsum cases: a spec and operands whose shapes agree with it (one size per label). Labels are
 * shared between operands often (contractions), repeated inside an operand about one subscript
 * in four when `repeated` (diagonals), and left out of the output when `summed`. Shrinks towards
 * fewer operands and subscripts, no repeats, labels 'a', 'b', ... in order, sizes of 1 and simple
 * values.
 */
export function einsumCaseArb(constraints: EinsumCaseConstraints = {}): fc.Arbitrary<EinsumCase> {
  const settings = resolveConstraints(constraints);
  const { maxLabels, minLength, maxLength, values: r } = settings;
  const subscript = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(maxLabels - 1));
  const operand = flexibleArray(subscript, settings.minRank, settings.maxRank);
  return fc
    .tuple(
      flexibleArray(operand, settings.minOperands, settings.maxOperands),
      // Per label: [left out of the output, position key in the output].
      fc.array(fc.tuple(fc.boolean(), fc.nat(maxLabels - 1)), {
        minLength: maxLabels,
        maxLength: maxLabels,
      }),
      settings.implicit ? fc.boolean() : fc.constant(false),
      fc.array(sideArb(settings.minSide, settings.maxSide), {
        minLength: maxLabels,
        maxLength: maxLabels,
      }),
      fc.tuple(...range(settings.maxOperands).map(() => cellsArb(r, minLength, maxLength))),
    )
    .map(([operandSubscripts, outputInfo, wantImplicit, plan, cells]) =>
      buildCase(settings, operandSubscripts, outputInfo, wantImplicit, plan, cells),
    );
}

/** Validates the constraints and fills in the defaults. */
function resolveConstraints(constraints: EinsumCaseConstraints): Settings {
  const where = "einsumCaseArb";
  const c = checkKeys(where, constraints, KEYS);
  const minOperands = integerField(where, "minOperands", c.minOperands, 1, { min: 1, max: 16 });
  const maxOperands = integerField(where, "maxOperands", c.maxOperands, Math.max(3, minOperands), {
    min: 1,
    max: 16,
  });
  checkOrder(where, "minOperands", minOperands, "maxOperands", maxOperands);
  const maxLabels = integerField(where, "maxLabels", c.maxLabels, 5, { min: 1, max: 26 });
  const minRank = integerField(where, "minRankPerOperand", c.minRankPerOperand, 0, {
    min: 0,
    max: MAX_RANK,
  });
  const repeated = booleanField(where, "repeated", c.repeated, true);
  const summed = booleanField(where, "summed", c.summed, true);
  const implicit = booleanField(where, "implicit", c.implicit, false);
  const defaultMaxRank = Math.max(minRank, repeated ? 4 : Math.min(4, maxLabels));
  const maxRank = integerField(where, "maxRankPerOperand", c.maxRankPerOperand, defaultMaxRank, {
    min: 0,
    max: MAX_RANK,
  });
  checkOrder(where, "minRankPerOperand", minRank, "maxRankPerOperand", maxRank);
  if (!repeated) {
    checkOrder(where, "maxRankPerOperand", maxRank, "maxLabels (repeated is false)", maxLabels);
  }
  const minSide = integerField(where, "minSide", c.minSide, 1, { min: 0 });
  const maxSide = integerField(where, "maxSide", c.maxSide, Math.max(3, minSide), { min: 0 });
  checkOrder(where, "minSide", minSide, "maxSide", maxSide);
  const maxLength = checkElementBudget(where, "maxSide", maxSide, "maxRankPerOperand", maxRank);
  const values = resolveValues(where, c, maxLength);
  return {
    minOperands,
    maxOperands,
    maxLabels,
    minRank,
    maxRank,
    minSide,
    maxSide,
    repeated,
    summed,
    implicit,
    minLength: minSide ** maxRank,
    maxLength,
    values,
  };
}

/**
 * The labels of one operand's subscripts. Flag 3 (with `repeated`) repeats the earlier label of
 * the same operand at position label % p; otherwise the label itself, or the next one not yet
 * in this operand. Labels are absolute, so removing a subscript leaves the others unchanged.
 */
function toLabels(
  subscripts: readonly Subscript[],
  maxLabels: number,
  repeated: boolean,
): number[] {
  const labels: number[] = [];
  subscripts.forEach(([flag, choice], p) => {
    const full = new Set(labels).size === maxLabels;
    if (repeated && p > 0 && (flag === 3 || full)) {
      labels.push(labels[choice % p]!);
      return;
    }
    let label = choice;
    while (labels.includes(label)) label = (label + 1) % maxLabels;
    labels.push(label);
  });
  return labels;
}

/** The case the draws describe: labels named in order of appearance, dims fitted to the cells. */
function buildCase(
  settings: Settings,
  operandSubscripts: readonly Subscript[][],
  outputInfo: readonly [boolean, number][],
  wantImplicit: boolean,
  plan: readonly number[],
  cells: readonly Cell[][],
): EinsumCase {
  const { maxLabels, repeated, summed, minSide, values: r } = settings;
  const operandLabels = operandSubscripts.map((subscripts) =>
    toLabels(subscripts, maxLabels, repeated),
  );
  const used: number[] = [];
  const count = new Map<number, number>();
  for (const labels of operandLabels) {
    for (const label of labels) {
      if (!count.has(label)) used.push(label);
      count.set(label, (count.get(label) ?? 0) + 1);
    }
  }
  const name = (label: number) => letter(used.indexOf(label));
  const useImplicit = wantImplicit && (summed || used.every((label) => count.get(label) === 1));
  let output: number[];
  if (useImplicit) {
    output = used.filter((label) => count.get(label) === 1);
  } else {
    output = summed ? used.filter((label) => !outputInfo[label]![0]) : [...used];
    output.sort(
      (x, y) => outputInfo[x]![1] - outputInfo[y]![1] || used.indexOf(x) - used.indexOf(y),
    );
  }
  const dims = fitDims(
    plan,
    operandLabels,
    operandLabels.map((_, i) => cells[i]!.length),
    minSide,
  );
  const shapes = operandLabels.map((labels) => labels.map((label) => dims[label]!));
  const inputs = operandLabels.map((labels) => labels.map(name).join("")).join(",");
  return {
    spec: useImplicit ? inputs : `${inputs}->${output.map(name).join("")}`,
    operands: shapes.map((shape, i) => buildTensor(r, shape, cells[i]!)),
    shapes,
    outputShape: output.map((label) => dims[label]!),
  };
}
