import { Rng, type Tensor } from "../../reference/tensor/index.js";
import { isClose } from "./close.js";
import { directionalProbe, type ProbeSettings } from "./directionalProbe.js";
import type { Sample } from "./sample.js";

/** What the second stage needs of gradcheck's settings. */
export interface SecondStageSettings extends ProbeSettings {
  seed: number | string;
  blockSize: number;
}

/** One probe of the second stage, as a report lists it. */
export interface BlockProbe {
  elements: number;
  numerical: number;
  analytic: number;
  kink: boolean;
}

/** At most this many blocks are looked into at each level of the second stage. */
const SECOND_STAGE_WIDTH = 4;

/**
 * Directional mode's second stage, for probes that agreed within the tolerance but less closely
 * than an exact gradient does. The elements, in a seeded random order, are dealt into blocks of
 * at most `blockSize`; each block is probed along ±1 on its elements (0 elsewhere), so a wrong
 * element moves its block's projection by its whole error (no small v_j can hide it), against an
 * allowance that grows with the block, not the input. A block that agrees, but again less
 * closely than an exact gradient, is halved and its halves probed, down to single elements: a
 * single wrong element is followed down to its own tolerance in 2 log2(blockSize) more probes.
 * Errors spread everywhere (more than SECOND_STAGE_WIDTH suspicious blocks at one level) are
 * what the allowance is for: the stage ends there. Every probe is appended to `blocks`.
 * Returns false when a probe disagrees or cannot decide (the per-element comparison then
 * decides), true when the gradient stands.
 * 2 evaluations per probe: about 2 n / blockSize + 4 log2(blockSize) SECOND_STAGE_WIDTH.
 */
export function secondStage(
  index: number,
  blocks: BlockProbe[],
  gradient: Tensor,
  input: Tensor,
  settings: SecondStageSettings,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
): boolean {
  const n = input.size;
  const rng = new Rng(`${settings.seed}:blocks:${index}`);
  const { level: first, sign } = dealBlocks(rng, n, settings.blockSize);
  let level = first;
  while (level.length > 0) {
    const next: number[][] = [];
    for (const block of level) {
      const direction = new Float64Array(n);
      for (const j of block) direction[j] = sign[j]!;
      const probe = directionalProbe(gradient, input, settings, direction, base, phiAt);
      blocks.push({
        elements: block.length,
        numerical: probe.numerical,
        analytic: probe.analytic,
        kink: probe.kink,
      });
      if (probe.nonFinite || probe.kink || !probe.agrees) return false;
      if (block.length === 1 && !probe.exact) {
        // One element: its probe is the per-element central difference (the same step), so it
        // is held to the per-element tolerance as full mode holds it (atol + rtol |N|, not the
        // projected allowance 3 (atol + rtol |g|)); beyond it the per-element comparison
        // decides, where kinks and imprecise elements are left out as in full mode.
        const j = block[0]!;
        const { atol, rtol } = settings.tolerance;
        if (!isClose(probe.analytic * sign[j]!, probe.numerical * sign[j]!, atol, rtol)) {
          return false;
        }
      }
      if (!probe.exact && block.length > 1) {
        const half = Math.ceil(block.length / 2);
        next.push(block.slice(0, half), block.slice(half));
      }
    }
    if (next.length > 2 * SECOND_STAGE_WIDTH) return true;
    level = next;
  }
  return true;
}

/**
 * The first level of blocks (n elements shuffled by `rng`, dealt round-robin into blocks of at
 * most `blockSize`) and each element's sign in the probes, drawn after the shuffle.
 */
function dealBlocks(
  rng: Rng,
  n: number,
  blockSize: number,
): { level: number[][]; sign: Float64Array } {
  const order = Array.from({ length: n }, (_, j) => j);
  for (let j = n - 1; j > 0; j--) {
    const k = rng.int(j + 1);
    [order[j], order[k]] = [order[k]!, order[j]!];
  }
  const count = Math.ceil(n / blockSize);
  const level: number[][] = Array.from({ length: count }, () => []);
  order.forEach((element, at) => {
    level[at % count]!.push(element);
  });
  const sign = new Float64Array(n);
  for (let j = 0; j < n; j++) sign[j] = rng.uniform() < 0.5 ? -1 : 1;
  return { level, sign };
}
