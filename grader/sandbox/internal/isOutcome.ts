import type { Outcome } from "../protocol.js";

/** A well-formed outcome (the child is untrusted: anything else counts as a crash). */
export function isOutcome(value: unknown): value is Outcome {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Record<string, unknown>;
  switch (o.kind) {
    case "ok":
      return typeof o.ms === "number" && "value" in o;
    case "not-implemented":
      return typeof o.message === "string";
    case "load-error":
      return typeof o.module === "string" && typeof o.message === "string";
    case "threw":
      return (
        typeof o.name === "string" && typeof o.message === "string" && typeof o.stack === "string"
      );
    default:
      return false;
  }
}
