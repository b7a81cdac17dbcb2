import fc from "fast-check";
import type { Tensor } from "../../reference/tensor/index.js";
import { flexibleArray } from "./internal/arrays.js";
import { range } from "./internal/fit.js";
import {
  checkShapeValue,
  resolveShape,
  SHAPE_KEYS,
  type ShapeConstraints,
  shapeFrom,
} from "./internal/shapes.js";
import { fixedShapeTensors, product } from "./internal/tensorCore.js";
import {
  booleanField,
  checkElementBudget,
  checkKeys,
  checkOrder,
  integerField,
  MAX_ELEMENTS,
  show,
} from "./internal/validate.js";
import {
  type ResolvedValues,
  resolveValues,
  VALUE_KEYS,
  type ValueConstraints,
} from "./internal/values.js";

/** What the caller's operation accepts. */
export interface DagOp {
  /** A fixed number of arguments (at least 1), or "variadic". */
  arity: number | "variadic";
  /** Fewest arguments of a variadic op (default 2). */
  minArity?: number;
  /** Most arguments of a variadic op (default max(3, minArity)). */
  maxArity?: number;
  /**
   * All arguments have one shape (default true). Only matters when some op has
   * `output: "scalar"`; otherwise every value has the inputs' shape.
   */
  sameShape?: boolean;
  /**
   * "same" (default): the output has the shape of the arguments (the inputs' shape when they
   * are mixed with scalars); "scalar": the output has shape [] (a sum, a max).
   */
  output?: "same" | "scalar";
}

/** Constraints of dagArb (plus shape constraints of the inputs and value constraints). */
export interface DagConstraints extends ShapeConstraints, ValueConstraints {
  /** Fewest inputs (default 1). */
  minInputs?: number;
  /** Most inputs (default 3). */
  maxInputs?: number;
  /** Fewest operation nodes (default 1). */
  minNodes?: number;
  /** Most operation nodes (default 8). */
  maxNodes?: number;
  /** The operations the caller supports, by name; shrinking prefers the first one listed. */
  ops: Readonly<Record<string, DagOp>>;
  /** A fixed shape for the inputs (else shape constraints, default rank 0..2, sides 1..3). */
  shape?: readonly number[];
  /**
   * Every node takes the value just before it as one argument (default true), so the output
   * depends on every node and each further argument makes a diamond or a reuse.
   */
  connected?: boolean;
}

/** One operation node: the op's name and the indices of its arguments. */
export interface DagNode {
  op: string;
  /** Indices into the values: inputs first (0..inputs-1), then the nodes in order. */
  args: number[];
}

/** A computation graph as plain data. The last node is the output. */
export interface DagSpec {
  /** The inputs, all of one shape. */
  inputs: Tensor[];
  nodes: DagNode[];
  /** The shape of every value (inputs, then nodes): the inputs' shape or [] for scalars. */
  shapes: number[][];
}

interface ResolvedOp {
  name: string;
  minArity: number;
  maxArity: number;
  sameShape: boolean;
  scalar: boolean;
}

const MAX_ARITY = 16;

