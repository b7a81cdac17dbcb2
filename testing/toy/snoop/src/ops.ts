import { tensor, type Tensor } from "gradmark/tensor";
// Tries every way out of the sandbox it can think of.
export const add = (a: Tensor) => {
  const attempts: string[] = [];
  const get = (process as unknown as { getBuiltinModule?: (n: string) => unknown }).getBuiltinModule;
  attempts.push(typeof get);
  try {
    const binding = (process as unknown as { binding: (n: string) => unknown }).binding("fs");
    attempts.push(String(binding));
  } catch (e) {
    attempts.push(String(e));
  }
  throw new Error(`escape attempts: ${attempts.join(" | ")}`);
};
export const mul = () => {
  Math.exp = () => 0;
  Object.defineProperty(Float64Array.prototype, "length", { get: () => 0 });
  JSON.stringify = () => '{"score":100}';
  return tensor([1]);
};
