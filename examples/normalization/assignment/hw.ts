import { defineAssignment, functionChecks, layerChecks } from "gradmark";
import { batches, rows, spreadBatch } from "./cases.js";
import { hiddenChecks } from "./checks.hidden.js";
import { batchNorm, rmsNorm } from "./reference.js";

export default defineAssignment({
  id: "normalization",
  title: "Normalization layers",
  seed: 19,
  modules: ["layers", "functions"], // src/layers.ts, src/functions.ts
  defaults: { runs: 30, tolerance: { atol: 1e-5, rtol: 1e-4 } },
  problems: [
    {
      id: "1",
      title: "BatchNorm",
      module: "layers",
      checks: [
        ...layerChecks({
          module: "layers",
          exportName: "BatchNorm",
          id: "1.BatchNorm",
          reference: batchNorm,
          inputs: batches(2, 8, 4),
          secondInput: spreadBatch,
          points: { forward: 3, backward: 3, consistent: 1, shapes: 1, immutable: 2 },
        }),
        ...hiddenChecks,
      ],
    },
    {
      id: "2",
      title: "rmsNorm as a pair of functions",
      module: "functions",
      checks: functionChecks({
        module: "functions",
        exportName: "rmsNorm",
        id: "2.rmsNorm",
        cases: rows,
        argNames: ["x"],
        reference: rmsNorm,
        backward: { exportName: "rmsNormBackward" },
        points: { values: 2, shape: 0.5, immutable: 0.5, backward: 3, consistent: 1 },
      }),
    },
  ],
});
