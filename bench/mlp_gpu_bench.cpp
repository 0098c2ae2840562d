// mlp_gpu_bench — time per training step of the paper's MLP (784-128-512-2048-2048-10, ReLU,
// cross-entropy, SGD lr 1e-3 momentum 0.9, batch 32 by default) on random inputs in [−1, 1), on
// --device cuda (default) or cpu. A pool of 16 batches is placed on the device before timing, as
// PyTorch's GPU reference in bench/gpu_check.sh does, so both time the step itself.
// usage: build/bench/mlp_gpu_bench [--device cuda|cpu] [--steps 300] [--batch 32] [--warmup 30]
// prints `device D steps S batch B step_ms X` (bench/gpu_bench_common.h).
#include <cstdio>

#include "autograd/functions.h"
#include "bench/gpu_bench_common.h"
#include "nn/models/mlp.h"
#include "optim/sgd.h"
#include "tensor/runtime.h"

using namespace probenet;

int main(int argc, char** argv) try {
    choose_blas_kernels(argv);
    const bench::StepOptions o = bench::parse_step_options(argc, argv, {.steps = 300, .batch = 32, .warmup = 30});
    std::printf("%s\n", runtime_summary(o.device).c_str());

    Rng rng(1);
    auto model = nn::make_mlp(784, {128, 512, 2048, 2048}, 10, rng);
    model->to(o.device);
    optim::SGD sgd(model->parameters(), {.lr = 1e-3f, .momentum = 0.9f});
    const bench::BatchPool pool = bench::random_batches(16, o.batch, rng, o.device);
    bench::time_steps(
        o,
        [&](int s) {
            const size_t b = static_cast<size_t>(s) % pool.size();
            autograd::Var loss = autograd::cross_entropy((*model)(autograd::Var(pool.x[b])), pool.labels[b]);
            sgd.zero_grad();
            loss.backward();
            sgd.step();
            return loss.value().item();
        },
        model->parameters().back().value());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "mlp_gpu_bench: %s\n", e.what());
    return 1;
}
