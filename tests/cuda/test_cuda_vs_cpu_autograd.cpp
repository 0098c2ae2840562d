// CPU-vs-CUDA equality of every autograd function (autograd/functions.h), forward and accumulated
// backward, and of whole training steps: the paper's MLP shape in small with SGD and with Adam
// (nn::make_mlp, optim::SGD/Adam) and a small CNN (conv2d, ReLU, max/avg pooling, linear) with Adam.
// Also checks that a steady training loop on the GPU makes no new cudaMalloc.
// Tolerances and the skip rule: tests/cuda/cuda_compare.h.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "autograd/functions.h"
#include "cuda_compare.h"
#include "nn/models/mlp.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::testing;
using autograd::Var;

TEST_CASE("cuda vs cpu: every autograd function, forward and accumulated backward", "[cuda][autograd]") {
    REQUIRE_CUDA_OR_SKIP();
    using namespace autograd;
    Rng rng(40);
    auto rnd = [&](const Shape& s) { return Tensor::normal(s, 0, 1, rng); };
    require_same_on_both([](const std::vector<Var>& v) { return matmul(v[0], v[1]); }, {rnd({7, 5}), rnd({5, 9})});
    require_same_on_both([](const std::vector<Var>& v) { return linear(v[0], v[1], v[2]); },
                         {rnd({6, 20}), rnd({11, 20}), rnd({11})});
    require_same_on_both([](const std::vector<Var>& v) { return linear(v[0], v[1]); }, {rnd({3, 4}), rnd({5, 4})});
    const Tensor a = rnd({4, 6}), b = rnd({4, 6});
    require_same_on_both([](const std::vector<Var>& v) { return add(v[0], v[1]); }, {a, b});
    require_same_on_both([](const std::vector<Var>& v) { return mul(v[0], v[1]); }, {a, b});
    require_same_on_both([](const std::vector<Var>& v) { return mul(v[0], v[0]); }, {a});
    require_same_on_both([](const std::vector<Var>& v) { return scale(v[0], -1.75f); }, {a});
    require_same_on_both([](const std::vector<Var>& v) { return relu(v[0]); }, {a});
    const Tensor x3 = rnd({2, 3, 4});
    require_same_on_both([](const std::vector<Var>& v) { return reshape(v[0], {4, 6}); }, {x3});
    require_same_on_both([](const std::vector<Var>& v) { return flatten(v[0]); }, {x3});
    require_same_on_both([](const std::vector<Var>& v) { return sum(v[0]); }, {x3});
    require_same_on_both([](const std::vector<Var>& v) { return mean(v[0]); }, {x3});
    for (int axis : {0, 1, 2, -1})
        require_same_on_both([axis](const std::vector<Var>& v) { return sum(v[0], axis); }, {x3});
    const std::vector<int32_t> labels{3, 0, 9, 9, 4};
    require_same_on_both([labels](const std::vector<Var>& v) { return cross_entropy(v[0], labels); },
                         {Tensor::normal({5, 10}, 0, 2, rng)});
    // A small graph mixing them: a Var used twice, a reshape between two matmuls.
    require_same_on_both(
        [](const std::vector<Var>& v) {
            Var h = relu(linear(v[0], v[1], v[2]));
            return sum(mul(reshape(h, {3, 8}), reshape(scale(h, 0.5f), {3, 8})), 1);
        },
        {rnd({6, 5}), rnd({4, 5}), rnd({4})});
}

// Convolutions may run an FFT or Winograd algorithm in cuDNN: 1e-4·Σ|terms| (cuda_compare.h) is
// about 0.2·√(C·kh·kw) × 1e-4 of max|y| for random data, ≤ 3e-4 for these shapes; a wrong term
// moves an output by ~max|y| / (3·√(C·kh·kw)) ≥ 5e-2 of it.
constexpr double kConvTol = 3e-4;

