/**
 * The cases of problem 5. Specs are explicit (`->`), without spaces or `...`: the five of
 * HOMEWORK.md with random sizes, a few whose indices are out of alphabetical order (sizes >= 2),
 * generated ones whose labels are random letters of both cases (repeated indices inside an
 * operand, indices summed away, 0-d operands), and generated ones in which a letter appears in
 * both cases ('i' and 'I', different labels; sizes >= 2, at most 3 subscripts per operand).
 */
import fc from "fast-check";
import { einsumCaseArb, tensorArb } from "../../../../../checks/index.js";
import { einsumTerms } from "../../../../../reference/forward/einsum.js";
import { einsum, type Tensor } from "../../../../../reference/tensor/index.js";

/** The specs of HOMEWORK.md, always among the cases. */
export const HOMEWORK_SPECS = [
  "ij,jk->ik",
  "iii->i",
  "ij,ikk,il->kj",
  "hihk,okh,oo->ko",
  "Ij,jK->IK",
] as const;

/** One run of the forward check: a spec and its operands. */
export interface EinsumForwardCase {
  spec: string;
  operands: Tensor[];
}

/** One run of the backward checks: a forward case with a downstream gradient and directions. */
export interface EinsumBackwardCase extends EinsumForwardCase {
  /** The downstream gradient: random values, shape of the output. */
  grad: Tensor;
  /** One random direction per operand (values in [-1, 1]) for the self-consistency check. */
  directions: Tensor[];
}

/** Values from [-3, 3] with exact 0, 1 and -1 mixed in. */
const VALUES = { specialValues: true } as const;

/**
 * Specs whose operands and output list their indices out of alphabetical order (with a
 * diagonal and a summed index among them): a gradient whose axes come back in any order but the
 * operand's own is wrong in shape or values here, since every size is at least 2.
 */
export const UNSORTED_SPECS = ["ba->ab", "ji,kj->ik", "cab,bc->ca", "zyx,xz->yz", "kjj,jk->k"];

/**
 * Operands for a fixed spec: a size of minSide..3 per label (default 1..3), shared by every
 * operand that has it.
 */
function fixedSpecArb(spec: string, minSide = 1): fc.Arbitrary<EinsumForwardCase> {
  const { inputs } = einsumTerms(spec);
  const labels = [...new Set(inputs.join(""))];
  return fc
    .array(fc.integer({ min: minSide, max: 3 }), {
      minLength: labels.length,
      maxLength: labels.length,
    })
    .chain((sides) => {
      const size = new Map(labels.map((label, i) => [label, sides[i]!]));
      const operandArbs = inputs.map((term) =>
        tensorArb({ shape: [...term].map((label) => size.get(label)!), ...VALUES }),
      );
      return fc.tuple(...operandArbs).map((operands) => ({ spec, operands }));
    });
}

/**
 * Renames the labels of a spec with lower-case labels (einsumCaseArb's): 'a' becomes
 * letters[0], 'b' letters[1], ... (the new names may be any letters, of either case).
 */
export function relabelSpec(spec: string, letters: readonly string[]): string {
  return spec.replace(/[a-z]/g, (label) => {
    const renamed = letters[label.charCodeAt(0) - 97];
    if (renamed === undefined)
      throw new Error(`relabelSpec: no new name for '${label}' in ${spec}`);
    return renamed;
  });
}

const LOWER = [..."abcdefghijklmnopqrstuvwxyz"];

/**
 * The labels of graded specs (HOMEWORK.md): letters, lower or upper case; 'i' and 'I' are
 * different labels.
 */
export const LABEL_ALPHABET: readonly string[] = [...LOWER, ...LOWER.map((l) => l.toUpperCase())];

/**
 * Generated cases (einsumCaseArb names labels 'a', 'b', ... in order of first appearance, so the
 * first operand's would always be sorted) with their labels renamed to 5 random distinct
 * letters of either case, in random order: any operand, and the output, may list its indices in
 * any order, and most specs have an upper-case label (a parser that knows only 'a'-'z' fails).
 */
function generatedArb(minRankPerOperand: number): fc.Arbitrary<EinsumForwardCase> {
  return fc
    .tuple(
      einsumCaseArb({ minRankPerOperand, maxLabels: 5, ...VALUES }),
      fc.shuffledSubarray([...LABEL_ALPHABET], { minLength: 5, maxLength: 5 }),
    )
    .map(([{ spec, operands }, letters]) => ({ spec: relabelSpec(spec, letters), operands }));
}

/**
 * Generated cases in which one letter names two labels, once lower and once upper case (such as
 * 'iI,Ij->ji'): every size is at least 2, so code that merges 'i' and 'I' (a lower-cased spec, a
 * case-insensitive table) reads a diagonal, or a wrong size, or throws. einsumCaseArb names its
 * first two labels 'a' and 'b'; they become the pair (in random order), the others random letters
 * of random case.
 */
const casePairArb: fc.Arbitrary<EinsumForwardCase> = fc
  .tuple(
    einsumCaseArb({
      minRankPerOperand: 1,
      maxRankPerOperand: 3,
      maxLabels: 4,
      minSide: 2,
      ...VALUES,
    }).filter((c) => c.spec.includes("b")),
    fc.shuffledSubarray(LOWER, { minLength: 3, maxLength: 3 }),
    fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  )
  .map(([{ spec, operands }, [pair, ...others], upper]) => {
    const [lower, capital] = [pair!, pair!.toUpperCase()];
    const letters = [
      ...(upper[0] ? [capital, lower] : [lower, capital]),
      ...others.map((l, i) => (upper[i + 1] ? l.toUpperCase() : l)),
    ];
    return { spec: relabelSpec(spec, letters), operands };
  });

/** The forward check's cases: HOMEWORK specs, unsorted indices, generated specs, case pairs. */
export const forwardCases: fc.Arbitrary<EinsumForwardCase> = fc.oneof(
  { arbitrary: fc.oneof(...HOMEWORK_SPECS.map((spec) => fixedSpecArb(spec))), weight: 2 },
  { arbitrary: fc.oneof(...UNSORTED_SPECS.map((spec) => fixedSpecArb(spec, 2))), weight: 1 },
  { arbitrary: generatedArb(1), weight: 3 },
  // 0-d operands and specs such as 'a,->' too.
  { arbitrary: generatedArb(0), weight: 1 },
  // 'i' and 'I' in one spec: 3 in 10 of the cases, so the 30 runs of the forward check all miss
  // this stratum with a chance of about 1 in 45 000, the 25 of backward 1 in 7 500 and the 20
  // of consistent 1 in 1 250 (the generated strata above draw such pairs too; einsum.test.ts
  // checks that every check draws one under grading seeds 1-50 and the assignment's).
  { arbitrary: casePairArb, weight: 3 },
);

/** The forward cases with a downstream gradient in [-2, 2] and a direction per operand. */
export const backwardCases: fc.Arbitrary<EinsumBackwardCase> = forwardCases.chain((testCase) =>
  fc
    .record({
      grad: tensorArb({
        shape: einsum(testCase.spec, ...testCase.operands).shape,
        min: -2,
        max: 2,
      }),
      directions: fc.tuple(
        ...testCase.operands.map((operand) => tensorArb({ shape: operand.shape, min: -1, max: 1 })),
      ),
    })
    .map(({ grad, directions }) => ({ ...testCase, grad, directions })),
);
