/** Readable, numpy-like text for tensors: used by toString and by grader reports. */

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Object.is(value, -0)) return "-0";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    return value.toExponential(5).replace(/\.?0+e/, "e");
  }
  return String(Number(value.toPrecision(6)));
}

/**
 * Nested-bracket text of row-major `data` with `shape`, right-aligned per tensor.
 * Tensors larger than a thousand elements show only their first and last entries per axis.
 */
export function formatData(data: ArrayLike<number>, shape: readonly number[]): string {
  if (shape.length === 0) return formatNumber(data[0]!);
  let size = 1;
  for (const side of shape) size *= side;
  const summarize = size > SUMMARY_THRESHOLD;
  const strides: number[] = [];
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  const shown = (side: number): number[] => {
    if (!summarize || side <= 2 * EDGE_ITEMS) return Array.from({ length: side }, (_, i) => i);
    return [0, 1, 2, -1, side - 3, side - 2, side - 1];
  };
  let width = 1;
  const collect = (axis: number, offset: number): void => {
    for (const i of shown(shape[axis]!)) {
      if (i < 0) continue;
      const at = offset + i * strides[axis]!;
      if (axis === shape.length - 1) width = Math.max(width, formatNumber(data[at]!).length);
      else collect(axis + 1, at);
    }
  };
  collect(0, 0);
  const render = (axis: number, offset: number, indent: string): string => {
    const items: string[] = [];
    for (const i of shown(shape[axis]!)) {
      if (i < 0) {
        items.push("...");
        continue;
      }
      const at = offset + i * strides[axis]!;
      items.push(
        axis === shape.length - 1
          ? formatNumber(data[at]!).padStart(width)
          : render(axis + 1, at, `${indent} `),
      );
    }
    if (axis === shape.length - 1) return `[${items.join(", ")}]`;
    const gap = `,${"\n".repeat(shape.length - 1 - axis)}${indent} `;
    return `[${items.join(gap)}]`;
  };
  return render(0, 0, "");
}
