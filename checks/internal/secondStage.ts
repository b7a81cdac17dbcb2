import { Rng, type Tensor } from "../../reference/tensor/index.js";
import { isClose } from "./close.js";
import { directionalProbe, type Probe, type ProbeSettings } from "./directionalProbe.js";
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

/**
 * How many of a level's blocks that are not exact are halved and followed to the next level:
 * the most suspicious ones (largest residual over an exact gradient's rounding).
 */
const SECOND_STAGE_WIDTH = 2;

/**
 * Directional mode's second stage, for probes that agreed within the tolerance but less closely
 * than an exact gradient does. The elements, in a seeded random order, are dealt into blocks of
 * at most `blockSize`; each block is probed along ±1 on its elements (0 elsewhere), so a wrong
 * element moves its block's projection by its whole error (no small v_j can hide it), against an
 * allowance that grows with the block, not the input. Of the blocks that agree, but again less
 * closely than an exact gradient, the SECOND_STAGE_WIDTH most suspicious are halved and their
 * halves probed, down to single elements, which are held to the per-element tolerance.
 *
 * Ranking, not a cut-off: the bend of a smooth f makes every large block of a correct gradient
 * a little less than exact (its residual shrinks with the block), while one wrong element keeps
 * its whole error in each block it is in; following all inexact blocks stopped where there were
 * too many (one element off by 1e-3 of the RMS was missed in 10% of seeds at n = 6144), and the
 * top-ranked ones are the wrong element's. A single wrong element is followed down to its own
 * tolerance in 2 log2(blockSize) more probes.
 *
 * Every probe is appended to `blocks`, and handed to `onProbe` with its elements (the
 * explanation of a failure starts from them). Returns false when a probe disagrees (the
 * explanation then decides, with kinks left out; a block is not judged for kinks here, as that
 * would not change where it goes), true when the gradient stands. Evaluations: at most
 * {@link secondStageCost}.
 */
export function secondStage(
  index: number,
  blocks: BlockProbe[],
  gradient: Tensor,
  input: Tensor,
  settings: SecondStageSettings,
  base: Sample,
  phiAt: (x: Float64Array) => Sample,
  onProbe: (elements: readonly number[], probe: Probe) => void = () => {},
): boolean {
  const { level: first, sign } = firstLevel(settings.seed, index, input.size, settings.blockSize);
  const direction = new Float64Array(input.size);
  let level = first;
  while (level.length > 0) {
    const suspicious: { block: number[]; suspicion: number }[] = [];
    for (const block of level) {
      for (const j of block) direction[j] = sign[j]!;
      const probe = directionalProbe(gradient, input, settings, direction, base, phiAt, {
        judge: false,
        refine: false,
      });
      for (const j of block) direction[j] = 0;
      onProbe(block, probe);
      blocks.push({
        elements: block.length,
        numerical: probe.numerical,
        analytic: probe.analytic,
        kink: probe.kink,
      });
      if (probe.nonFinite || !probe.agrees) return false;
      if (probe.exact) continue;
      if (block.length === 1) {
        // One element: its probe is the per-element central difference (the same step), so it
        // is held to the per-element tolerance as full mode holds it (atol + rtol |N|, not the
        // projected allowance 3 (atol + rtol |g|)); beyond it the per-element comparison
        // decides, where kinks and imprecise elements are left out as in full mode.
        const j = block[0]!;
        const { atol, rtol } = settings.tolerance;
        if (!isClose(probe.analytic * sign[j]!, probe.numerical * sign[j]!, atol, rtol)) {
          return false;
        }
        continue;
      }
      suspicious.push({ block, suspicion: probe.suspicion });
    }
    // Stable: equal suspicions keep the seeded order.
    suspicious.sort((a, b) => b.suspicion - a.suspicion);
    level = suspicious.slice(0, SECOND_STAGE_WIDTH).flatMap(({ block }) => halves(block));
  }
  return true;
}

/** A block's two halves, the first one the larger (the second stage and the explanation agree). */
export function halves<T>(block: readonly T[]): [T[], T[]] {
  const half = Math.ceil(block.length / 2);
  return [block.slice(0, half), block.slice(half)];
}

/**
 * The second stage's first level of blocks for input `index` and each element's sign in the
 * probes, drawn from the seed: the same on every call.
 */
export function firstLevel(
  seed: number | string,
  index: number,
  n: number,
  blockSize: number,
): { level: number[][]; sign: Float64Array } {
  return dealBlocks(new Rng(`${seed}:blocks:${index}`), n, blockSize);
}

/**
 * The most evaluations {@link secondStage} makes on n elements: 2 per block of the first level,
 * then 2 halves of SECOND_STAGE_WIDTH blocks, 2 evaluations each, per halving down to one.
 */
export function secondStageCost(n: number, blockSize: number): number {
  const first = Math.ceil(n / blockSize);
  const halvings = Math.ceil(Math.log2(Math.max(1, Math.min(n, blockSize))));
  return 2 * first + 4 * SECOND_STAGE_WIDTH * halvings;
}

/**
 * Whether n elements are few enough that their per-element comparison (2 evaluations each)
 * costs no more than the second stage could (up to 21 elements at the default block size): an
 * input that small skips the second stage, and an explanation compares that many elements one
 * by one, when the evaluations allow, rather than look further for the wrong ones.
 */
export function comparedPerElement(n: number, blockSize: number): boolean {
  return 2 * n <= secondStageCost(n, blockSize);
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
