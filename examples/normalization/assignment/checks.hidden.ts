import { layerChecks } from "gradmark";
import { batches, spreadBatch } from "./cases.js";
import { batchNorm } from "./reference.js";

/** Hidden: BatchNorm on batches of 16 to 64 (only `grade` runs it; students' copies get []). */
export const hiddenChecks = layerChecks({
  module: "layers",
  exportName: "BatchNorm",
  id: "1.BatchNorm.large",
  reference: batchNorm,
  inputs: batches(16, 64, 8),
  secondInput: spreadBatch,
  titleNote: "batches of 16 to 64",
  points: { forward: 1, backward: 2 },
  runs: 10,
  hidden: true,
});
