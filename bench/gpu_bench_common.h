// Shared part of the GPU step benchmarks (mlp_gpu_bench, cnn_gpu_bench): flags and the timed loop.
//
// flags: --device cuda|cpu (default cuda), --steps S, --batch B, --warmup W.
// The loop runs W untimed steps, waits for the device, then times S steps and waits again at the
// end (reading one parameter element back), so queued GPU work is inside the measurement. Each
// step also reads its loss on the host (cross_entropy's value), as PyTorch's loss.item() does in
// the reference of bench/gpu_check.sh. Prints `device D steps S batch B step_ms X`.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "tensor/error.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace probenet::bench {

struct StepOptions {
    Device device = Device::CUDA;
    int steps = 100, batch = 32, warmup = 20;
};

inline StepOptions parse_step_options(int argc, char** argv, StepOptions o) {
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        PROBENET_CHECK(i + 1 < argc, argv[0], ": ", flag, " needs a value");
        const std::string value = argv[++i];
        if (flag == "--device") o.device = parse_device(value);
        else if (flag == "--steps") o.steps = std::stoi(value);
        else if (flag == "--batch") o.batch = std::stoi(value);
        else if (flag == "--warmup") o.warmup = std::stoi(value);
        else throw Error(std::string(argv[0]) + ": unknown flag " + flag + " (use --device, --steps, --batch, --warmup)");
    }
    PROBENET_CHECK(o.steps > 0 && o.batch > 0 && o.warmup >= 0, argv[0], ": steps and batch must be positive");
    return o;
}

// `count` batches of MNIST-shaped inputs (batch, 1, 28, 28) uniform in [−1, 1) and labels in [0, 10),
// placed on the device before timing, as the PyTorch reference does.
struct BatchPool {
    std::vector<Tensor> x;
    std::vector<std::vector<int32_t>> labels;
    size_t size() const { return x.size(); }
};

inline BatchPool random_batches(int count, int batch, Rng& rng, Device device) {
    BatchPool pool;
    for (int i = 0; i < count; ++i) {
        pool.x.push_back(Tensor::uniform({batch, 1, 28, 28}, -1.0f, 1.0f, rng, device));
        std::vector<int32_t> y(static_cast<size_t>(batch));
        for (auto& v : y) v = static_cast<int32_t>(rng.randint(10));
        pool.labels.push_back(std::move(y));
    }
    return pool;
}

// step(s) runs training step s and returns its loss; `probe` is a parameter read back to wait.
inline void time_steps(const StepOptions& o, const std::function<float(int)>& step, const Tensor& probe) {
    float first = 0, last = 0;
    for (int s = 0; s < o.warmup; ++s) last = step(s), first = s == 0 ? last : first;
    (void)probe.rows(0, 1).to_vector();
    const auto start = std::chrono::steady_clock::now();
    for (int s = o.warmup; s < o.warmup + o.steps; ++s) last = step(s), first = s == 0 ? last : first;
    (void)probe.rows(0, 1).to_vector();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("loss %.4f at the first step, %.4f at the last\n", first, last);
    std::printf("device %s steps %d batch %d step_ms %.4f\n", device_name(o.device), o.steps, o.batch,
                seconds / o.steps * 1e3);
}

}  // namespace probenet::bench
