// mlp_gpu_bench — time per training step of the paper's MLP (784-128-512-2048-2048-10, ReLU,
// cross-entropy, SGD lr 1e-3 momentum 0.9) on random inputs in [−1, 1), on --device cuda or cpu.
//
// The batches (a pool of 16, as in training each step sees new rows) are placed on the device
// before timing, as PyTorch's GPU reference in bench/gpu_check.sh does, so both time the step
// itself. A step reads its loss on the host (cross_entropy's value, like PyTorch's loss.item()),
// which also waits for the GPU; the clock stops after one more wait on the last step's updates.
// Prints `device D steps S batch B step_ms X`, the format bench/gpu_check.sh parses.
// usage: build/bench/mlp_gpu_bench [--device cuda|cpu] [--steps 300] [--batch 32] [--warmup 30]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "nn/models/mlp.h"
#include "optim/sgd.h"
#include "tensor/error.h"
#include "tensor/runtime.h"

using namespace probenet;

namespace {

struct Options {
    Device device = Device::CUDA;
    int steps = 300, batch = 32, warmup = 30;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        PROBENET_CHECK(i + 1 < argc, "mlp_gpu_bench: ", flag, " needs a value");
        const std::string value = argv[++i];
        if (flag == "--device") o.device = parse_device(value);
        else if (flag == "--steps") o.steps = std::stoi(value);
        else if (flag == "--batch") o.batch = std::stoi(value);
        else if (flag == "--warmup") o.warmup = std::stoi(value);
        else throw Error("mlp_gpu_bench: unknown flag " + flag + " (use --device, --steps, --batch, --warmup)");
    }
    PROBENET_CHECK(o.steps > 0 && o.batch > 0 && o.warmup >= 0, "mlp_gpu_bench: steps and batch must be positive");
    return o;
}

}  // namespace

int main(int argc, char** argv) try {
    choose_blas_kernels(argv);
    const Options o = parse(argc, argv);
    std::printf("%s\n", runtime_summary(o.device).c_str());

    Rng rng(1);
    auto model = nn::make_mlp(784, {128, 512, 2048, 2048}, 10, rng);
    model->to(o.device);
    optim::SGD sgd(model->parameters(), {.lr = 1e-3f, .momentum = 0.9f});
    constexpr int kPool = 16;
    std::vector<Tensor> xs;
    std::vector<std::vector<int32_t>> ys;
    for (int i = 0; i < kPool; ++i) {
        xs.push_back(Tensor::uniform({o.batch, 1, 28, 28}, -1.0f, 1.0f, rng, o.device));
        std::vector<int32_t> y(static_cast<size_t>(o.batch));
        for (auto& v : y) v = static_cast<int32_t>(rng.randint(10));
        ys.push_back(y);
    }
    const Tensor probe = model->parameters().back().value();  // read back to wait for the last update
    float first_loss = 0, last_loss = 0;
    std::chrono::steady_clock::time_point start;
    for (int s = 0; s < o.warmup + o.steps; ++s) {
        if (s == o.warmup) {
            (void)probe.rows(0, 1).to_vector();
            start = std::chrono::steady_clock::now();
        }
        autograd::Var loss = autograd::cross_entropy((*model)(autograd::Var(xs[s % kPool])), ys[s % kPool]);
        sgd.zero_grad();
        loss.backward();
        sgd.step();
        last_loss = loss.value().item();
        if (s == 0) first_loss = last_loss;
    }
    (void)probe.rows(0, 1).to_vector();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("loss %.4f at the first step, %.4f at the last\n", first_loss, last_loss);
    std::printf("device %s steps %d batch %d step_ms %.4f\n", device_name(o.device), o.steps, o.batch,
                seconds / o.steps * 1e3);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "mlp_gpu_bench: %s\n", e.what());
    return 1;
}
