/** Central differences with a step scaled to each element; see internal/centralDifferences.ts. */
export {
  type CentralDifferenceOptions,
  centralDifferences,
  DEFAULT_RELATIVE_STEP,
  type StepScale,
  stepFor,
} from "./internal/centralDifferences.js";
