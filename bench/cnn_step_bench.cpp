// cnn_step_bench: the time of one training step of the paper's MNIST CNN on the CPU, batch 128.
//
// The model is the library's nn::make_paper_cnn (nn/models/cnn.h: six 3×3 pad-1 convolutions
// 16-16-32-32-64-64 + ReLU, a 2×2 max-pool after every second, flatten 576, three Linear 250 +
// ReLU, Linear(250, 10) without bias) and the optimizer optim::Adam (lr 2e-4, PyTorch's rule), as
// the experiments train it. A step = forward, mean cross-entropy, backward and the Adam update, on
// random inputs in [−1, 1) and random labels.
//
// Prints `steps N batch 128 step_ms X median_ms M min_ms m` (step_ms is the mean over N timed
// steps after a warm-up), the line bench/run_cpu.sh and bench/compare_cnn_torch.sh read, then a
// breakdown per top-level layer of the model: its forward alone (no graph recorded) and its
// forward + backward with a random upstream gradient, each the median of repeated calls on the
// activations of one real forward. The rows add up to a little less than a step: the loss, the
// optimizer and the graph of the whole model are the rest.
// --no-fusion runs each conv and its ReLU as two layers (nn::set_layer_fusion), --no-winograd the direct
// 3×3 kernels everywhere (cpu::set_conv3x3_winograd), to measure each.
// usage: cnn_step_bench [--steps N] [--warmup W] [--threads T] [--no-breakdown] [--no-fusion] [--no-winograd]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "bench/cpu_bench_common.h"
#include "nn/models/cnn.h"
#include "nn/sequential.h"
#include "optim/adam.h"
#include "tensor/cpu/cpu_conv3x3.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tensor/runtime.h"

using namespace probenet;
using autograd::Var;
using bench::has_flag, bench::now_ms, bench::parse_int;

namespace {

constexpr int64_t kBatch = 128;

// Forward and forward + backward of each top-level layer alone, on the activations of one forward.
void print_breakdown(nn::Module& model, const Tensor& images, Rng& rng, double step_ms) {
    std::printf("%-11s %-18s %-18s %9s %9s\n", "layer", "input", "output", "fwd_ms", "bwd_ms");
    double total_fwd = 0, total_bwd = 0;
    Tensor x = images;
    for (const auto& child : model.children()) {
        nn::Module& layer = *child;
        Tensor y;
        {
            autograd::NoGradGuard no_grad;
            y = layer(Var(x)).value();
        }
        const Tensor dy = Tensor::normal(y.shape(), 0, 1, rng);
        const bool first = x.data() == images.data();  // no gradient for the input image, as in training
        const double fwd = bench::time_op([&] {
            autograd::NoGradGuard no_grad;
            layer(Var(x));
        }, 5, 30.0);
        const double both = bench::time_op([&] { layer(Var(x, !first)).backward(dy); }, 5, 30.0);
        const double bwd = std::max(0.0, both - fwd);
        total_fwd += fwd, total_bwd += bwd;
        std::printf("%-11s %-18s %-18s %9.3f %9.3f\n", layer.name().c_str(), x.shape_str().c_str(),
                    y.shape_str().c_str(), fwd, bwd);
        x = y;
    }
    std::printf("%-11s %-37s %9.3f %9.3f   (sum %.3f of step %.3f ms)\n", "total", "", total_fwd, total_bwd,
                total_fwd + total_bwd, step_ms);
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    try {
        const int steps = parse_int(argc, argv, "--steps", 50), warmup = parse_int(argc, argv, "--warmup", 5);
        PROBENET_CHECK(steps > 0 && warmup >= 0, "cnn_step_bench: --steps must be positive and --warmup >= 0");
        set_threads(parse_int(argc, argv, "--threads", 2));
        nn::set_layer_fusion(!has_flag(argc, argv, "--no-fusion"));
        cpu::set_conv3x3_winograd(!has_flag(argc, argv, "--no-winograd"));
        std::printf("%s\nlayer fusion (conv + ReLU): %s; 3×3 convolutions with channels in 16s: %s\n",
                    runtime_summary(Device::CPU).c_str(), nn::layer_fusion() ? "on" : "off",
                    cpu::conv3x3_winograd() ? "Winograd F(2×2, 3×3)" : "direct");

        Rng rng(42);
        auto model = nn::make_paper_cnn(1, 28, 10, rng);
        optim::Adam adam(model->parameters(), {.lr = 2e-4f});
        const Tensor images = Tensor::uniform({kBatch, 1, 28, 28}, -1.0f, 1.0f, rng);
        std::vector<int32_t> labels(kBatch);
        for (int32_t& y : labels) y = static_cast<int32_t>(rng.randint(10));

        std::vector<double> times;
        for (int s = 0; s < warmup + steps; ++s) {
            const double start = now_ms();
            Var loss = autograd::cross_entropy((*model)(Var(images)), labels);
            adam.zero_grad();
            loss.backward();
            adam.step();
            if (s >= warmup) times.push_back(now_ms() - start);
        }
        double mean = 0;
        for (double t : times) mean += t;
        mean /= static_cast<double>(times.size());
        std::sort(times.begin(), times.end());
        std::printf("steps %d batch %lld step_ms %.3f median_ms %.3f min_ms %.3f\n", steps,
                    static_cast<long long>(kBatch), mean, times[times.size() / 2], times.front());
        if (!has_flag(argc, argv, "--no-breakdown")) print_breakdown(*model, images, rng, mean);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
