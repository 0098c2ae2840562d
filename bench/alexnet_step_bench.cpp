// alexnet_step_bench: the time of one training step of the paper's AlexNet–CIFAR-100 on the CPU.
//
// The model is the real one (nn::make_alexnet_cifar100: 3×32×32 → conv k3 s2 p1 64 → pool 3×3 s2 →
// conv 192 → pool → conv 384, 256, 256 → pool → Flat(256) → FC 4096 ×2 → 100, 20.5 M parameters),
// the optimizer the real optim::Adam (lr 1e-4), the loss mean cross-entropy; batch 128 (docs/protocol.md),
// random inputs in [0, 1) and random labels. A step = zero_grad, forward + loss, backward, Adam.
//
// Prints `steps N batch 128 step_ms X` (mean over N timed steps after W warm-up steps; also the
// median and minimum), the same mean per phase (`forward_ms` incl. the loss, `backward_ms`,
// `optimizer_ms`), then a per-layer breakdown: every top-level layer's forward and backward through
// autograd alone (median of repeated calls) on the activations of a real forward, summed per kind
// (conv, pool, fc; a conv or fc layer includes its ReLU). bench/torch_alexnet_step.py prints the same
// for PyTorch; bench/compare_alexnet_torch.sh runs both, interleaved, and prints the ratios.
// usage: alexnet_step_bench [--steps N] [--warmup W] [--threads T] [--no-breakdown]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "bench/cpu_bench_common.h"
#include "nn/models/alexnet.h"
#include "optim/adam.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tensor/runtime.h"

using namespace probenet;
using autograd::Var;
using bench::has_flag;
using bench::now_ms;
using bench::parse_int;

namespace {

constexpr int64_t kBatch = 128;
constexpr int64_t kClasses = 100;

// Median ms of one call over at least 3 calls and ~100 ms (bench/cpu_bench_common.h).
double time_op(const std::function<void()>& fn) { return bench::time_op(fn, 3, 100.0); }

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

// The layer's kind for the per-kind sums: its name without the trailing digits ("conv3" → "conv").
std::string kind_of(const std::string& name) {
    if (name == "classifier") return "fc";
    return name.substr(0, name.find_first_of("0123456789"));
}

// Forward and backward of every top-level layer alone, through autograd (as in a step).
void print_breakdown(nn::Sequential& model, const Tensor& input, Rng& rng) {
    std::vector<Tensor> acts{input};
    {
        autograd::NoGradGuard no_grad;
        Var h(input);
        for (const auto& layer : model.children()) acts.push_back((h = (*layer)(h)).value());
    }
    std::printf("%-11s %-18s %-18s %9s %9s\n", "layer", "input", "output", "fwd_ms", "bwd_ms");
    std::map<std::string, std::pair<double, double>> per_kind;
    double total_fwd = 0, total_bwd = 0;
    for (size_t i = 0; i < model.children().size(); ++i) {
        nn::Module& layer = *model.children()[i];
        const Tensor& x = acts[i];
        const Tensor dy = Tensor::normal(acts[i + 1].shape(), 0, 1, rng);
        const bool needs_dx = i > 0;  // the image needs no gradient in a step
        const double fwd = time_op([&] {
            autograd::NoGradGuard no_grad;
            layer(Var(x));
        });
        const double fwd_bwd = time_op([&] {
            Var y = layer(Var(x, needs_dx));
            y.backward(dy);
        });
        const double bwd = std::max(0.0, fwd_bwd - fwd);
        total_fwd += fwd, total_bwd += bwd;
        auto& k = per_kind[kind_of(layer.name())];
        k.first += fwd, k.second += bwd;
        std::printf("%-11s %-18s %-18s %9.3f %9.3f\n", layer.name().c_str(), x.shape_str().c_str(),
                    acts[i + 1].shape_str().c_str(), fwd, bwd);
    }
    for (const auto& [kind, t] : per_kind)
        std::printf("kind %-6s fwd_ms %.3f bwd_ms %.3f\n", kind.c_str(), t.first, t.second);
    std::printf("layers total fwd_ms %.3f bwd_ms %.3f (backward = forward with grad + backward − no-grad forward)\n",
                total_fwd, total_bwd);
    for (Var p : model.parameters()) p.zero_grad();
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    try {
        const int steps = parse_int(argc, argv, "--steps", 10), warmup = parse_int(argc, argv, "--warmup", 2);
        PROBENET_CHECK(steps > 0 && warmup >= 0, "--steps must be positive and --warmup non-negative");
        set_threads(parse_int(argc, argv, "--threads", 2));
        std::printf("%s\n", runtime_summary(Device::CPU).c_str());

        Rng rng(42);
        auto model = nn::make_alexnet_cifar100(rng);
        optim::Adam adam(model->parameters(), optim::AdamOptions{.lr = 1e-4f});
        const Tensor images = Tensor::uniform({kBatch, 3, 32, 32}, 0.0f, 1.0f, rng);
        std::vector<int32_t> labels(kBatch);
        for (int32_t& y : labels) y = static_cast<int32_t>(rng.randint(kClasses));

        std::vector<double> total, forward, backward, optimizer;
        for (int s = 0; s < warmup + steps; ++s) {
            const double t0 = now_ms();
            adam.zero_grad();
            Var loss = autograd::cross_entropy((*model)(Var(images)), labels);
            const double t1 = now_ms();
            loss.backward();
            const double t2 = now_ms();
            adam.step();
            const double t3 = now_ms();
            if (s < warmup) continue;
            total.push_back(t3 - t0), forward.push_back(t1 - t0), backward.push_back(t2 - t1), optimizer.push_back(t3 - t2);
        }
        std::vector<double> sorted = total;
        std::sort(sorted.begin(), sorted.end());
        std::printf("steps %d batch %lld step_ms %.3f median_ms %.3f min_ms %.3f\n", steps,
                    static_cast<long long>(kBatch), mean(total), sorted[sorted.size() / 2], sorted.front());
        std::printf("phases forward_ms %.3f backward_ms %.3f optimizer_ms %.3f\n", mean(forward), mean(backward),
                    mean(optimizer));
        if (!has_flag(argc, argv, "--no-breakdown")) print_breakdown(*model, images, rng);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
