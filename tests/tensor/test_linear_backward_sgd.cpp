// The linear layer's backward with SGD applied where dW is summed (Backend::linear_backward_with_update
// with a SgdStep, tensor/cpu/cpu_linear_backward.cpp's tile_sgd) against the same backward handing
// dW to the update pass (consume → Backend::sgd_update): W, the momentum and dx equal bit for bit, for
// every SGD option, on 1 and 2 threads, on shapes with ragged column strips, ragged row blocks and
// several of dx's K blocks — and the fused kernel's result does not depend on the thread count or on
// how its columns are split between the threads. dx is
// also checked against OpenBLAS's summation order (tests/tensor/openblas_order.h), which the two
// variants share and so cannot check against each other. The fused update's two ways of storing W and
// the momentum (through the caches, or streamed around them: cpu_timed_choice.h) give the same bits.
#include <catch2/catch.hpp>
#include <omp.h>

#include <vector>

#include "tensor/backend.h"
#include "tensor/cpu/amx_bf16x3_gemm.h"
#include "tensor/cpu/cpu_small_batch_gemm.h"
#include "tensor/cpu/cpu_thread_shares.h"
#include "tensor/cpu/cpu_timed_choice.h"
#include "tensor/random.h"
#include "tensor/runtime.h"
#include "tensor/tensor.h"
#include "tests/tensor/openblas_order.h"

using namespace probenet;

namespace {

// 64-byte aligned storage, as the tensors have: the fused update streams its stores only into such rows.
using Floats = std::vector<float, cpu::CacheLineAllocator<float>>;

struct Result {
    Floats w, m;
    std::vector<float> dx;
    std::vector<float> dx_openblas;  // dx + g·W from W's values before the update, in OpenBLAS's order
};

std::vector<float> uniform(int64_t n, Rng& rng) { return Tensor::uniform({n}, -1.0f, 1.0f, rng).to_vector(); }

// One backward of a layer W (N, K) at batch B from fixed data, with the update fused (`fused`) or
// through consume; the momentum starts from a random buffer (a later step) unless `first`.
Result backward_with_sgd(int64_t B, int64_t N, int64_t K, SgdStep options, bool fused) {
    Rng rng(static_cast<uint64_t>(B * 1000003 + N * 1009 + K));
    const std::vector<float> g = uniform(B * N, rng), x = uniform(B * K, rng);
    const std::vector<float> w = uniform(N * K, rng), m = uniform(N * K, rng);
    Result r{Floats(w.begin(), w.end()), Floats(m.begin(), m.end()), uniform(B * K, rng), {}};
    for (float& v : r.m) v *= 0.01f;
    r.dx_openblas.resize(r.dx.size());
    for (int64_t i = 0; i < B; ++i)
        for (int64_t c = 0; c < K; ++c)
            r.dx_openblas[static_cast<size_t>(i * K + c)] =
                openblas_order(g.data() + i * N, 1, r.w.data() + c, K, N, 1.0f, r.dx[static_cast<size_t>(i * K + c)]);
    SgdStep step = options;
    step.param = r.w.data();
    step.momentum_buf = options.momentum != 0.0f ? r.m.data() : nullptr;
    Backend& cpu = backend_for(Device::CPU);
    cpu.linear_backward_with_update(
        B, N, K, g.data(), x.data(), r.w.data(), 1.0f, r.dx.data(),
        [&](int64_t offset, int64_t n, const float* grad) {
            cpu.sgd_update(n, step.param + offset, grad, step.momentum_buf ? step.momentum_buf + offset : nullptr,
                           step.lr, step.momentum, step.dampening, step.weight_decay, step.nesterov, step.first);
        },
        fused ? &step : nullptr);
    return r;
}

}  // namespace

TEST_CASE("linear backward: SGD applied in the weight-gradient tiles equals the update pass, bit for bit",
          "[tensor][gemm][optim]") {
    const SgdStep variants[] = {
        {.lr = 0.05f, .momentum = 0.9f},
        {.lr = 0.05f, .momentum = 0.9f, .first = true},
        {.lr = 0.05f},
        {.lr = 0.02f, .momentum = 0.8f, .dampening = 0.3f, .weight_decay = 1e-3f},
        {.lr = 0.02f, .momentum = 0.9f, .weight_decay = 5e-4f, .nesterov = true},
        {.lr = 0.02f, .momentum = 0.9f, .weight_decay = 5e-4f, .nesterov = true, .first = true},
    };
    // (B, N, K): on two threads 144 and 149 columns (3 strips, and 3 strips and 5 columns), 3 of dx's K
    // blocks (N = 1000 > 896: 448, 276, 276) and so row blocks of 4; 7 batch rows and 100 columns (one
    // thread); 144 columns a thread (3 strips each); the paper's 2048 → 10 layer (a row block of 2);
    // 1 and 2 vectors at a strip's end (2048 = 42·48 + 32; 1024 = 21·48 + 16 a thread).
    const int64_t shapes[][3] = {{32, 1000, 293}, {7, 61, 100}, {32, 64, 288}, {32, 10, 2048}};
    const int threads_before = omp_get_max_threads();
    for (const auto& [B, N, K] : shapes) {
        for (const SgdStep& o : variants) {
            Floats one_thread_w;
            for (const int threads : {1, 2}) {
                set_threads(threads);
                INFO("B " << B << " N " << N << " K " << K << " threads " << threads << " momentum " << o.momentum
                          << " dampening " << o.dampening << " decay " << o.weight_decay << " nesterov "
                          << o.nesterov << " first " << o.first);
                const Result pass = backward_with_sgd(B, N, K, o, false), fused = backward_with_sgd(B, N, K, o, true);
                CHECK(fused.w == pass.w);
                CHECK(fused.m == pass.m);
                CHECK(fused.dx == pass.dx);
                CHECK(pass.dx == pass.dx_openblas);
                if (threads == 1) one_thread_w = fused.w;
                else CHECK(fused.w == one_thread_w);
                // Stores forced through the caches and around them: the same bits (streamed only where
                // K is a multiple of 16, the rows then 64-byte aligned; the count of runs shows that it did).
                {
                    const uint64_t key = cpu::linear_backward_store_key(B, N, K);
                    cpu::update_store_choice().force(1);
                    const Result streamed = backward_with_sgd(B, N, K, o, true);
                    cpu::update_store_choice().force(0);
                    const Result cached = backward_with_sgd(B, N, K, o, true);
                    cpu::update_store_choice().force(-1);
                    CHECK(streamed.w == fused.w);
                    CHECK(streamed.m == fused.m);
                    CHECK(streamed.dx == fused.dx);
                    CHECK(cached.w == fused.w);
                    CHECK(cached.m == fused.m);
                    CHECK((cpu::update_store_choice().runs(key, 1) > 0) == (K % 16 == 0));
                }
                if (threads == 2) {
                    // A split learned from a slow first thread (cpu_thread_shares.h): the same bits.
                    const uint64_t key = cpu::linear_backward_split_key(B, N, K);
                    for (int i = 0; i < 3; ++i)
                        cpu::thread_shares().learn(key, cpu::thread_shares().split(key, 2, K, 16), {5.0, 1.0});
                    CHECK(cpu::thread_shares().split(key, 2, K, 16)[1] < K / 2);
                    const Result skewed = backward_with_sgd(B, N, K, o, true);
                    CHECK(skewed.w == one_thread_w);
                    CHECK(skewed.m == fused.m);
                    CHECK(skewed.dx == fused.dx);
                }
            }
        }
    }
    set_threads(threads_before);
}
