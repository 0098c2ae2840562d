"""PyTorch's side of bench/alexnet_step_bench.cpp: one AlexNet–CIFAR-100 training step on the CPU.

  torch_alexnet_step.py [--steps N] [--warmup W] [--threads T] [--no-breakdown]

The same model (scripts/torch_alexnet_reference.py builds it layer for layer like
nn/models/alexnet.cpp), batch 128, random inputs in [0, 1) and labels, Adam lr 1e-4, mean
cross-entropy. A step = zero_grad(set_to_none=True), forward + loss, backward, optimizer.step().
Prints the lines alexnet_step_bench prints: `steps N batch 128 step_ms X median_ms min_ms`,
`phases forward_ms backward_ms optimizer_ms`, and the per-layer forward/backward breakdown (median of
repeated calls of each top-level layer alone, on the activations of a real forward) with per-kind
sums. Run it with the OpenBLAS kernels probenet uses (OPENBLAS_CORETYPE, see tensor/runtime.h):
bench/compare_alexnet_torch.sh does. Needs Debian's python3-torch.
"""
import argparse
import os
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from torch_alexnet_reference import CIFAR100, FULL, alexnet  # noqa: E402

BATCH = 128


def now_ms():
    return time.perf_counter() * 1e3


def time_op(fn):
    """Median ms of one call over ≥ 3 calls and ~100 ms, after an untimed one (as the C++ bench)."""
    fn()
    times, start = [], now_ms()
    while len(times) < 3 or now_ms() - start < 100.0:
        t0 = now_ms()
        fn()
        times.append(now_ms() - t0)
    return statistics.median(times)


def breakdown(model, x):
    acts = [x]
    with torch.no_grad():
        for layer in model.children():
            acts.append(layer(acts[-1]))
    print(f"{'layer':<11} {'input':<18} {'output':<18} {'fwd_ms':>9} {'bwd_ms':>9}")
    kinds, total_f, total_b = {}, 0.0, 0.0
    for i, (name, layer) in enumerate(model.named_children()):
        xi, dy = acts[i], torch.randn_like(acts[i + 1])

        def fwd():
            with torch.no_grad():
                layer(xi)

        def fwd_bwd():
            inp = xi.detach().requires_grad_(i > 0)  # the image needs no gradient in a step
            layer(inp).backward(dy)

        f = time_op(fwd)
        b = max(0.0, time_op(fwd_bwd) - f)
        total_f, total_b = total_f + f, total_b + b
        kind = "fc" if name == "classifier" else re.sub(r"\d+$", "", name)
        kf, kb = kinds.get(kind, (0.0, 0.0))
        kinds[kind] = (kf + f, kb + b)
        shape = lambda t: "(" + ", ".join(map(str, t.shape)) + ")"
        print(f"{name:<11} {shape(xi):<18} {shape(acts[i + 1]):<18} {f:9.3f} {b:9.3f}")
    for kind in sorted(kinds):
        print(f"kind {kind:<6} fwd_ms {kinds[kind][0]:.3f} bwd_ms {kinds[kind][1]:.3f}")
    print(f"layers total fwd_ms {total_f:.3f} bwd_ms {total_b:.3f} "
          "(backward = forward with grad + backward − no-grad forward)")
    model.zero_grad(set_to_none=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0:
        sys.exit("error: --steps must be positive and --warmup non-negative")
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    torch.manual_seed(42)
    model = alexnet(CIFAR100, FULL["channels"], FULL["fc"], CIFAR100["classes"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.rand(BATCH, 3, 32, 32)
    y = torch.randint(0, CIFAR100["classes"], (BATCH,))
    total, fwd, bwd, step = [], [], [], []
    for s in range(args.warmup + args.steps):
        t0 = now_ms()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        t1 = now_ms()
        loss.backward()
        t2 = now_ms()
        opt.step()
        t3 = now_ms()
        if s >= args.warmup:
            total.append(t3 - t0), fwd.append(t1 - t0), bwd.append(t2 - t1), step.append(t3 - t2)
    mean = statistics.fmean
    print(f"steps {args.steps} batch {BATCH} step_ms {mean(total):.3f} median_ms {statistics.median(total):.3f} "
          f"min_ms {min(total):.3f}")
    print(f"phases forward_ms {mean(fwd):.3f} backward_ms {mean(bwd):.3f} optimizer_ms {mean(step):.3f}")
    if not args.no_breakdown:
        breakdown(model, x)


if __name__ == "__main__":
    main()
