"""torch's side of bench row 7 (bench/gradcheckVsTorch.ts): torch.autograd.gradcheck, in fast
and slow mode, and a PA1-style numpy check on f(X, W) = <D, softmax(relu(X W))>.

    python3 bench/torch/gradcheck_vs_torch.py --shapes 3:3:3,6:8:6 --seeds 100,100

Each shape is batch:inner:classes (X is batch x inner, W inner x classes). For every shape and
seed it draws X, W and D from a standard normal and runs every tool on the correct gradient,
on three planted bugs and on a correct gradient with one entry of X W within 1e-7 of ReLU's
kink. It prints one JSON object to stdout (progress goes to stderr); the TypeScript side draws
its own data the same way, so rates over seeds are compared, not single cases.
"""

import argparse
import json
import platform
import sys
import time

import numpy as np
import torch

# The planted bugs: one element of one input's gradient moved by this times that gradient's
# RMS, or ReLU's backward leaking this slope below 0.
ELEMENT_ERRORS = {"element1e-3": 1e-3, "element1e-4": 1e-4}
LEAK = 1e-3
# How close to ReLU's kink the near-kink entry of X W is put.
KINK_MARGIN = 1e-7
# The PA1-style check: one-sided differences, and one relative error per input's gradient.
PA1_STEP = 1e-8
PA1_THRESHOLD = 1e-5


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", required=True, help="batch:inner:classes,... (comma-separated)")
    parser.add_argument("--seeds", required=True, help="seeds per shape, comma-separated")
    args = parser.parse_args(argv)
    shapes = [tuple(int(v) for v in s.split(":")) for s in args.shapes.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    if len(seeds) != len(shapes) or any(len(s) != 3 for s in shapes):
        parser.error("--seeds needs one count per shape, and every shape three sizes")
    return shapes, seeds


# Independent streams per seed: the cases' data, the near-kink case's, the warm-up's.
STREAMS = {"cases": 0, "nearKink": 1, "warmUp": 2}


def draw(shape, seed, stream):
    """Standard normal X, W, D (and the generator, for the planted element's draw); in the
    near-kink stream one entry of X W is then put next to ReLU's kink."""
    batch, inner, classes = shape
    size = batch * inner + inner * classes
    rng = np.random.default_rng([size, seed, STREAMS[stream]])
    x = rng.standard_normal((batch, inner))
    w = rng.standard_normal((inner, classes))
    d = rng.standard_normal((batch, classes))
    if stream == "nearKink":
        place_near_kink(x, w, rng)
    return x, w, d, rng


def place_near_kink(x, w, rng):
    """Moves one row of X the least that puts one entry of X W at a random value within the
    margin of 0 (one projection does it: the entry is linear in the row)."""
    row = rng.integers(x.shape[0])
    col = rng.integers(w.shape[1])
    target = rng.uniform(-KINK_MARGIN, KINK_MARGIN)
    column = w[:, col]
    x[row] -= (x[row] @ column - target) / (column @ column) * column


def forward_np(x, w, d):
    """f and what the backward needs: X W and the softmax."""
    z = x @ w
    a = np.maximum(z, 0.0)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float((d * p).sum()), z, p


def gradients_np(x, w, d, slope):
    """The gradients of f for a downstream gradient of 1; ReLU's backward has `slope` below 0
    (0 is correct)."""
    _, z, p = forward_np(x, w, d)
    dz = p * (d - (p * d).sum(axis=1, keepdims=True)) * np.where(z > 0, 1.0, slope)
    return [dz @ w.T, x.T @ dz]


class Bug:
    """What is wrong with a gradient: ReLU's slope below 0, and an added constant (per input)."""

    def __init__(self, slope=0.0, deltas=None):
        self.slope = slope
        self.deltas = deltas


def pick_element(x, w, rng):
    """Which element a planted error moves (flat over X's then W's elements) and which way."""
    at = int(rng.integers(x.size + w.size))
    return at, (-1.0 if rng.uniform() < 0.5 else 1.0)


def plant_element(x, w, d, pick, relative):
    """The element moved by `relative` x the RMS of its input's correct gradient; None when that
    gradient is all zero (nothing would be planted: the seed is left out of the element cases)."""
    at, sign = pick
    grads = gradients_np(x, w, d, 0.0)
    which = 0 if at < x.size else 1
    deltas = [np.zeros_like(x), np.zeros_like(w)]
    rms = np.sqrt(np.mean(grads[which] ** 2))
    if rms == 0:
        return None
    deltas[which].reshape(-1)[at - which * x.size] = sign * relative * rms
    return Bug(deltas=deltas)


class Network(torch.autograd.Function):
    """f as one torch operation whose backward is written out, so a bug can be planted in it."""

    @staticmethod
    def forward(ctx, x, w, d, bug):
        z = x @ w
        p = torch.softmax(torch.relu(z), dim=-1)
        ctx.save_for_backward(x, w, d, z, p)
        ctx.bug = bug
        return (d * p).sum()

    @staticmethod
    def backward(ctx, g):
        x, w, d, z, p = ctx.saved_tensors
        bug = ctx.bug
        relu_slope = (z > 0).to(z.dtype) * (1.0 - bug.slope) + bug.slope
        dz = p * (d - (p * d).sum(dim=-1, keepdim=True)) * relu_slope
        dx, dw = dz @ w.T, x.T @ dz
        if bug.deltas is not None:
            dx = dx + bug.deltas[0]
            dw = dw + bug.deltas[1]
        # Scaled by g, so a zero downstream gradient gives zero (torch's gradcheck checks that).
        return g * dx, g * dw, None, None


def torch_check(x, w, d, bug, fast):
    """One torch.autograd.gradcheck call (defaults, but for fast_mode): failed?, evaluations of
    f (every forward call, counted by the wrapper), milliseconds, and any unexpected error."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    dt = torch.tensor(d, dtype=torch.float64)
    deltas = None if bug.deltas is None else [torch.tensor(v) for v in bug.deltas]
    torch_bug = Bug(bug.slope, deltas)
    calls = [0]

    def f(xx, ww):
        calls[0] += 1
        return Network.apply(xx, ww, dt, torch_bug)

    error = None
    started = time.perf_counter()
    try:
        passed = torch.autograd.gradcheck(f, (xt, wt), fast_mode=fast, raise_exception=False)
    except Exception as e:  # noqa: BLE001 - anything but a GradcheckError is counted, not fatal
        passed, error = False, f"{type(e).__name__}: {e}"
    ms = (time.perf_counter() - started) * 1000
    return not passed, calls[0], ms, error


def pa1_check(x, w, d, bug):
    """The PA1-style check: one-sided differences with step 1e-8 against the (possibly buggy)
    gradient; an input fails when max|a - n| / max(|a| + |n|) >= 1e-5."""
    started = time.perf_counter()
    grads = gradients_np(x, w, d, bug.slope)
    if bug.deltas is not None:
        grads = [g + delta for g, delta in zip(grads, bug.deltas)]
    inputs = [x.copy(), w.copy()]
    base = forward_np(inputs[0], inputs[1], d)[0]
    evaluations = 1
    failed = False
    for analytic, moved in zip(grads, inputs):
        flat = moved.reshape(-1)
        numerical = np.empty(flat.size)
        for i in range(flat.size):
            kept = flat[i]
            flat[i] = kept + PA1_STEP
            numerical[i] = (forward_np(inputs[0], inputs[1], d)[0] - base) / PA1_STEP
            flat[i] = kept
        evaluations += flat.size
        a = analytic.reshape(-1)
        error = np.max(np.abs(a - numerical)) / max(np.max(np.abs(a) + np.abs(numerical)), 1e-300)
        if not error < PA1_THRESHOLD:
            failed = True
    return failed, evaluations, (time.perf_counter() - started) * 1000, None


TOOLS = {
    "torchFast": lambda x, w, d, bug: torch_check(x, w, d, bug, True),
    "torchSlow": lambda x, w, d, bug: torch_check(x, w, d, bug, False),
    "pa1": pa1_check,
}
# The tools each case runs: (a) speed with the correct gradient, (c) the bugs, (d) the kink.
CASE_TOOLS = {
    "correct": ["torchFast", "torchSlow"],
    "element1e-3": ["torchFast", "torchSlow", "pa1"],
    "element1e-4": ["torchFast", "torchSlow", "pa1"],
    "leaky": ["torchFast", "torchSlow", "pa1"],
    "nearKink": ["torchFast", "torchSlow", "pa1"],
}


def empty_tally():
    """Sums per case and tool; run_shape turns evaluations and ms into means per call."""
    return {"calls": 0, "failed": 0, "inconclusive": 0, "errors": 0, "evaluations": 0, "ms": 0.0}


def record(tally, outcome, errors):
    """Adds one call's outcome; keeps the first few unexpected errors' messages."""
    failed, evaluations, ms, error = outcome
    tally["calls"] += 1
    tally["failed"] += int(failed)
    tally["evaluations"] += evaluations
    tally["ms"] += ms
    if error is not None:
        tally["errors"] += 1
        if len(errors) < 5:
            errors.append(error)


def cases_for(shape, seed):
    """The cases of one seed: name -> (X, W, D, bug)."""
    x, w, d, rng = draw(shape, seed, "cases")
    # The same element and sign for both sizes of error.
    pick = pick_element(x, w, rng)
    cases = {"correct": (x, w, d, Bug())}
    for name, relative in ELEMENT_ERRORS.items():
        bug = plant_element(x, w, d, pick, relative)
        if bug is not None:
            cases[name] = (x, w, d, bug)
    cases["leaky"] = (x, w, d, Bug(slope=LEAK))
    kx, kw, kd, _ = draw(shape, seed, "nearKink")
    cases["nearKink"] = (kx, kw, kd, Bug())
    return cases


def run_shape(shape, seeds, errors):
    """Every case of every seed at one shape, with every tool; tallies per case and tool."""
    tallies = {case: {tool: empty_tally() for tool in tools} for case, tools in CASE_TOOLS.items()}
    # Untimed warm-up of both torch modes (first-call costs are not gradcheck's).
    x, w, d, _ = draw(shape, 0, "warmUp")
    for fast in (True, False):
        torch_check(x, w, d, Bug(), fast)
    for seed in range(seeds):
        for case, (x, w, d, bug) in cases_for(shape, seed).items():
            for tool in CASE_TOOLS[case]:
                record(tallies[case][tool], TOOLS[tool](x, w, d, bug), errors)
    for by_tool in tallies.values():
        for tally in by_tool.values():
            tally["evaluations"] /= max(tally["calls"], 1)
            tally["ms"] /= max(tally["calls"], 1)
    batch, inner, classes = shape
    return {
        "n": batch * inner + inner * classes,
        "shape": {"batch": batch, "inner": inner, "classes": classes},
        "seeds": seeds,
        "tallies": tallies,
    }


def self_check():
    """The written-out backward against torch's own autograd of the same forward."""
    x, w, d, _ = draw((4, 5, 3), 0, "warmUp")
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    dt = torch.tensor(d)
    (dt * torch.softmax(torch.relu(xt @ wt), dim=-1)).sum().backward()
    expected = [xt.grad.numpy(), wt.grad.numpy()]
    xt.grad = None
    wt.grad = None
    Network.apply(xt, wt, dt, Bug()).backward()
    got = [xt.grad.numpy(), wt.grad.numpy()] + gradients_np(x, w, d, 0.0)
    return max(float(np.max(np.abs(g - expected[i % 2]))) for i, g in enumerate(got))


def main(argv):
    shapes, seeds = parse_args(argv)
    # gradmark runs on one thread; so does torch here.
    torch.set_num_threads(1)
    difference = self_check()
    if not difference < 1e-12:
        sys.exit(f"self-check: the written-out backward differs from autograd by {difference}")
    errors = []
    points = []
    for shape, count in zip(shapes, seeds):
        started = time.perf_counter()
        points.append(run_shape(shape, count, errors))
        seconds = time.perf_counter() - started
        print(f"[torch] n={points[-1]['n']}: {seconds:.1f} s", file=sys.stderr)
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "numpy": np.__version__,
                "threads": torch.get_num_threads(),
                "selfCheck": difference,
                "errors": errors[:5],
                "points": points,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
