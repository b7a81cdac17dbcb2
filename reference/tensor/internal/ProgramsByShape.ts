/**
 * The compiled programs of one einsum spec, found by the operands' shapes: compared side by
 * side, with no key string built per call (joining the shapes into a key and hashing it cost
 * about a fifth of a small einsum). Keeps at most `capacity` shape combinations; a hit moves to
 * the front, so the front holds the shapes in use and a full list forgets the least recently
 * used. A spec typically sees one or a few combinations (a batch size or two), so the scan is
 * short.
 */
export class ProgramsByShape<P> {
  private readonly shapes: (readonly (readonly number[])[])[] = [];
  private readonly programs: P[] = [];

  constructor(private readonly capacity: number) {}

  /** The program compiled for exactly these shapes, if any. */
  find(operands: readonly { readonly shape: readonly number[] }[]): P | undefined {
    for (let entry = 0; entry < this.shapes.length; entry++) {
      if (!sameShapes(this.shapes[entry]!, operands)) continue;
      const program = this.programs[entry]!;
      if (entry > 0) this.moveToFront(entry);
      return program;
    }
    return undefined;
  }

  /** Adds a program in front; the shapes are kept, not copied (a Tensor's shape is frozen). */
  add(shapes: readonly (readonly number[])[], program: P): void {
    if (this.shapes.length >= this.capacity) {
      this.shapes.pop();
      this.programs.pop();
    }
    this.shapes.unshift(shapes);
    this.programs.unshift(program);
  }

  private moveToFront(entry: number): void {
    const shapes = this.shapes[entry]!;
    const program = this.programs[entry]!;
    for (let i = entry; i > 0; i--) {
      this.shapes[i] = this.shapes[i - 1]!;
      this.programs[i] = this.programs[i - 1]!;
    }
    this.shapes[0] = shapes;
    this.programs[0] = program;
  }
}

function sameShapes(
  shapes: readonly (readonly number[])[],
  operands: readonly { readonly shape: readonly number[] }[],
): boolean {
  if (shapes.length !== operands.length) return false;
  for (let i = 0; i < shapes.length; i++) {
    const want = shapes[i]!;
    const got = operands[i]!.shape;
    // Results pass their frozen shape on, so the same array often comes back.
    if (got === want) continue;
    if (got.length !== want.length) return false;
    for (let axis = 0; axis < want.length; axis++) if (got[axis] !== want[axis]) return false;
  }
  return true;
}
