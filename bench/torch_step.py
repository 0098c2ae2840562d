"""PyTorch reference for bench/run_cpu.sh: the time of one training step of the paper's models.

The same step as probenet's benchmarks (bench/mlp_step_bench.cpp, bench/cnn_step_bench.cpp):
  mlp  784 → 128 → 512 → 2048 → 2048 → 10 with ReLU; SGD lr 1e-3, momentum 0.9; batch 32
  cnn  [conv 3×3 pad 1 + ReLU] ×2 then max-pool 2×2, with 16, 32, 64 channels (28 → 14 → 7 → 3),
       flatten 576, [Linear 250 + ReLU] ×3, Linear(250, 10) without bias; Adam lr 2e-4; batch 128
A step is forward, mean cross-entropy, zero_grad, backward and the optimizer update, on inputs
uniform in [−1, 1) (the range the experiments scale images to) and random labels, cycling through a
pool of 16 batches made before timing. Warm-up steps are not timed.

usage: python3 bench/torch_step.py {mlp,cnn} [--steps S] [--warmup W] [--threads T]
prints: steps S batch B step_ms X median_ms M
"""
import argparse
import statistics
import time

import torch
from torch import nn


def paper_mlp():
    widths = [784, 128, 512, 2048, 2048]
    layers = [nn.Flatten()]
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(widths[-1], 10))


def paper_cnn():
    layers, c = [], 1
    for out in (16, 32, 64):
        layers += [nn.Conv2d(c, out, 3, padding=1), nn.ReLU(), nn.Conv2d(out, out, 3, padding=1), nn.ReLU(),
                   nn.MaxPool2d(2)]
        c = out
    layers.append(nn.Flatten())
    width = 64 * 3 * 3
    for _ in range(3):
        layers += [nn.Linear(width, 250), nn.ReLU()]
        width = 250
    return nn.Sequential(*layers, nn.Linear(width, 10, bias=False))


MODELS = {
    # name: (builder, batch, optimizer factory)
    "mlp": (paper_mlp, 32, lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9)),
    "cnn": (paper_cnn, 128, lambda p: torch.optim.Adam(p, lr=2e-4)),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(MODELS))
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.steps < 1 or a.warmup < 0:
        ap.error("--steps must be >= 1 and --warmup >= 0")

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    build, batch, make_opt = MODELS[a.model]
    model = build()
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    xs = [torch.rand(batch, 1, 28, 28) * 2 - 1 for _ in range(16)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(16)]

    times = []
    for s in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        loss = loss_fn(model(xs[s % 16]), ys[s % 16])
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()  # as the experiments read each batch's loss
        if s >= a.warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    print(f"steps {a.steps} batch {batch} step_ms {statistics.fmean(times):.3f} "
          f"median_ms {statistics.median(times):.3f}", flush=True)


if __name__ == "__main__":
    main()
