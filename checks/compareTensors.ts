/** Comparing a result with the expected tensor, with blame and hints; see internal/compareTensors.ts. */
export {
  type CompareOptions,
  type Comparison,
  type ComparisonOutcome,
  compareTensors,
  DEFAULT_TOLERANCE,
  type ExcludedElements,
  type Tolerance,
  type WorstElement,
} from "./internal/compareTensors.js";
