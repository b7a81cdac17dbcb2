/**
 * Why each surviving mutant survives: one verdict per group of survivors, matched by module, the
 * line the mutant starts on and, where a line holds different kinds of mutants, the mutator.
 * `npm run mutation` prints every survivor with its verdict and lists the ones no verdict covers
 * (a new survivor, or lines that moved after an edit of the solution).
 *
 * "equivalent": no input that HOMEWORK.md allows can tell the mutant from the solution.
 * "stronger check": some allowed input can; `why` names the check and the input.
 */
export interface Verdict {
  /** The solution module, e.g. "contractions" for reference/solution/contractions.ts. */
  module: string;
  /** First and last line (inclusive) on which the covered mutants start. */
  lines: [number, number];
  /** Only mutants of these Stryker mutators (default: all). */
  mutators?: string[];
  /** Only mutants whose replacement text is one of these (default: all). */
  replacements?: string[];
  kind: "equivalent" | "stronger check";
  why: string;
}

/**
 * The contract leaves invalid arguments open (HOMEWORK.md fixes names, shapes and formulas for
 * valid ones only) and the grader only feeds valid ones, so a check of the arguments, its throw
 * and its message can be weakened or removed without any graded input noticing.
 */
const GUARD =
  "argument check for inputs outside the contract (graded inputs always pass it; what an invalid call does is left open): weakening or removing the check, its throw or its message changes nothing for a valid call";

/** `show` only formats shapes for those error messages. */
const MESSAGE_ONLY =
  "show() only formats shapes for the error messages of the argument checks, which no valid call reaches";

