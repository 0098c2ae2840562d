// mlp_step_bench — time per training step of the paper's MLP (784-128-512-2048-2048-10, ReLU,
// SGD lr 1e-3 momentum 0.9, batch 32) on random inputs in [−1, 1), on the CPU.
//
// Prints `steps S batch B step_ms X` in the format of bench/torch_step.py, so the two can be
// compared by a script (bench/run_cpu.sh), then where a step's time goes: forward,
// backward (GEMMs, and the SGD update of every linear layer, which training applies inside backward:
// optim/sgd.h, update_in_backward), and step() (what remains of the optimizer pass).
// usage: build/bench/mlp_step_bench [steps=300] [threads=0 (all)] [batch=32] [update_in_backward=1]
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "autograd/functions.h"
#include "bench/cpu_bench_common.h"
#include "nn/models/mlp.h"
#include "optim/sgd.h"
#include "tensor/runtime.h"

using namespace probenet;
using Clock = std::chrono::steady_clock;

namespace {

double median_seconds(int repeats, const std::function<void()>& f) {
    return bench::time_op(f, static_cast<size_t>(repeats), 0.0) / 1e3;
}

// What the step cannot go below on this machine, measured here with the same threads:
//   arithmetic  2·B·Σ in·out per product; forward, weight gradient, and input gradient of every layer
//               but the first: ≈ 1.04 GFLOP at batch 32, at the rate of a large square cblas_sgemm;
//   memory      the weights read by the forward and by the input gradient, then weights and momentum
//               read and written by the update: 24 bytes per parameter (130 MB), at the rate of the
//               update's own access pattern (read w and m, write both, 16-float vectors, the threads
//               splitting the range) over a working set of the step's size, 8 bytes per parameter (43
//               MB): so from wherever the weights live, DRAM or a large L3. (A memcpy of 130 MB, which
//               this floor used before, ran at 19–30 GB/s on one core here where this pattern over
//               43 MB runs at ~80: the weights and momentum stay in this machine's large L3.)
// The two can overlap, so the floor is the larger; their sum is printed too.
void print_floor(nn::Module& model, int batch, double step_s) {
    double flops = 0, params = 0;
    bool first = true;
    for (const autograd::Var& p : model.parameters()) {
        params += static_cast<double>(p.value().numel());
        if (p.value().rank() != 2) continue;  // biases: negligible arithmetic
        const double prod = 2.0 * batch * static_cast<double>(p.value().numel());
        flops += prod * (first ? 2 : 3);
        first = false;
    }
    const int64_t n = 2048;
    std::vector<float> a(static_cast<size_t>(n * n), 0.5f), b(a), c(a);
    const double gemm_s = median_seconds(5, [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(n), int(n), int(n), 1.0f, a.data(), int(n), b.data(),
                    int(n), 0.0f, c.data(), int(n));
    });
    const double gflops = 2.0 * n * n * n / gemm_s / 1e9;
    const double bytes = 24.0 * params;
    const auto count = static_cast<int64_t>(params);
    std::vector<float> w(static_cast<size_t>(count), 1.0f), m(w.size(), 0.5f);
    float* wp = w.data();
    float* mp = m.data();
    const double pass_s = median_seconds(7, [&] {  // 16 bytes per parameter
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < count; ++i) {
            mp[i] = 0.9f * mp[i] + 1e-3f * wp[i];
            wp[i] -= 1e-3f * mp[i];
        }
    });
    const double gbs = 16.0 * static_cast<double>(count) / pass_s / 1e9;
    const double compute_ms = flops / (gflops * 1e9) * 1e3, memory_ms = bytes / (gbs * 1e9) * 1e3;
    std::printf("floor: %.2f GFLOP at %.0f GFLOP/s (sgemm 2048³) = %.2f ms; %.0f MB at %.1f GB/s (update pass) = %.2f ms; "
                "step = %.2fx max(compute, memory), %.2fx their sum\n",
                flops / 1e9, gflops, compute_ms, bytes / 1e6, gbs, memory_ms,
                step_s * 1e3 / std::max(compute_ms, memory_ms), step_s * 1e3 / (compute_ms + memory_ms));
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    const int steps = argc > 1 ? std::atoi(argv[1]) : 300;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
    const int batch = argc > 3 ? std::atoi(argv[3]) : 32;
    // The optimizer update inside backward (optim/sgd.h), as training runs it; 0 times step() separately.
    const bool in_backward = argc > 4 ? std::atoi(argv[4]) != 0 : true;
    set_threads(threads);
    std::printf("%s\n", runtime_summary(Device::CPU).c_str());

    Rng rng(1);
    auto model = nn::make_mlp(784, {128, 512, 2048, 2048}, 10, rng);
    optim::SGD sgd(model->parameters(), {.lr = 1e-3f, .momentum = 0.9f, .update_in_backward = in_backward});
    // A pool of distinct batches, as in training (each step sees new rows).
    constexpr int kPool = 16;
    std::vector<Tensor> xs;
    std::vector<std::vector<int32_t>> ys;
    for (int i = 0; i < kPool; ++i) {
        xs.push_back(Tensor::uniform({batch, 1, 28, 28}, -1.0f, 1.0f, rng));
        std::vector<int32_t> y(static_cast<size_t>(batch));
        for (auto& v : y) v = static_cast<int32_t>(rng.randint(10));
        ys.push_back(y);
    }
    double t_forward = 0, t_backward = 0, t_step = 0;
    auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
    const int warmup = 20;
    for (int s = 0; s < warmup + steps; ++s) {
        const auto t0 = Clock::now();
        autograd::Var loss = autograd::cross_entropy((*model)(autograd::Var(xs[s % kPool])), ys[s % kPool]);
        const auto t1 = Clock::now();
        sgd.zero_grad();
        loss.backward();
        const auto t2 = Clock::now();
        sgd.step();
        const auto t3 = Clock::now();
        if (s >= warmup) t_forward += seconds(t0, t1), t_backward += seconds(t1, t2), t_step += seconds(t2, t3);
    }
    const double total = t_forward + t_backward + t_step;
    const double per_step = total / steps;
    std::printf("steps %d batch %d step_ms %.3f epoch_s_extrapolated %.2f\n", steps, batch, per_step * 1e3,
                per_step * ((60000 + batch - 1) / batch));
    std::printf("breakdown per step: forward %.3f ms, backward %.3f ms, optimizer %.3f ms\n", t_forward / steps * 1e3,
                t_backward / steps * 1e3, t_step / steps * 1e3);
    print_floor(*model, batch, per_step);
    return 0;
}