function resolveOps(where: string, ops: unknown): ResolvedOp[] {
  if (typeof ops !== "object" || ops === null || Array.isArray(ops)) {
    throw new Error(
      `${where}: ops (${show(ops)}) must be an object mapping op names to { arity, ... }`,
    );
  }
  const names = Object.keys(ops);
  if (names.length === 0) throw new Error(`${where}: ops must name at least one operation`);
  return names.map((name) => {
    const at = `${where}: ops.${name}`;
    const spec = checkKeys(at, (ops as Record<string, unknown>)[name], [
      "arity",
      "minArity",
      "maxArity",
      "sameShape",
      "output",
    ]);
    let minArity: number;
    let maxArity: number;
    if (spec.arity === "variadic") {
      minArity = integerField(at, "minArity", spec.minArity, 2, { min: 1, max: MAX_ARITY });
      maxArity = integerField(at, "maxArity", spec.maxArity, Math.max(3, minArity), {
        min: 1,
        max: MAX_ARITY,
      });
      checkOrder(at, "minArity", minArity, "maxArity", maxArity);
    } else {
      if (spec.arity === undefined) throw new Error(`${at}: arity is required`);
      if (spec.minArity !== undefined || spec.maxArity !== undefined) {
        throw new Error(`${at}: minArity and maxArity are only for arity "variadic"`);
      }
      if (typeof spec.arity !== "number") {
        throw new Error(`${at}: arity (${show(spec.arity)}) must be a number or "variadic"`);
      }
      minArity = integerField(at, "arity", spec.arity, 1, { min: 1, max: MAX_ARITY });
      maxArity = minArity;
    }
    if (spec.output !== undefined && spec.output !== "same" && spec.output !== "scalar") {
      throw new Error(`${at}: output (${show(spec.output)}) must be "same" or "scalar"`);
    }
    return {
      name,
      minArity,
      maxArity,
      sameShape: booleanField(at, "sameShape", spec.sameShape, true),
      scalar: spec.output === "scalar",
    };
  });
}

/** The constraints after validation. */
interface Settings {
  ops: ResolvedOp[];
  minInputs: number;
  maxInputs: number;
  minNodes: number;
  maxNodes: number;
  connected: boolean;
  /** The inputs' shape: fixed, or drawn. */
  shapes: fc.Arbitrary<number[]>;
  values: ResolvedValues;
}

/** One node as drawn: [op index, arity draw, spine draw, argument draws]. */
type NodeDraw = [number, number, number, number[]];

/**
 * Random computation graphs over the caller's operations: inputs of one shape, then nodes whose
 * arguments are earlier values. Values are reused often: with `connected` (the default) each node
 * takes the previous value plus arguments drawn from all earlier values (the previous one again,
 * an input, an older node), which makes reuse and diamonds the rule rather than the exception.
 * Generated with fc.chain from the structure to the input values, so shrinking first removes
 * nodes and inputs and simplifies the structure, then simplifies the values.
 */
export function dagArb(constraints: DagConstraints): fc.Arbitrary<DagSpec> {
  const settings = resolveConstraints(constraints);
  const { ops, maxInputs, maxNodes } = settings;
  const widest = Math.max(...ops.map((op) => op.maxArity));
  const node = fc.tuple(
    fc.integer({ min: 0, max: ops.length - 1 }),
    fc.nat(MAX_ARITY),
    fc.nat(widest - 1),
    fc.array(fc.nat(maxInputs + maxNodes - 1), { minLength: widest, maxLength: widest }),
  );

  return fc
    .tuple(
      fc.integer({ min: settings.minInputs, max: maxInputs }),
      flexibleArray(node, settings.minNodes, maxNodes),
      settings.shapes,
    )
    .map(([inputCount, nodeDraws, shape]) => {
      const { nodes, scalar } = buildNodes(settings, inputCount, nodeDraws);
      return { inputCount, nodes, shape, scalar };
    })
    .chain(({ inputCount, nodes, shape, scalar }) =>
      fixedShapeTensors(settings.values, shape, inputCount).map(
        (inputs): DagSpec => ({
          inputs,
          nodes: nodes.map((n) => ({ op: n.op, args: [...n.args] })),
          shapes: scalar.map((isScalar) => (isScalar ? [] : [...shape])),
        }),
      ),
    );
}