TEST_CASE("cuda vs cpu: conv2d, max_pool2d, avg_pool2d functions, forward and accumulated backward",
          "[cuda][autograd][conv]") {
    REQUIRE_CUDA_OR_SKIP();
    using namespace autograd;
    Rng rng(41);
    auto rnd = [&](const Shape& s) { return Tensor::normal(s, 0, 1, rng); };
    const Tensor x = rnd({2, 3, 9, 8});
    require_same_on_both([](const std::vector<Var>& v) { return conv2d(v[0], v[1], v[2], 1, 1); },
                         {x, rnd({4, 3, 3, 3}), rnd({4})}, kConvTol);
    require_same_on_both([](const std::vector<Var>& v) { return conv2d(v[0], v[1], {}, 2, 0); },
                         {x, rnd({5, 3, 3, 2})}, kConvTol);
    require_same_on_both([](const std::vector<Var>& v) { return conv2d(v[0], v[1], v[2], 1, 0); },
                         {x, rnd({2, 3, 1, 1}), rnd({2})}, kConvTol);
    require_same_on_both([](const std::vector<Var>& v) { return max_pool2d(v[0], 2, 2); }, {x});
    require_same_on_both([](const std::vector<Var>& v) { return max_pool2d(v[0], 3, 2, 1); }, {x});
    require_same_on_both([](const std::vector<Var>& v) { return avg_pool2d(v[0], 2, 2); }, {x});
    require_same_on_both([](const std::vector<Var>& v) { return avg_pool2d(v[0], 3, 1, 1); }, {x});
}

// --- a whole training step ----------------------------------------------------------------------

namespace {

// The paper's MLP shape in small (Flatten, 20 → 16 → 12 → 5 with ReLU), PyTorch's default init from
// one seed, then moved to `device`, with SGD (momentum, weight decay; its update inside backward when
// `in_backward`, as the experiments train) or Adam.
struct MlpTraining {
    std::unique_ptr<nn::Sequential> model;
    std::unique_ptr<optim::Optimizer> optimizer;

    MlpTraining(Device device, bool adam, bool in_backward = false) {
        Rng rng(50);
        model = nn::make_mlp(20, {16, 12}, 5, rng);
        model->to(device);
        if (adam)
            optimizer = std::make_unique<optim::Adam>(model->parameters(),
                                                      optim::AdamOptions{.lr = 1e-2f, .weight_decay = 1e-4f});
        else
            optimizer = std::make_unique<optim::SGD>(
                model->parameters(), optim::SgdOptions{.lr = 0.05f, .momentum = 0.9f, .weight_decay = 1e-4f,
                                                       .update_in_backward = in_backward});
    }

    float step(const Tensor& x, const std::vector<int32_t>& labels) {
        Var loss = autograd::cross_entropy((*model)(Var(x)), labels);
        optimizer->zero_grad();
        loss.backward();
        optimizer->step();
        return loss.value().item();
    }
};

}  // namespace

TEST_CASE("cuda vs cpu: MLP training steps with SGD and Adam give the same parameters", "[cuda][train]") {
    REQUIRE_CUDA_OR_SKIP();
    // The third run: SGD applied inside backward (the CPU's one-pass kernel, CUDA's gemm + update path).
    for (const auto& [adam, in_backward] : {std::pair{false, false}, std::pair{true, false}, std::pair{false, true}}) {
        INFO((adam ? "adam" : "sgd") << (in_backward ? " inside backward" : ""));
        MlpTraining cpu(Device::CPU, adam, in_backward), cuda(Device::CUDA, adam, in_backward);
        Rng rng(51);
        for (int t = 1; t <= 3; ++t) {
            const Tensor x = Tensor::normal({8, 20}, 0, 1, rng);
            std::vector<int32_t> labels(8);
            for (auto& l : labels) l = static_cast<int32_t>(rng.randint(5));
            const float loss_cpu = cpu.step(x, labels);
            const float loss_cuda = cuda.step(x.to(Device::CUDA), labels);
            REQUIRE(loss_cuda == Approx(loss_cpu).epsilon(1e-5));
        }
        const auto p_cpu = cpu.model->named_parameters(), p_cuda = cuda.model->named_parameters();
        REQUIRE(p_cpu.size() == p_cuda.size());
        for (size_t i = 0; i < p_cpu.size(); ++i) {
            INFO("parameter " << p_cpu[i].first);
            REQUIRE(p_cuda[i].second.value().device() == Device::CUDA);
            require_close_norm(p_cuda[i].second.value().to_vector(), p_cpu[i].second.value().to_vector(), 1e-5);
        }
    }
}

