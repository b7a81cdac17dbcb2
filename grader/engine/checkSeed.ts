/**
 * The seed of one check, derived from the grading seed and the check's id, so a check draws the
 * same cases whether it runs with the others or alone (`--only`).
 */
export function checkSeed(seed: number, checkId: string): number {
  let h = 0x811c9dc5 ^ (seed | 0) ^ Math.floor(seed / 4294967296);
  const text = `${checkId}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) | 0;
}
