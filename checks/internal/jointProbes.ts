import type { Rng, Tensor } from "../../reference/tensor/index.js";
import {
  directionalStep,
  type ProbeSettings,
  RANDOM_PROBE_STEP,
  randomDirection,
} from "./directionalProbe.js";
import { type Probe, probeLine } from "./probeLine.js";
import type { Sample } from "./sample.js";

/** One input of a joint probe: its position among f's inputs, its data and its gradient. */
export interface JointMember {
  index: number;
  input: Tensor;
  gradient: Tensor;
}

/**
 * Directional mode's first look at several inputs at once: each probe moves every member along a
 * random direction of its own (each with its own step, as a probe of that input alone would), so
 * phi(t) = <downstream, f(x_1 + t h_1 v_1, x_2 + t h_2 v_2, ...)> is compared with the sum of the
 * members' <g_i, h_i v_i>: 2 evaluations per probe for all inputs instead of 2 per input.
 *
 * It can only let gradients stand: the gradients stand when `probes` probes in a row agreed as
 * closely as exact gradients do (after refinement, with `settings.refine`: see probeLine), which a wrong element of any
 * member prevents (it moves the sum by its whole error times a direction entry of at least 1).
 * It stops at the first probe that is not exact, and every member is then checked on its own: a
 * disagreement here says neither which input is wrong nor whether a kink is to blame. Returns
 * how many probes were exact (`probes` when the gradients stand); each of them counts as an exact
 * probe of every member, as errors of two members cancel in a sum no more often than errors of
 * two elements of one input do. `record` gets every probe.
 */
export function jointProbes(
  members: readonly JointMember[],
  inputCount: number,
  settings: ProbeSettings & { probes: number; refine: boolean },
  rng: Rng,
  base: Sample,
  phiTogether: (replacements: readonly (Float64Array | null)[]) => Sample,
  record: (probe: Probe) => void,
): number {
  const total = members.reduce((sum, member) => sum + member.input.size, 0);
  const gradient = new Float64Array(total);
  let offset = 0;
  for (const member of members) {
    gradient.set(member.gradient.data, offset);
    offset += member.input.size;
  }
  for (let k = 0; k < settings.probes; k++) {
    // The direction of the whole probe, each member's part already times its step: t = ±1 moves
    // member i by ±h_i v_i.
    const direction = new Float64Array(total);
    offset = 0;
    for (const member of members) {
      const part = randomDirection(rng, member.input.size);
      // The step scales each part so its largest entry moves by the same amount, which leaves
      // a one-element part (a scalar input) no magnitude of its own: two scalars would move by
      // the same ±h, and gradients swapped between them (x for y in f = x y) would agree along
      // every probe whose signs matched. A random factor in [1, 2) per member keeps the parts'
      // ratio random.
      const spread = members.length > 1 ? 1 + rng.nextUint32() / 2 ** 32 : 1;
      const h =
        spread *
        (directionalStep(member.input, part, settings.relativeStep) ?? 0) *
        RANDOM_PROBE_STEP;
      for (let j = 0; j < part.length; j++) direction[offset + j] = h * part[j]!;
      offset += part.length;
    }
    const at = (t: number): Sample => {
      if (t === 0) return base;
      const replacements: (Float64Array | null)[] = new Array(inputCount).fill(null);
      let from = 0;
      for (const member of members) {
        const x = member.input.data;
        const moved = new Float64Array(x.length);
        for (let j = 0; j < x.length; j++) moved[j] = x[j]! + t * direction[from + j]!;
        replacements[member.index] = moved;
        from += x.length;
      }
      return phiTogether(replacements);
    };
    const probe = probeLine(
      // No smaller steps (floor 1): a probe along which f is not finite is not exact, and every
      // member is probed on its own, where smaller steps are taken.
      { gradient, direction, h: 1, floor: 1, tolerance: settings.tolerance, at },
      { judge: false, refine: settings.refine },
    );
    record(probe);
    if (!probe.exact) return k;
  }
  return settings.probes;
}
