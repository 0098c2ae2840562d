// cnn_step_bench: the time of one training step of the paper's MNIST CNN on the CPU, batch 128.
//
// Network (reference.md): 1×28×28 → conv3×3 p1 16, 16 → maxpool 2 → 32, 32 → maxpool 2 → 64, 64 →
// maxpool 2 → flatten 576 → Linear 250 ×3 (+ ReLU) → Linear(250, 10, no bias); every conv + ReLU.
// A step = forward, mean cross-entropy, backward, and an Adam update (lr 2e-4, PyTorch's formula,
// written as a plain loop here) on random inputs in [−1, 1] and random labels.
//
// Prints `steps N batch 128 step_ms X` (the mean over N timed steps after a warm-up; also the median
// and minimum) like /work/shared/bench/torch_ref.py does, then a per-layer forward/backward
// breakdown, each op timed alone (median of repeated calls) on the activations of a real forward,
// so the rows add up to a little less than a step: autograd bookkeeping, the loss and Adam are the
// rest. Compare on the same machine and threads with bench/compare_cnn_torch.sh, or by hand:
//   cd /work/shared/bench && python3 torch_ref.py cnn <repo>/data/mnist --steps 100 --threads 2
// usage: cnn_step_bench [--steps N] [--warmup W] [--threads T] [--no-breakdown]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "bench/cpu_bench_common.h"
#include "tensor/conv_ops.h"
#include "tensor/runtime.h"
#include "tensor/error.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor/runtime.h"

using namespace probenet;
using autograd::Var;
using bench::has_flag;
using bench::now_ms;
using bench::parse_int;

namespace {

constexpr int64_t kBatch = 128;

// One layer of the network; the weight and bias Vars are empty for parameter-free layers.
struct Layer {
    enum Kind { Conv, Relu, Pool, Flatten, Linear } kind;
    std::string name;
    Var w, b;
};

Var param(const Shape& shape, int64_t fan_in, Rng& rng) {
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));  // PyTorch's default init range
    return Var(Tensor::uniform(shape, -bound, bound, rng), true);
}

std::vector<Layer> make_cnn(Rng& rng) {
    std::vector<Layer> net;
    const int64_t channels[] = {1, 16, 16, 32, 32, 64, 64};
    for (int i = 0; i < 6; ++i) {
        const int64_t in = channels[i], out = channels[i + 1];
        const std::string id = std::to_string(i + 1);
        net.push_back({Layer::Conv, "conv" + id, param({out, in, 3, 3}, in * 9, rng), param({out}, in * 9, rng)});
        net.push_back({Layer::Relu, "relu" + id, {}, {}});
        if (i % 2 == 1) net.push_back({Layer::Pool, "pool" + std::to_string(i / 2 + 1), {}, {}});
    }
    net.push_back({Layer::Flatten, "flatten", {}, {}});
    const int64_t widths[] = {576, 250, 250, 250};
    for (int i = 0; i < 3; ++i) {
        const std::string id = std::to_string(i + 1);
        net.push_back({Layer::Linear, "fc" + id, param({250, widths[i]}, widths[i], rng), param({250}, widths[i], rng)});
        net.push_back({Layer::Relu, "relu_fc" + id, {}, {}});
    }
    net.push_back({Layer::Linear, "fc4", param({10, 250}, 250, rng), {}});
    return net;
}

Var apply(const Layer& l, const Var& x) {
    switch (l.kind) {
        case Layer::Conv: return autograd::conv2d(x, l.w, l.b, 1, 1);
        case Layer::Relu: return autograd::relu(x);
        case Layer::Pool: return autograd::max_pool2d(x, 2, 2);
        case Layer::Flatten: return autograd::flatten(x);
        case Layer::Linear: return autograd::linear(x, l.w, l.b);
    }
    return x;
}

// Adam (PyTorch's rule, no weight decay): m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
// p ← p − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε).
struct Adam {
    std::vector<Var> params;
    std::vector<std::vector<float>> m, v;
    int t = 0;
    void step(float lr = 2e-4f, float b1 = 0.9f, float b2 = 0.999f, float eps = 1e-8f) {
        ++t;
        const float c1 = 1.0f - std::pow(b1, float(t)), c2 = 1.0f - std::pow(b2, float(t));
        for (size_t k = 0; k < params.size(); ++k) {
            Tensor g = params[k].grad();
            if (!g.defined()) continue;
            float* p = params[k].value().data();
            const float* gd = g.data();
            const int64_t n = g.numel();
            m[k].resize(static_cast<size_t>(n)), v[k].resize(static_cast<size_t>(n));
            float* mk = m[k].data();
            float* vk = v[k].data();
#pragma omp parallel for simd if (n > (1 << 15))
            for (int64_t i = 0; i < n; ++i) {
                mk[i] = b1 * mk[i] + (1 - b1) * gd[i];
                vk[i] = b2 * vk[i] + (1 - b2) * gd[i] * gd[i];
                p[i] -= lr * (mk[i] / c1) / (std::sqrt(vk[i] / c2) + eps);
            }
            params[k].zero_grad();
        }
    }
};

