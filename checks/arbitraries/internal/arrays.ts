/** Arrays with a minimum length that still shrink by removing any element. */
import fc from "fast-check";

/**
 * Like fc.array(item, { minLength, maxLength }), but shrinking can remove any element.
 *
 * fast-check removes elements from the front when shrinking an array's length, and removes the
 * others only while the rest stays longer than minLength; so with minLength 1, [x, y] can shrink
 * to [y] but never to [x]. Here the array itself has minLength 0, and while it is shorter than
 * minLength it is completed from a fixed-length reserve (entry i at position i), which shrinks
 * element by element. Lengths below minLength all become minLength, so that length is a little
 * more frequent than with fc.array.
 */
export function flexibleArray<T>(
  item: fc.Arbitrary<T>,
  minLength: number,
  maxLength: number,
): fc.Arbitrary<T[]> {
  const free = fc.array(item, { minLength: 0, maxLength, size: "max" });
  if (minLength === 0) return free;
  return fc
    .tuple(free, fc.array(item, { minLength, maxLength: minLength }))
    .map(([items, reserve]) =>
      items.length >= minLength ? items : items.concat(reserve.slice(items.length)),
    );
}
