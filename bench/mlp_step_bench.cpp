// mlp_step_bench — time per training step of the paper's MLP (784-128-512-2048-2048-10, ReLU,
// SGD lr 1e-3 momentum 0.9, batch 32) on random inputs in [−1, 1), on the CPU.
//
// Prints `steps S batch B step_ms X` in the format of bench/torch_step.py, so the two can be
// compared by a script (bench/run_cpu.sh), then where a step's time goes: forward,
// backward (GEMMs, and the SGD update of every linear layer, which training applies inside backward:
// optim/sgd.h, update_in_backward), and step() (what remains of the optimizer pass).
// usage: build/bench/mlp_step_bench [steps=300] [threads=0 (all)] [batch=32] [update_in_backward=1]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "autograd/functions.h"
#include "nn/models/mlp.h"
#include "optim/sgd.h"
#include "tensor/runtime.h"

using namespace probenet;
using Clock = std::chrono::steady_clock;

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
    return 0;
}