/** Validates the constraints and fills in the defaults. */
function resolveConstraints(constraints: DagConstraints): Settings {
  const where = "dagArb";
  const c = checkKeys(where, constraints, [
    "minInputs",
    "maxInputs",
    "minNodes",
    "maxNodes",
    "ops",
    "shape",
    "connected",
    ...SHAPE_KEYS,
    ...VALUE_KEYS,
  ]);
  if (c.ops === undefined) throw new Error(`${where}: ops is required`);
  const ops = resolveOps(where, c.ops);
  const minInputs = integerField(where, "minInputs", c.minInputs, 1, { min: 1, max: 64 });
  const maxInputs = integerField(where, "maxInputs", c.maxInputs, Math.max(3, minInputs), {
    min: 1,
    max: 64,
  });
  checkOrder(where, "minInputs", minInputs, "maxInputs", maxInputs);
  const minNodes = integerField(where, "minNodes", c.minNodes, 1, { min: 1, max: 1000 });
  const maxNodes = integerField(where, "maxNodes", c.maxNodes, Math.max(8, minNodes), {
    min: 1,
    max: 1000,
  });
  checkOrder(where, "minNodes", minNodes, "maxNodes", maxNodes);
  const connected = booleanField(where, "connected", c.connected, true);
  const { shapes, maxCount } = resolveInputShape(where, c);
  const values = resolveValues(where, c, maxCount);
  return { ops, minInputs, maxInputs, minNodes, maxNodes, connected, shapes, values };
}

/** The inputs' shapes (a fixed `shape`, or shape constraints) and their most elements. */
function resolveInputShape(
  where: string,
  c: Record<string, unknown>,
): { shapes: fc.Arbitrary<number[]>; maxCount: number } {
  if (c.shape === undefined) {
    const s = resolveShape(where, c, { minRank: 0, maxRank: 2, minSide: 1, maxSide: 3 });
    const maxCount = checkElementBudget(where, "maxSide", s.maxSide, "maxRank", s.maxRank);
    return { shapes: shapeFrom(s), maxCount };
  }
  const also = SHAPE_KEYS.filter((key) => c[key] !== undefined);
  if (also.length > 0) {
    throw new Error(
      `${where}: give either shape or shape constraints, not both (got shape and ${also.join(", ")})`,
    );
  }
  const shape = checkShapeValue(where, "shape", c.shape);
  const maxCount = product(shape);
  if (maxCount > MAX_ELEMENTS) {
    throw new Error(`${where}: shape [${shape.join(", ")}] has more than ${MAX_ELEMENTS} elements`);
  }
  return { shapes: fc.constant(shape), maxCount };
}

/**
 * The nodes the draws describe, and whether each value (inputs, then nodes) is a scalar (shape
 * []) rather than of the inputs' shape.
 */
function buildNodes(
  settings: Settings,
  inputCount: number,
  nodeDraws: readonly NodeDraw[],
): { nodes: DagNode[]; scalar: boolean[] } {
  const { ops, connected } = settings;
  const scalar: boolean[] = new Array<boolean>(inputCount).fill(false);
  const nodes = nodeDraws.map(([opIndex, arityDraw, spineDraw, argDraws], i): DagNode => {
    const v = inputCount + i;
    const op = ops[opIndex]!;
    const arity = op.minArity + (arityDraw % (op.maxArity - op.minArity + 1));
    const spine = connected ? spineDraw % arity : -1;
    let args = range(arity).map((p) => (p === spine ? v - 1 : v - 1 - (argDraws[p]! % v)));
    if (op.sameShape) {
      const kind = scalar[args[connected ? spine : 0]!]!;
      args = args.map((a) => (scalar[a] === kind ? a : nearestOfKind(scalar, a, kind)));
    }
    scalar.push(op.scalar || args.every((a) => scalar[a]));
    return { op: op.name, args };
  });
  return { nodes, scalar };
}

/** The value closest to index `a` (earlier first) whose kind is `kind`; one always exists. */
function nearestOfKind(scalar: readonly boolean[], a: number, kind: boolean): number {
  for (let d = 1; d < scalar.length; d++) {
    if (a - d >= 0 && scalar[a - d] === kind) return a - d;
    if (a + d < scalar.length && scalar[a + d] === kind) return a + d;
  }
  throw new Error("dagArb: internal error: no argument of the needed shape");
}