export const VERDICTS: Verdict[] = [
  // contractions.ts
  { module: "contractions", lines: [7, 7], kind: "equivalent", why: MESSAGE_ONLY },
  { module: "contractions", lines: [15, 17], kind: "equivalent", why: GUARD },
  {
    module: "contractions",
    lines: [22, 22],
    mutators: ["MethodExpression"],
    kind: "equivalent",
    why: "summedB is read only at indices below k (compared with summedA, which has k entries), and the first k entries of B.shape are the same with or without .slice(0, k): identical for every input, valid or not",
  },
  { module: "contractions", lines: [24, 26], kind: "equivalent", why: GUARD },
  { module: "contractions", lines: [39, 41], kind: "equivalent", why: GUARD },
  { module: "contractions", lines: [49, 51], kind: "equivalent", why: GUARD },

  // derivatives.ts
  { module: "derivatives", lines: [20, 20], kind: "equivalent", why: MESSAGE_ONLY },
  { module: "derivatives", lines: [22, 24], kind: "equivalent", why: GUARD },
  {
    module: "derivatives",
    lines: [30, 41],
    mutators: ["StringLiteral"],
    kind: "equivalent",
    why: "the function and argument names handed to expectShape appear only in its error message",
  },
  { module: "derivatives", lines: [54, 56], kind: "equivalent", why: GUARD },
  { module: "derivatives", lines: [73, 74], kind: "equivalent", why: GUARD },
  { module: "derivatives", lines: [89, 89], kind: "equivalent", why: GUARD },

  // layers.ts
  { module: "layers", lines: [32, 32], kind: "equivalent", why: MESSAGE_ONLY },
  {
    module: "layers",
    lines: [35, 35],
    kind: "equivalent",
    why: "saved() refuses a backward before any forward, a call order the contract does not allow (backward uses the state of the most recent forward)",
  },
  {
    module: "layers",
    lines: [56, 175],
    mutators: ["StringLiteral"],
    replacements: ['""'],
    kind: "equivalent",
    why: "the layer's name handed to saved() appears only in its error message",
  },
  { module: "layers", lines: [73, 75], kind: "equivalent", why: GUARD },
  {
    module: "layers",
    lines: [94, 94],
    mutators: ["EqualityOperator"],
    kind: "equivalent",
    why: "x > 0 and x >= 0 differ only at x = 0, ReLU's kink, where HOMEWORK leaves the derivative open and the grader keeps inputs away by more than the finite-difference step",
  },
  {
    module: "layers",
    lines: [111, 111],
    replacements: ["true", "x > 0"],
    kind: "equivalent",
    why: "at x = 0 both forms give 0.5 exactly; 1 / (1 + e^-x) everywhere is HOMEWORK's formula itself (for x < -745 it gives 0 where the exact value is below 1e-308, far inside any tolerance)",
  },
  { module: "layers", lines: [130, 131], kind: "equivalent", why: GUARD },
  { module: "layers", lines: [158, 160], kind: "equivalent", why: GUARD },
  {
    module: "layers",
    lines: [179, 179],
    mutators: ["EqualityOperator"],
    kind: "equivalent",
    why: "i <= P.size runs one step past the end: Y.data[P.size] is undefined and the write out[P.size] to a Float64Array is ignored, so the result is the same for every input",
  },
  {
    module: "layers",
    lines: [181, 181],
    mutators: ["ArithmeticOperator"],
    kind: "equivalent",
    why: "the branch runs only where y !== 0, and one-hot labels (the contract) make y = 1 there, so -scale / y = -scale * y",
  },

  // autograd.ts
  { module: "autograd", lines: [14, 14], kind: "equivalent", why: MESSAGE_ONLY },
  {
    module: "autograd",
    lines: [16, 16],
    kind: "equivalent",
    why: "sameShape() is used only by argument checks (the seed's shape, the gradients' shapes, checkSameShapes, SoftmaxCrossEntropy's labels), which every valid call passes",
  },
  { module: "autograd", lines: [36, 38], kind: "equivalent", why: GUARD },
  {
    module: "autograd",
    lines: [42, 42],
    kind: "equivalent",
    why: "this only clears gradients left by an earlier backward; HOMEWORK grades one backward per fresh graph, where every grad is still null, so clearing more (leaves too), fewer or none changes nothing",
  },
  {
    module: "autograd",
    lines: [46, 46],
    mutators: ["EqualityOperator"],
    kind: "equivalent",
    why: "i > 0 skips order[0], the first Variable the depth-first search finishes: it has no inputs (any input would be an unfinished node on the stack, i.e. a cycle), so its parent, if any, has no Variables to pass gradients to. Identical for every graph",
  },
  {
    module: "autograd",
    lines: [48, 48],
    kind: "equivalent",
    why: "every Variable in the order is one z depends on, and in reverse topological order each has received its gradient (every operation hands one to each parent) before it is processed: v.grad is never null there",
  },
  {
    module: "autograd",
    lines: [66, 66],
    kind: "equivalent",
    why: "marking the root visited only guards against a path back to the root, i.e. a cycle, which a graph built by forward() cannot have",
  },
  {
    module: "autograd",
    lines: [90, 90],
    kind: "equivalent",
    why: "the initial parents list is replaced by forward() before anything reads it; an Operation whose output exists has had forward() called (HOMEWORK: forward records the parents)",
  },
  { module: "autograd", lines: [101, 110], kind: "equivalent", why: GUARD },
  { module: "autograd", lines: [122, 127], kind: "equivalent", why: GUARD },
  {
    module: "autograd",
    lines: [135, 135],
    kind: "equivalent",
    why: "saved() refuses a backwardCall before forwardCall, a call order the contract does not allow",
  },
  { module: "autograd", lines: [344, 344], kind: "equivalent", why: GUARD },
  {
    module: "autograd",
    lines: [145, 400],
    mutators: ["StringLiteral"],
    replacements: ['""'],
    kind: "equivalent",
    why: "the operation's name handed to checkSameShapes() or saved() appears only in their error messages",
  },
  {
    module: "autograd",
    lines: [172, 172],
    kind: "equivalent",
    why: "i <= n computes one more prefix product, prefix[n] = prefix[n-1] * inputs[n-1], which exists and is never read: identical results for every input",
  },
  {
    module: "autograd",
    lines: [173, 173],
    kind: "equivalent",
    why: "the gradient array is filled by index from n-1 down to 0, so new Array() ends with the same n entries as new Array(n)",
  },
  { module: "autograd", lines: [189, 190], kind: "equivalent", why: GUARD },
  {
    module: "autograd",
    lines: [271, 271],
    kind: "equivalent",
    why: "without the shortcut, p = 0 gives dZ * 0 * x^-1, which is 0 (or -0) for every positive x, and HOMEWORK allows only positive inputs to Power",
  },
  {
    module: "autograd",
    lines: [297, 297],
    kind: "equivalent",
    why: "v > 0 and v >= 0 differ only at v = 0, ReLU's kink, where HOMEWORK leaves the derivative open and the grader keeps inputs away",
  },
  {
    module: "autograd",
    lines: [317, 317],
    kind: "equivalent",
    why: "e <= size runs one step past the end: the reads are undefined, the comparison false, and the writes winners[size] and out[size] to typed arrays are ignored; identical for every input",
  },
  {
    module: "autograd",
    lines: [320, 320],
    kind: "equivalent",
    why: ">= instead of > picks the last of tied inputs instead of the first; ties are the maximum's kink, left open by HOMEWORK and avoided by the grader (entries at least 0.01 apart)",
  },
  { module: "autograd", lines: [386, 388], kind: "equivalent", why: GUARD },

  // einsum.ts
  {
    module: "einsum",
    lines: [20, 20],
    kind: "equivalent",
    why: "removing white space one character at a time (\\s) removes the same as removing runs of it (\\s+); the other mutant replaces spaces with text, and graded specs have no spaces (HOMEWORK)",
  },
  { module: "einsum", lines: [21, 23], kind: "equivalent", why: GUARD },
  {
    module: "einsum",
    lines: [28, 35],
    kind: "equivalent",
    why: "the implicit output (numpy's rule for a spec without '->') is computed only when the spec has no '->', and graded specs always have one (HOMEWORK: what a student does with other specs is not graded); 'all' is otherwise read only by the output check below",
  },
  { module: "einsum", lines: [36, 41], kind: "equivalent", why: GUARD },
  { module: "einsum", lines: [62, 64], kind: "equivalent", why: GUARD },
  {
    module: "einsum",
    lines: [83, 83],
    kind: "equivalent",
    why: "refuses a backwardCall before forwardCall, a call order the contract does not allow",
  },
  {
    module: "einsum",
    lines: [110, 110],
    replacements: ["true"],
    kind: "equivalent",
    why: "also summing (with keepDims) axes whose side and size are both 1 sums over one element: the same values and shape, for every input",
  },
  {
    module: "einsum",
    lines: [112, 112],
    replacements: ["true", "broadcastAxes.length >= 0"],
    kind: "equivalent",
    why: "summing over an empty list of axes with keepDims returns the values unchanged, for every input",
  },
  {
    module: "einsum",
    lines: [114, 114],
    kind: "equivalent",
    why: "with every label distinct, scatterDiagonal's steps are the strides of the operand's shape, so it copies G entry by entry into a tensor of the same shape: the same result for every input",
  },
  {
    module: "einsum",
    lines: [73, 112],
    kind: "equivalent",
    why: "equivalent within the graded domain: these only matter when an operand has a side of 1 for an index whose size is larger in another operand, which the kit's einsum broadcasts; graded einsum cases give every index one size in all operands (a decision in the top-level README), so the sizes always agree and no side is broadcast. The staff solution handles such operands (reference/solution/einsum.test.ts checks them against finite differences), but the grader does not grade them",
  },

  // training.ts
  {
    module: "training",
    lines: [20, 26],
    kind: "equivalent",
    why: `${GUARD}; B = 0 is outside it too (HOMEWORK: no size-0 shapes)`,
  },
];
