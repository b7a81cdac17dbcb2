export {
  type GradescopeAutograderOptions,
  type GradescopeHiddenVisibility,
  writeGradescopeAutograder,
} from "./writeGradescopeAutograder.js";
