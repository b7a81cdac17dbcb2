import { backwardPayload, batches, judgeBackward } from "./cases.js";

/** Hidden: backward on larger batches (only `grade` runs it; students' copies get []). */
export const hiddenChecks = [
  {
    id: "1.BatchNorm.backward.large",
    title: "BatchNorm.backward on batches of 16 to 64",
    points: 3,
    hidden: true,
    runs: 10,
    cases: batches(16, 64, 8),
    driver: "batchNorm",
    payload: backwardPayload,
    judge: judgeBackward,
  },
];
