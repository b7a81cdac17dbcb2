/** gradmark's programmatic API. The grader lands here; for now it re-exports the version. */
export { version } from "./version.js";
