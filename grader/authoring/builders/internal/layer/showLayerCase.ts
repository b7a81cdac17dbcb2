/** A layer case as a student reads it: the constructor call, its tensors and the second round. */
import { showValue } from "../../../judge.js";
import type { LayerCase, LayerPlan } from "./layerCase.js";

/** `new Linear(W) with` and every tensor of the case by name. */
export function showLayerCase<C extends LayerCase>(plan: LayerPlan<C>, c: C): string {
  const parts: Record<string, unknown> = { [plan.inputName]: c.inputs[0] };
  plan.parameterNames.forEach((name, i) => {
    parts[name] = c.inputs[i + 1];
  });
  plan.constantNames.forEach((name, i) => {
    parts[name] = c.constants?.[i];
  });
  parts["downstream gradient"] = c.downstream;
  return `${constructorCall(plan)} with\n${showValue(parts)}`;
}

/** `new Linear(W)`: the constructor with its arguments' names. */
export function constructorCall<C extends LayerCase>(plan: LayerPlan<C>): string {
  return `new ${plan.exportName}(${[...plan.parameterNames, ...plan.constantNames].join(", ")})`;
}

/** The second round's part of a layer case, shown with the first. */
export function showAgain<C extends LayerCase>(
  plan: LayerPlan<C>,
  c: C,
  mode: "forward" | "full",
): string {
  if (!c.again) return "";
  const parts: Record<string, unknown> = {
    [`second forward's ${plan.inputName}`]: c.again.input,
  };
  if (mode === "full") parts["second downstream gradient"] = c.again.downstream;
  const steps =
    mode === "forward"
      ? "then, on the same object, forward again"
      : "then, on the same object, forward and backward again, and backward once more";
  return `\n${steps}, with\n${showValue(parts)}`;
}
