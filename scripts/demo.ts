/**
 * `npm start` until the grader lands: the kit and the staff solution on the lecture's worked
 * examples, each line checked against the value the lecture gives.
 */
import { trainClassifier } from "../reference/forward/trainClassifier.js";
import * as autograd from "../reference/solution/autograd";
import { contract, slideEinsum } from "../reference/solution/contractions";
import * as derivatives from "../reference/solution/derivatives";
import * as layers from "../reference/solution/layers";
import * as training from "../reference/solution/training";
import { arange, einsum, randn, Tensor, tensor } from "../reference/tensor/index.js";

let failures = 0;
const show = (label: string, value: unknown, expected?: unknown) => {
  const text =
    typeof value === "object" && !(value instanceof Tensor) ? JSON.stringify(value) : String(value);
  const ok = expected === undefined || text === JSON.stringify(expected);
  if (!ok) failures++;
  const mark = expected === undefined ? " " : ok ? "✓" : "✗";
  console.log(`${mark} ${label}\n    ${text.replaceAll("\n", "\n    ")}`);
};

console.log("gradmark demo: the tensor kit and the staff solution on the lecture's examples\n");
const X = arange(24).reshape(2, 3, 4);
const Y = arange(30).reshape(3, 2, 5);
show("einsum('abc, bad -> ab', X, Y)", einsum("abc, bad -> ab", X, Y));
show(
  "slideEinsum(X, Y) agrees",
  slideEinsum(X, Y).toArray(),
  einsum("abc,bad->ab", X, Y).toArray(),
);
show(
  "einsum('ii->', [[1,2],[3,4]]) (trace)",
  einsum(
    "ii->",
    tensor([
      [1, 2],
      [3, 4],
    ]),
  ).item(),
  5,
);
show(
  "contract(A [2,5,4,6], B [4,6,8,2], 2).shape",
  contract(randn([2, 5, 4, 6], 1), randn([4, 6, 8, 2], 2), 2).shape,
  [2, 5, 8, 2],
);
show(
  "D[(x1^2, x1 x2 x3)] at (1, 2, 3)",
  derivatives.jacobianSquareProd(tensor([1, 2, 3])).toArray(),
  [
    [2, 6],
    [0, 3],
    [0, 2],
  ],
);
show("D[(x2^2, x1 + x2, x1 x2)] at (1, 2)", derivatives.jacobianMixed(tensor([1, 2])).toArray(), [
  [0, 1, 2],
  [4, 1, 1],
]);
show("chain rule example at (2, 2, 3)", derivatives.chainRuleExample(2, 2, 3), 40);

// Z = x1^3 x2 built from the engine's operations, then backpropagated.
const x1 = new autograd.Variable(tensor(2));
const x2 = new autograd.Variable(tensor(3));
const z = autograd.mul(autograd.pow(x1, 3), x2);
z.backward();
show("engine: D_X[x1^3 x2] at (2, 3)", [x1.grad?.item(), x2.grad?.item()], [36, 8]);

const started = performance.now();
const result = trainClassifier({ ...layers, ...training }, { seed: 0 });
const seconds = ((performance.now() - started) / 1000).toFixed(2);
show(
  `training [Linear, Bias, ReLU, Linear, Bias, SoftMax] on the 3-class spirals (${seconds} s)`,
  `held-out accuracy ${(result.accuracy * 100).toFixed(1)}% after ${result.steps} SGD steps`,
);

console.log(failures === 0 ? "\nall lecture values hold" : `\n${failures} value(s) disagree`);
process.exitCode = failures === 0 ? 0 : 1;
