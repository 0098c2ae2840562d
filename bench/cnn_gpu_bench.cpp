// cnn_gpu_bench — time per training step of the paper's CNN (../shared/bench/torch_ref.py `cnn`):
// three blocks of [conv 3×3 padding 1 + ReLU, conv 3×3 padding 1 + ReLU, max-pool 2/2] with
// 16, 32, 64 channels (28 → 14 → 7 → 3), flatten 576, FC 250 + ReLU ×3, linear 250 → 10 without
// bias; cross-entropy, Adam lr 2e-4, batch 128 by default, random inputs in [−1, 1), on --device
// cuda (default) or cpu. Parameters follow PyTorch's default init (nn/init.h). The model is built
// from autograd functions directly (no nn::Conv2d layer exists yet).
// usage: build/bench/cnn_gpu_bench [--device cuda|cpu] [--steps 100] [--batch 128] [--warmup 10]
// prints `device D steps S batch B step_ms X` (bench/gpu_bench_common.h).
#include <cstdio>

#include "autograd/functions.h"
#include "bench/gpu_bench_common.h"
#include "nn/init.h"
#include "optim/adam.h"
#include "tensor/runtime.h"

using namespace probenet;
using autograd::Var;

namespace {

struct PaperCnn {
    std::vector<Var> convs;  // weight, bias per conv layer
    std::vector<Var> fcs;    // weight, bias per hidden FC, then the classifier's weight

    PaperCnn(Rng& rng, Device device) {
        int64_t in = 1;
        for (int64_t out : {16, 16, 32, 32, 64, 64}) {
            convs.emplace_back(nn::pytorch_default_uniform({out, in, 3, 3}, in * 9, rng).to(device), true);
            convs.emplace_back(nn::pytorch_default_uniform({out}, in * 9, rng).to(device), true);
            in = out;
        }
        in = 576;
        for (int l = 0; l < 3; ++l) {
            fcs.emplace_back(nn::pytorch_default_uniform({250, in}, in, rng).to(device), true);
            fcs.emplace_back(nn::pytorch_default_uniform({250}, in, rng).to(device), true);
            in = 250;
        }
        fcs.emplace_back(nn::pytorch_default_uniform({10, 250}, 250, rng).to(device), true);
    }

    std::vector<Var> parameters() const {
        std::vector<Var> all = convs;
        all.insert(all.end(), fcs.begin(), fcs.end());
        return all;
    }

    Var operator()(const Var& x) const {
        using namespace autograd;
        Var h = x;
        for (size_t c = 0; c < convs.size(); c += 2) {
            h = relu(conv2d(h, convs[c], convs[c + 1], 1, 1));
            if (c % 4 == 2) h = max_pool2d(h, 2, 2);  // after every second conv
        }
        h = flatten(h);
        for (size_t f = 0; f + 1 < fcs.size(); f += 2) h = relu(linear(h, fcs[f], fcs[f + 1]));
        return linear(h, fcs.back());
    }
};

}  // namespace

int main(int argc, char** argv) try {
    choose_blas_kernels(argv);
    const bench::StepOptions o = bench::parse_step_options(argc, argv, {.steps = 100, .batch = 128, .warmup = 10});
    std::printf("%s\n", runtime_summary(o.device).c_str());

    Rng rng(1);
    const PaperCnn model(rng, o.device);
    optim::Adam adam(model.parameters(), {.lr = 2e-4f});
    const bench::BatchPool pool = bench::random_batches(8, o.batch, rng, o.device);
    bench::time_steps(
        o,
        [&](int s) {
            const size_t b = static_cast<size_t>(s) % pool.size();
            Var loss = autograd::cross_entropy(model(Var(pool.x[b])), pool.labels[b]);
            adam.zero_grad();
            loss.backward();
            adam.step();
            return loss.value().item();
        },
        model.fcs.back().value());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "cnn_gpu_bench: %s\n", e.what());
    return 1;
}
