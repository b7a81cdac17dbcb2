/**
 * gradmark's side of bench row 7: gradcheck in its default mode and in full mode on the cases
 * bench/torch/gradcheck_vs_torch.py runs torch's gradcheck on, drawn the same way.
 */
import { type GradcheckOptions, type GradientFunction, gradcheck } from "../../checks/index.js";
import type { Tensor } from "../../reference/tensor/index.js";
import {
  drawNetwork,
  LEAK,
  type NetworkShape,
  networkFunction,
  networkGradients,
  pickElement,
  plantElement,
} from "../../testing/softmaxReluNetwork.js";
import {
  type CaseName,
  emptyTally,
  meanTally,
  type Tallies,
  type Tally,
  type ToolName,
} from "./Tally.js";

/** The modes each case runs: (a) speed on the correct gradient, (c) the bugs, (d) the kink. */
const CASE_MODES: Record<CaseName, ("directional" | "full")[]> = {
  correct: ["directional"],
  "element1e-3": ["directional", "full"],
  "element1e-4": ["directional", "full"],
  leaky: ["directional", "full"],
  nearKink: ["directional", "full"],
};

const TOOL = { directional: "gradmarkDefault", full: "gradmarkFull" } as const;

/**
 * Untimed calls with the correct gradient before the timed ones, per n: at least this many, and
 * for at least WARM_UP_MS, so the JIT's tiers have compiled gradcheck's loops before any timed
 * call (a call takes 0.05 ms at small n: 10 calls left the first n's timed calls compiling).
 */
const WARM_UP_CALLS = 10;
const WARM_UP_MS = 300;

/** One call to gradcheck, its outcome added to `tally` (sums; see meanTally). */
function check(
  tally: Tally,
  inputs: [Tensor, Tensor],
  d: Tensor,
  gradients: GradientFunction,
  options: GradcheckOptions,
): void {
  const started = performance.now();
  tally.calls++;
  try {
    const report = gradcheck(networkFunction(d), gradients, inputs, options);
    tally.evaluations += report.evaluations;
    if (report.status === "failed") tally.failed++;
    if (report.status === "inconclusive") tally.inconclusive++;
  } catch {
    tally.errors++;
    tally.failed++;
  }
  tally.ms += performance.now() - started;
}

/** The cases of one seed: the data and the gradients (correct, or with a bug planted). */
function casesFor(
  shape: NetworkShape,
  seed: number,
): [CaseName, { inputs: [Tensor, Tensor]; d: Tensor; gradients: GradientFunction }][] {
  const c = drawNetwork(shape, seed, "cases");
  const inputs: [Tensor, Tensor] = [c.x, c.w];
  // The same element and sign for both sizes of error.
  const pick = pickElement(c);
  const kink = drawNetwork(shape, seed, "nearKink");
  // Where the picked input's gradient is all zero, "1e-3 x its RMS" plants nothing: such a seed
  // is left out of the element cases rather than counted as a miss.
  const planted = (relative: number) => plantElement(c, pick, relative);
  const plantsSomething = planted(1).deltas?.some((delta) => delta.some((v) => v !== 0)) ?? false;
  const elements: ReturnType<typeof casesFor> = plantsSomething
    ? [
        ["element1e-3", { inputs, d: c.d, gradients: networkGradients(c.d, planted(1e-3)) }],
        ["element1e-4", { inputs, d: c.d, gradients: networkGradients(c.d, planted(1e-4)) }],
      ]
    : [];
  return [
    ["correct", { inputs, d: c.d, gradients: networkGradients(c.d) }],
    ...elements,
    [
      "leaky",
      { inputs, d: c.d, gradients: networkGradients(c.d, { slopeBelowZero: LEAK, deltas: null }) },
    ],
    ["nearKink", { inputs: [kink.x, kink.w], d: kink.d, gradients: networkGradients(kink.d) }],
  ];
}

/** The correct case of one seed (the same as casesFor's first). */
function correctCase(shape: NetworkShape, seed: number): ReturnType<typeof casesFor>[number] {
  const c = drawNetwork(shape, seed, "cases");
  return ["correct", { inputs: [c.x, c.w], d: c.d, gradients: networkGradients(c.d) }];
}

/** Every case of every seed at one shape, in both modes; tallies per case and tool. */
export function runGradmarkSide(shape: NetworkShape, seeds: number): Tallies {
  // Untimed warm-up calls: the JIT's first compilations are not gradcheck's cost. Ten, as the
  // speed pass comes first (one call left the first n's timed calls compiling, 10x its warm mean).
  const warm = drawNetwork(shape, 0, "warmUp");
  const warmStart = performance.now();
  for (let k = 0; k < WARM_UP_CALLS || performance.now() - warmStart < WARM_UP_MS; k++) {
    gradcheck(networkFunction(warm.d), networkGradients(warm.d), [warm.x, warm.w], { seed: k });
  }
  const sums = Object.fromEntries(
    Object.entries(CASE_MODES).map(([name, modes]) => [
      name,
      Object.fromEntries(modes.map((mode) => [TOOL[mode], emptyTally()])),
    ]),
  ) as Record<CaseName, Partial<Record<ToolName, Tally>>>;
  // The correct gradient (the speed figures) in a pass of its own, first: interleaved with the
  // other cases, its calls paid for collecting their garbage (a full-mode check at n = 6144
  // allocates 12289 copies of the inputs), which doubled gradmark's time per call there and
  // is no cost of the call itself. torch's side frees as it goes (reference counting).
  for (const speedPass of [true, false]) {
    for (let seed = 0; seed < seeds; seed++) {
      // The speed pass draws the correct case alone: drawing the planted ones left garbage that
      // the timed calls then collected.
      const cases = speedPass ? [correctCase(shape, seed)] : casesFor(shape, seed);
      for (const [name, c] of cases) {
        if ((name === "correct") !== speedPass) continue;
        for (const mode of CASE_MODES[name]) {
          check(sums[name][TOOL[mode]]!, c.inputs, c.d, c.gradients, { seed, mode });
        }
      }
    }
  }
  const tallies: Tallies = {};
  for (const [name, byTool] of Object.entries(sums) as [CaseName, Tallies[CaseName]][]) {
    tallies[name] = Object.fromEntries(
      Object.entries(byTool ?? {}).map(([tool, tally]) => [tool, meanTally(tally)]),
    );
  }
  return tallies;
}