TEST_CASE("cuda: a steady training loop makes no new cudaMalloc", "[cuda][train]") {
    REQUIRE_CUDA_OR_SKIP();
    MlpTraining net(Device::CUDA, true);
    Rng rng(61);
    const Tensor x = Tensor::normal({8, 20}, 0, 1, rng).to(Device::CUDA);
    const std::vector<int32_t> labels{0, 1, 2, 3, 4, 0, 1, 2};
    for (int t = 0; t < 2; ++t) net.step(x, labels);
    const CudaMemoryStats warm = cuda_memory_stats();
    for (int t = 0; t < 6; ++t) net.step(x, labels);
    const CudaMemoryStats after = cuda_memory_stats();
    INFO("cudaMalloc calls: " << warm.device_allocations << " after 2 steps, " << after.device_allocations
                              << " after 8; in use " << after.bytes_in_use << " B, cached " << after.bytes_cached << " B");
    REQUIRE(after.device_allocations == warm.device_allocations);
    REQUIRE(after.bytes_in_use == warm.bytes_in_use);
}

namespace {

// A small CNN in the paper's style: conv 2→4 (3×3, padding 1) + ReLU, max-pool 2/2, conv 4→6 (3×3)
// + ReLU, avg-pool 2/2, flatten, linear 6→5; SGD with momentum (updates proportional to the
// gradients, so float-rounding differences stay that size; Adam's sign-like first step would turn
// a near-zero gradient's rounding into a full step of lr).
struct CnnTraining {
    std::vector<Var> p;  // w1, b1, w2, b2, w3, b3
    std::unique_ptr<optim::SGD> sgd;

    explicit CnnTraining(Device device) {
        Rng rng(70);
        for (const Shape& s : {Shape{4, 2, 3, 3}, Shape{4}, Shape{6, 4, 3, 3}, Shape{6}, Shape{5, 6}, Shape{5}})
            p.emplace_back(Tensor::uniform(s, -0.4f, 0.4f, rng).to(device), true);
        sgd = std::make_unique<optim::SGD>(p, optim::SgdOptions{.lr = 0.05f, .momentum = 0.9f});
    }

    float step(const Tensor& x, const std::vector<int32_t>& labels) {
        using namespace autograd;
        Var h = max_pool2d(relu(conv2d(Var(x), p[0], p[1], 1, 1)), 2, 2);
        h = avg_pool2d(relu(conv2d(h, p[2], p[3])), 2, 2);
        Var loss = cross_entropy(linear(flatten(h), p[4], p[5]), labels);
        sgd->zero_grad();
        loss.backward();
        sgd->step();
        return loss.value().item();
    }
};

}  // namespace

TEST_CASE("cuda vs cpu: CNN training steps (conv, pooling, SGD) give the same parameters", "[cuda][train][conv]") {
    REQUIRE_CUDA_OR_SKIP();
    CnnTraining cpu(Device::CPU), cuda(Device::CUDA);
    Rng rng(71);
    for (int t = 1; t <= 3; ++t) {
        const Tensor x = Tensor::normal({4, 2, 8, 8}, 0, 1, rng);
        const std::vector<int32_t> labels{1, 4, 0, 2};
        const float loss_cpu = cpu.step(x, labels), loss_cuda = cuda.step(x.to(Device::CUDA), labels);
        REQUIRE(loss_cuda == Approx(loss_cpu).epsilon(kConvTol));
    }
    for (size_t i = 0; i < cpu.p.size(); ++i) {
        INFO("parameter " << i);
        require_close_norm(cuda.p[i].value().to_vector(), cpu.p[i].value().to_vector(), kConvTol);
    }
}