// Median ms of one call over at least 5 calls and ~30 ms (bench/cpu_bench_common.h).
double time_op(const std::function<void()>& fn) { return bench::time_op(fn, 5, 30.0); }

// Forward and backward time of every layer alone, on the activations of one forward pass.
void print_breakdown(const std::vector<Layer>& net, const Tensor& input, Rng& rng, double step_ms) {
    std::vector<Tensor> acts{input};
    {
        autograd::NoGradGuard no_grad;
        Var h(input);
        for (const Layer& l : net) acts.push_back((h = apply(l, h)).value());
    }
    std::printf("%-9s %-18s %-18s %9s %9s\n", "layer", "input", "output", "fwd_ms", "bwd_ms");
    double total_fwd = 0, total_bwd = 0;
    for (size_t i = 0; i < net.size(); ++i) {
        const Layer& l = net[i];
        const Tensor& x = acts[i];
        const Tensor& y = acts[i + 1];
        const Tensor dy = Tensor::normal(y.shape(), 0, 1, rng);
        Tensor dx = Tensor::empty(x.shape());
        double fwd = 0, bwd = 0;
        switch (l.kind) {
            case Layer::Conv: {
                Tensor dw = Tensor::empty(l.w.shape()), db = Tensor::empty(l.b.shape());
                fwd = time_op([&] { ops::conv2d(x, l.w.value(), l.b.value(), 1, 1); });
                // As autograd does it: one call for dx (none for the input image), dw and db.
                bwd = time_op([&] {
                    ops::conv2d_backward(x, l.w.value(), dy, 1, 1, {i > 0 ? &dx : nullptr, 0.0f, &dw, 0.0f, &db, 0.0f});
                });
                break;
            }
            case Layer::Relu:
                fwd = time_op([&] { ops::relu(x); });
                bwd = time_op([&] { ops::relu_backward(y, dy, 0.0f, dx); });
                break;
            case Layer::Pool: {
                const ops::MaxPool2dResult r = ops::max_pool2d(x, 2, 2);
                fwd = time_op([&] { ops::max_pool2d(x, 2, 2); });
                bwd = time_op([&] { ops::max_pool2d_backward(dy, r.argmax, 2, 2, 0, 0.0f, dx); });
                break;
            }
            case Layer::Flatten:  // a view forward; backward copies the gradient into x's shape
                bwd = time_op([&] { ops::axpby(1.0f, dy.reshape(x.shape()), 0.0f, dx); });
                break;
            case Layer::Linear: {
                Tensor dw = Tensor::empty(l.w.shape());
                fwd = time_op([&] {
                    Tensor out = ops::matmul(x, l.w.value(), false, true);
                    if (l.b.defined()) ops::add_bias_rows(out, l.b.value());
                });
                bwd = time_op([&] {
                    ops::gemm(dy, false, l.w.value(), false, dx, 1.0f, 0.0f);
                    ops::gemm(dy, true, x, false, dw, 1.0f, 0.0f);
                    if (l.b.defined()) {
                        Tensor db = Tensor::empty(l.b.shape());
                        ops::sum_axis_into(dy, 0, 0.0f, db);
                    }
                });
                break;
            }
        }
        total_fwd += fwd, total_bwd += bwd;
        std::printf("%-9s %-18s %-18s %9.3f %9.3f\n", l.name.c_str(), x.shape_str().c_str(), y.shape_str().c_str(), fwd,
                    bwd);
    }
    std::printf("%-9s %-37s %9.3f %9.3f   (sum %.3f of step %.3f ms)\n", "total", "", total_fwd, total_bwd,
                total_fwd + total_bwd, step_ms);
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    try {
        const int steps = parse_int(argc, argv, "--steps", 50), warmup = parse_int(argc, argv, "--warmup", 5);
        set_threads(parse_int(argc, argv, "--threads", 2));
        std::printf("%s\n", runtime_summary(Device::CPU).c_str());

        Rng rng(42);
        std::vector<Layer> net = make_cnn(rng);
        Adam adam;
        for (const Layer& l : net)
            for (const Var& p : {l.w, l.b})
                if (p.defined()) adam.params.push_back(p);
        adam.m.resize(adam.params.size()), adam.v.resize(adam.params.size());

        const Tensor images = Tensor::uniform({kBatch, 1, 28, 28}, -1.0f, 1.0f, rng);
        std::vector<int32_t> labels(kBatch);
        for (int32_t& y : labels) y = static_cast<int32_t>(rng.randint(10));

        std::vector<double> times;
        for (int s = 0; s < warmup + steps; ++s) {
            const double start = now_ms();
            Var h(images);
            for (const Layer& l : net) h = apply(l, h);
            Var loss = autograd::cross_entropy(h, labels);
            loss.backward();
            adam.step();
            if (s >= warmup) times.push_back(now_ms() - start);
        }
        double mean = 0;
        for (double t : times) mean += t;
        mean /= static_cast<double>(times.size());
        std::sort(times.begin(), times.end());
        std::printf("steps %d batch %lld step_ms %.3f median_ms %.3f min_ms %.3f\n", steps, static_cast<long long>(kBatch),
                    mean, times[times.size() / 2], times.front());
        if (!has_flag(argc, argv, "--no-breakdown")) print_breakdown(net, images, rng, mean);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
