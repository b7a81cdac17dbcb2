/** The hints of a failed comparison (transposed, sign, factor, missing sum, ...); see internal/diagnose.ts. */
export {
  type DiagnoseContext,
  diagnose,
  type Hint,
  type HintKind,
  type HintPattern,
  registerHintPattern,
} from "./internal/diagnose.js";
