import { fileURLToPath } from "node:url";
import { defineAssignment } from "gradmark";
import {
  backwardPayload,
  batches,
  forwardPayload,
  judgeBackward,
  judgeForward,
  judgeUnchanged,
} from "./cases.js";
import { hiddenChecks } from "./checks.hidden.js";

export default defineAssignment({
  id: "normalization",
  title: "Batch normalization",
  seed: 19,
  modules: ["layers"], // src/layers.ts
  drivers: fileURLToPath(new URL("./drivers.ts", import.meta.url)),
  defaults: { runs: 30, tolerance: { atol: 1e-5, rtol: 1e-4 } },
  problems: [
    {
      id: "1",
      title: "BatchNorm",
      module: "layers",
      checks: [
        {
          id: "1.BatchNorm.forward",
          title: "BatchNorm.forward(x)",
          points: 4,
          cases: batches(2, 8, 4),
          driver: "batchNorm",
          payload: forwardPayload,
          judge: judgeForward,
        },
        {
          id: "1.BatchNorm.backward",
          title: "BatchNorm.backward(g) after forward(x)",
          points: 4,
          cases: batches(2, 8, 4),
          driver: "batchNorm",
          payload: backwardPayload,
          judge: judgeBackward,
        },
        {
          id: "1.BatchNorm.immutable",
          title: "forward and backward leave x and g unchanged",
          points: 2,
          cases: batches(2, 8, 4),
          driver: "batchNorm",
          payload: backwardPayload,
          judge: judgeUnchanged,
        },
        ...hiddenChecks,
      ],
    },
  ],
});
