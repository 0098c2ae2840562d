// cnn_gpu_bench — time per training step of the paper's CNN (nn::make_paper_cnn, as
// bench/torch_step.py `cnn` builds it in PyTorch): three blocks of [conv 3×3 padding 1 + ReLU,
// conv 3×3 padding 1 + ReLU, max-pool 2/2] with 16, 32, 64 channels (28 → 14 → 7 → 3), flatten
// 576, FC 250 + ReLU ×3, linear 250 → 10 without bias; cross-entropy, optim::Adam lr 2e-4, batch
// 128 by default, random inputs in [−1, 1), on --device cuda (default) or cpu.
// usage: build/bench/cnn_gpu_bench [--device cuda|cpu] [--steps 100] [--batch 128] [--warmup 10]
// prints `device D steps S batch B step_ms X` (bench/gpu_bench_common.h).
#include <cstdio>

#include "autograd/functions.h"
#include "bench/gpu_bench_common.h"
#include "nn/models/cnn.h"
#include "optim/adam.h"
#include "tensor/runtime.h"

using namespace probenet;
using autograd::Var;

int main(int argc, char** argv) try {
    choose_blas_kernels(argv);
    const bench::StepOptions o = bench::parse_step_options(argc, argv, {.steps = 100, .batch = 128, .warmup = 10});
    std::printf("%s\n", runtime_summary(o.device).c_str());

    Rng rng(1);
    auto model = nn::make_paper_cnn(1, 28, 10, rng);
    model->to(o.device);
    optim::Adam adam(model->parameters(), {.lr = 2e-4f});
    const bench::BatchPool pool = bench::random_batches(8, o.batch, rng, o.device);
    bench::time_steps(
        o,
        [&](int s) {
            const size_t b = static_cast<size_t>(s) % pool.size();
            Var loss = autograd::cross_entropy((*model)(Var(pool.x[b])), pool.labels[b]);
            adam.zero_grad();
            loss.backward();
            adam.step();
            return loss.value().item();
        },
        model->parameters().back().value());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "cnn_gpu_bench: %s\n", e.what());
    return 1;
}
